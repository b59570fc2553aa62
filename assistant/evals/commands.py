"""What `coordo eval` does, behind the CLI: check, run, gate, compare, calibrate."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import click

from ..config import Settings
from ..errors import CoordoError
from .dataset import DatasetError, EvalCase, load_dataset

ENGINE_TABLES = ("extractive", "llm")
GATED = ("hit@5", "fact_accuracy", "citation_hit", "abstention_accuracy", "citation_precision")


def _sheet_texts(settings: Settings) -> dict[str, str]:
    from ..corpus import load_corpus

    return {s.id: s.text for s in load_corpus(settings.corpus_dir)}


def _load(settings: Settings, path: Path) -> list[EvalCase]:
    try:
        return load_dataset(path, _sheet_texts(settings))
    except DatasetError as exc:
        raise CoordoError(str(exc)) from exc


def check(settings: Settings, path: Path) -> None:
    cases = _load(settings, path)
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.category] = counts.get(case.category, 0) + 1
    unanswerable = sum(not c.answerable for c in cases)
    click.echo(f"{path} : {len(cases)} questions valides, {unanswerable} hors fiches "
               f"({100 * unanswerable / len(cases):.0f} %).")
    for category, n in counts.items():
        click.echo(f"  {category:14s} {n}")


def select(cases: list[EvalCase], limit=None, categories=(), ids=()) -> list[EvalCase]:
    chosen = [c for c in cases if (not categories or c.category in categories) and (not ids or c.id in ids)]
    if not chosen:
        raise CoordoError("Aucune question ne correspond à --category / --id.")
    return chosen[:limit] if limit else chosen


def evaluate(settings: Settings, dataset: Path, out: Path, *, limit=None, categories=(), ids=(),
             baselines=True, gate: Path | None = None) -> int:
    from tqdm import tqdm

    from ..pipeline import Coordo
    from .baselines import make_baselines
    from .report import write_report
    from .runner import RESULTS, RUN, RunConfig, prepare_output, run_eval

    cases = select(_load(settings, dataset), limit, categories, ids)
    coordo = Coordo(settings)
    retriever = coordo.retriever
    info = retriever.index.info
    config = RunConfig(engine=settings.engine, k=settings.top_k, dataset=str(dataset),
                       index_built_at=info.built_at, embedding=info.embedding.label())
    try:
        prepare_output(out, config)
    except ValueError as exc:
        raise CoordoError(str(exc)) from exc
    extra = []
    if baselines:
        click.echo("Préparation des baselines (dont la recette LangChain : découpage 1000/200 et encodage)…", err=True)
        extra = make_baselines(retriever, {k: retriever.index.sheet_text(k) for k in retriever.index.sheets},
                               settings.top_k)
    bar = tqdm(total=len(cases), unit="question", desc=f"Évaluation ({settings.engine})", file=sys.stderr)

    def progress(n, total, case_id):
        bar.n = n
        bar.set_postfix_str(case_id)
        bar.refresh()

    try:
        metrics = run_eval(coordo, cases, out, extra, progress)
    finally:
        bar.close()
    results = [json.loads(line) for line in (out / RESULTS).read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {c.id for c in cases}
    results = [r for r in results if r["id"] in wanted]
    run = json.loads((out / RUN).read_text(encoding="utf-8"))
    report = write_report(out, metrics, results, {c.id: c.to_dict() for c in cases}, run)
    o = metrics["overall"]
    click.echo(
        f"hit@5 {o['hit@5']:.3f} | MRR {o['mrr']:.3f} | faits {o['fact_accuracy']:.3f} | "
        f"citation {o['citation_hit']:.3f} (précision {o['citation_precision']:.3f}) | "
        f"refus P {o['abstention_precision']:.3f} R {o['abstention_recall']:.3f} | "
        f"décision {o['abstention_accuracy']:.3f} | chiffres non sourcés {o['unsupported_figures']} | "
        f"p50 {o['latency_p50_ms']:.0f} ms p95 {o['latency_p95_ms']:.0f} ms"
    )
    for name, m in metrics["baselines"].items():
        click.echo(f"  baseline {name:18s} hit@5 {m['hit@5']:.3f} | MRR {m['mrr']:.3f} | nDCG@5 {m['ndcg@5']:.3f}")
    click.echo(f"Rapport : {report}")
    return apply_gate(gate, settings.engine, o, dataset.stem) if gate else 0


def apply_gate(path: Path, engine: str, overall: dict, dataset: str = "") -> int:
    """1 when a metric misses its threshold for this engine (and this dataset).

    The TOML file has one table per engine: ``[extractive]`` holds minimums (``"hit@5" = 0.86``) and
    ``[extractive.max]`` maximums (``unsupported_figures = 0``). A table named after a dataset file
    (``[blind.extractive]`` for ``evals/blind.jsonl``) replaces it for that dataset.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CoordoError(f"Fichier de seuils illisible {path} : {exc}") from exc
    per_dataset = data.get(dataset, {}) if dataset and dataset not in ENGINE_TABLES else {}
    table = dict(per_dataset.get(engine) or data.get(engine, {}))
    maximums = table.pop("max", {})
    unknown = [k for k in [*table, *maximums] if k not in overall]
    if unknown:
        raise CoordoError(f"{path} : mesure(s) inconnue(s) {unknown} ; mesures possibles : {', '.join(overall)}")
    failures = [f"{k} = {overall[k]:.3f} < {v}" for k, v in table.items() if overall[k] < v]
    failures += [f"{k} = {overall[k]:.3f} > {v}" for k, v in maximums.items() if overall[k] > v]
    if failures:
        click.secho(f"Seuils non atteints ({engine}) : " + " ; ".join(failures), fg="red", err=True)
        return 1
    rules = [f"{k} ≥ {v}" for k, v in table.items()] + [f"{k} ≤ {v}" for k, v in maximums.items()]
    click.echo(f"Seuils atteints ({engine}) : {', '.join(rules) or 'aucun seuil pour ce moteur'}.")
    return 0


