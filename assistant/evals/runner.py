"""Runs a dataset through the same pipeline the chat uses, and the retrieval baselines beside it.

Results are appended one line per question, so a re-run on the same output directory resumes.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..pipeline import Coordo
from .baselines import Baseline
from .dataset import EvalCase
from .metrics import Verdict, aggregate, retrieval_metrics, first_relevant_rank, ndcg, verdict

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
BASELINES = "baselines.jsonl"
RUN = "run.json"
METRICS = "metrics.json"


@dataclass(frozen=True)
class RunConfig:
    engine: str
    k: int
    dataset: str
    index_built_at: str
    embedding: str


def _read_jsonl(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                row = json.loads(line)
                rows[row["id"]] = row
            except (ValueError, KeyError):
                log.warning("Ignoring a damaged line in %s (it will be run again)", path)
    return rows


def prepare_output(out: Path, config: RunConfig) -> None:
    """Create ``out``, or check that it holds a run of the same configuration (to resume it)."""
    out.mkdir(parents=True, exist_ok=True)
    run_file = out / RUN
    current = config.__dict__
    if run_file.exists():
        previous = json.loads(run_file.read_text(encoding="utf-8"))
        if previous != current:
            changed = sorted(k for k in current if previous.get(k) != current[k])
            raise ValueError(
                f"{out} contient un run d'une autre configuration ({', '.join(changed)}) : "
                "choisissez un autre --out ou videz ce dossier."
            )
    else:
        run_file.write_text(json.dumps(current, ensure_ascii=False, indent=2), encoding="utf-8")


def run_case(coordo: Coordo, case: EvalCase) -> dict:
    """One question through the pipeline: the result line, verdicts included."""
    started = time.perf_counter()
    answer = coordo.ask(case.question, case.history)
    latency = (time.perf_counter() - started) * 1000
    sheets = coordo.retriever.index.sheets
    retrieved = [r.passage.body for r in answer.retrieved]
    cited = [c.text for c in answer.citations]
    by_id = {p.id: p for p in coordo.retriever.index.passages}
    # figures may also come from the cited passage's headers and the sheet's date, shown beside the quote
    context = [by_id[c.passage_id].text for c in answer.citations if c.passage_id in by_id]
    labels = [sheets[c.sheet_id].date_label for c in answer.citations if c.sheet_id in sheets] + context
    v = verdict(case, answer.text, answer.abstained, retrieved, cited, labels)
    return {
        "id": case.id,
        "category": case.category,
        "question": case.question,
        "standalone_question": answer.standalone_question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [{"source": c.sheet_id, "text": c.text, "start": c.start, "end": c.end} for c in answer.citations],
        "retrieved": [
            {"source": r.passage.sheet_id, "passage_id": r.passage.id, "text": r.passage.body, "score": round(r.score, 6)}
            for r in answer.retrieved
        ],
        "warnings": list(answer.warnings),
        "latency_ms": round(latency, 1),
        "verdict": v.to_dict(),
    }


def run_baselines(baselines: list[Baseline], case: EvalCase, standalone: str) -> dict:
    row = {"id": case.id}
    for baseline in baselines:
        texts = baseline.search(standalone)
        row[baseline.name] = {
            "rank": first_relevant_rank(texts, case) if case.answerable else None,
            "ndcg5": ndcg(texts, case, 5) if case.answerable else 0.0,
        }
    return row


def run_eval(
    coordo: Coordo,
    cases: list[EvalCase],
    out: Path,
    baselines: list[Baseline],
    progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Run (or resume) every case; write results, baselines and metrics; return the metrics."""
    done = _read_jsonl(out / RESULTS)
    done_baselines = _read_jsonl(out / BASELINES)
    with (out / RESULTS).open("a", encoding="utf-8") as results, (out / BASELINES).open("a", encoding="utf-8") as bl:
        for n, case in enumerate(cases, start=1):
            if case.id not in done:
                row = run_case(coordo, case)
                results.write(json.dumps(row, ensure_ascii=False) + "\n")
                results.flush()
                done[case.id] = row
            if baselines and case.id not in done_baselines:
                row = run_baselines(baselines, case, done[case.id]["standalone_question"])
                bl.write(json.dumps(row, ensure_ascii=False) + "\n")
                bl.flush()
                done_baselines[case.id] = row
            if progress:
                progress(n, len(cases), case.id)
    metrics = compute_metrics(cases, done, done_baselines, [b.name for b in baselines])
    (out / METRICS).write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return metrics


def compute_metrics(cases: list[EvalCase], results: dict, baseline_rows: dict, baseline_names: list[str]) -> dict:
    ids = [c.id for c in cases if c.id in results]
    verdicts = {i: Verdict(**{**{k: v for k, v in results[i]["verdict"].items()
                                 if k not in ("abstention_correct", "correct")},
                              "unsupported": tuple(results[i]["verdict"]["unsupported"])}) for i in ids}
    overall = aggregate([verdicts[i] for i in ids], [results[i]["latency_ms"] for i in ids])
    by_category = {}
    for category in dict.fromkeys(c.category for c in cases):
        members = [c.id for c in cases if c.category == category and c.id in results]
        by_category[category] = aggregate([verdicts[i] for i in members], [results[i]["latency_ms"] for i in members])
    answerable = [c.id for c in cases if c.answerable and c.id in baseline_rows]
    baselines = {}
    for name in baseline_names:
        rows = [baseline_rows[i][name] for i in answerable if name in baseline_rows[i]]
        baselines[name] = retrieval_metrics([r["rank"] for r in rows], [r["ndcg5"] for r in rows])
    return {"overall": overall, "by_category": by_category, "baselines": baselines}