def compare(old: Path, new: Path) -> str:
    from .report import compare_runs

    for d in (old, new):
        if not (d / "metrics.json").exists():
            raise CoordoError(f"{d} ne contient pas de metrics.json : lancez d'abord coordo eval --out {d}")
    return compare_runs(old, new)


def calibrate(settings: Settings, dataset: Path, write: Path | None = Path("evals/calibration.md")) -> None:
    """Grid-search the refusal thresholds on even-numbered questions, report them on odd ones too."""
    from ..conversation import standalone_question
    from ..pipeline import Coordo
    from .calibrate import best, decisions, grid

    cases = _load(settings, dataset)
    retriever = Coordo(settings).retriever
    signals = []
    with click.progressbar(cases, label="Signaux de couverture", file=sys.stderr) as bar:
        for case in bar:
            question = standalone_question(case.question, case.history)
            signals.append((retriever.search(question, k=1).coverage, case.answerable))
    tune, held = signals[0::2], signals[1::2]
    chosen = best(grid(tune))
    on_held = decisions(held, chosen.min_dense, chosen.min_terms)
    on_all = decisions(signals, chosen.min_dense, chosen.min_terms)
    current = decisions(signals, settings.min_dense_score, settings.min_term_coverage)
    lines = [
        "# Refusal thresholds, set on data",
        "",
        f"Dataset: `{dataset}` ({len(cases)} questions, {sum(not a for _, a in signals)} unanswerable).",
        "A question is answered only if its best dense similarity is at least `min_dense_score`, at least",
        "`min_term_coverage` of its content words occur in the corpus, and it names no place, person or year",
        "that no sheet mentions. The grid search ran on the even-numbered questions; the odd-numbered ones",
        "are held out.",
        "",
        "| | min_dense_score | min_term_coverage | right decisions | false refusals | missed refusals |",
        "|---|---|---|---|---|---|",
        f"| chosen, on tuning half | {chosen.min_dense} | {chosen.min_terms} | {chosen.accuracy:.3f} | "
        f"{chosen.false_refusals} | {chosen.missed_refusals} |",
        f"| chosen, on held-out half | {chosen.min_dense} | {chosen.min_terms} | {on_held.accuracy:.3f} | "
        f"{on_held.false_refusals} | {on_held.missed_refusals} |",
        f"| chosen, on all | {chosen.min_dense} | {chosen.min_terms} | {on_all.accuracy:.3f} | "
        f"{on_all.false_refusals} | {on_all.missed_refusals} |",
        f"| configured now, on all | {settings.min_dense_score} | {settings.min_term_coverage} | "
        f"{current.accuracy:.3f} | {current.false_refusals} | {current.missed_refusals} |",
        "",
        "Regenerate with `coordo eval --calibrate`; the defaults live in `assistant/config.py`.",
    ]
    text = "\n".join(lines) + "\n"
    click.echo(text)
    if write:
        write.write_text(text, encoding="utf-8")
