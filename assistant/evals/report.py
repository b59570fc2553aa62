"""The readable report: metrics beside the baselines, charts per category, every failed question."""

from __future__ import annotations

import json
from pathlib import Path

RETRIEVAL = ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@5")
CHART_METRICS = ("hit@5", "fact_accuracy", "citation_hit", "abstention_accuracy")
LABELS = {
    "bm25_only": "BM25 seul", "dense_only": "Dense seul",
    "langchain_recipe": "Recette LangChain (1000/200, top 4)",
}


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _charts(metrics: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    charts = out / "charts"
    charts.mkdir(exist_ok=True)
    for category, m in metrics["by_category"].items():
        values = [m[k] if (k != "hit@5" or m["answerable"]) else 0 for k in CHART_METRICS]
        fig, ax = plt.subplots(figsize=(5, 2.6), dpi=100)
        bars = ax.barh(list(CHART_METRICS), values, color=["#4c72b0", "#55a868", "#c44e52", "#8172b2"])
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_title(f"{category} ({m['questions']} questions)")
        for bar, value in zip(bars, values):
            ax.text(min(value, 0.88) + 0.01, bar.get_y() + bar.get_height() / 2, f"{value:.2f}", va="center")
        fig.tight_layout()
        name = f"charts/{category}.png"
        fig.savefig(out / name)
        plt.close(fig)
        names.append(name)
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    systems = {"Coordo (hybride)": metrics["overall"], **{LABELS.get(k, k): v for k, v in metrics["baselines"].items()}}
    width = 0.8 / max(1, len(systems))
    for i, (label, m) in enumerate(systems.items()):
        ax.bar([j + i * width for j in range(len(RETRIEVAL))], [m[k] for k in RETRIEVAL], width, label=label)
    ax.set_xticks([j + width * (len(systems) - 1) / 2 for j in range(len(RETRIEVAL))], RETRIEVAL)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Recherche : Coordo et les baselines")
    fig.tight_layout()
    fig.savefig(charts / "retrieval-baselines.png")
    plt.close(fig)
    return ["charts/retrieval-baselines.png", *names]


def write_report(out: Path, metrics: dict, results: list[dict], cases: dict, run: dict) -> Path:
    """Write ``out/report.md`` (and its charts) and return its path."""
    o = metrics["overall"]
    lines = [
        f"# Évaluation Coordo — moteur `{run['engine']}`, k = {run['k']}",
        "",
        f"Jeu : `{run['dataset']}` — {o['questions']} questions ({o['answerable']} avec réponse, "
        f"{o['unanswerable']} hors fiches). Index : {run['embedding']}, construit le {run['index_built_at']}.",
        "",
        "## Résultats",
        "",
        "| mesure | valeur |",
        "|---|---|",
    ]
    for key, label in [
        ("hit@1", "hit@1"), ("hit@3", "hit@3"), ("hit@5", "hit@5"), ("mrr", "MRR"), ("ndcg@5", "nDCG@5"),
        ("fact_accuracy", "exactitude des faits"), ("citation_hit", "citation juste (hit)"),
        ("citation_precision", "précision des citations"),
        ("answers_with_unsupported_figures", "réponses avec chiffre non sourcé"),
        ("abstention_precision", "précision des refus"), ("abstention_recall", "rappel des refus"),
        ("abstention_accuracy", "exactitude de la décision répondre / refuser"), ("correct", "questions entièrement justes"),
    ]:
        lines.append(f"| {label} | {_pct(o[key])} |")
    lines += [
        f"| chiffres non sourcés (total) | {o['unsupported_figures']} |",
        f"| refus à tort | {o['false_refusals']} |",
        f"| latence p50 / p95 | {o['latency_p50_ms']:.0f} ms / {o['latency_p95_ms']:.0f} ms |",
        "",
        "## Recherche : Coordo face aux baselines (mêmes questions, avec réponse)",
        "",
        "Pertinence : un passage est pertinent s'il contient un extrait `evidence` de la question. "
        "Les baselines reçoivent la question reformulée (suivi de conversation) comme Coordo.",
        "",
        "| système | " + " | ".join(RETRIEVAL) + " |",
        "|---|" + "---|" * len(RETRIEVAL),
        "| **Coordo (hybride + découpage par structure)** | " + " | ".join(f"{o[k]:.3f}" for k in RETRIEVAL) + " |",
    ]
    for name, m in metrics["baselines"].items():
        lines.append(f"| {LABELS.get(name, name)} | " + " | ".join(f"{m[k]:.3f}" for k in RETRIEVAL) + " |")
    charts = _charts(metrics, out)
    lines += ["", f"![Recherche]({charts[0]})", "", "## Par catégorie", "",
              "| catégorie | questions | hit@5 | faits | citation | décision | p50 |", "|---|---|---|---|---|---|---|"]
    for category, m in metrics["by_category"].items():
        hit = f"{m['hit@5']:.2f}" if m["answerable"] else "—"
        facts = f"{m['fact_accuracy']:.2f}" if m["answerable"] else "—"
        cite = f"{m['citation_hit']:.2f}" if m["answerable"] else "—"
        lines.append(f"| {category} | {m['questions']} | {hit} | {facts} | {cite} | "
                     f"{m['abstention_accuracy']:.2f} | {m['latency_p50_ms']:.0f} ms |")
    lines += [""] + [f"![{c}]({c})" for c in charts[1:]]
    failed = [r for r in results if not r["verdict"]["correct"]]
    lines += ["", f"## Questions en échec ({len(failed)})", ""]
    for r in failed:
        case = cases[r["id"]]
        v = r["verdict"]
        why = []
        if case["answerable"]:
            if v["abstained"]:
                why.append("refus à tort")
            else:
                if not v["facts"]:
                    why.append("faits attendus absents")
                if not v["citation_hit"]:
                    why.append("aucune citation ne contient la preuve")
            if v["rank"] is None:
                why.append("preuve absente des passages retrouvés")
        else:
            why.append("a répondu au lieu de refuser")
        expected = " ; ".join(" / ".join(g) for g in case["expected_facts"]) or "un refus"
        lines += [
            f"### {r['id']} — {', '.join(why)}",
            "",
            f"- Question : {r['question']}" + (f" (comprise : {r['standalone_question']})"
                                               if r["standalone_question"] != r["question"] else ""),
            f"- Attendu : {expected}",
            f"- Preuve : {' | '.join(case['evidence'][:2]) or '—'}",
            "- Réponse : " + " ".join(r["answer"].split())[:600],
            "",
        ]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def compare_runs(old: Path, new: Path) -> str:
    """Metric deltas and the questions whose verdict changed, as text."""
    def load(d: Path):
        metrics = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
        rows = {}
        for line in (d / "results.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
        return metrics, rows

    (m_old, r_old), (m_new, r_new) = load(old), load(new)
    out = [f"{'mesure':32s} {'avant':>9s} {'après':>9s} {'écart':>9s}"]
    for key, before in m_old["overall"].items():
        after = m_new["overall"].get(key)
        if isinstance(before, (int, float)) and isinstance(after, (int, float)):
            out.append(f"{key:32s} {before:9.3f} {after:9.3f} {after - before:+9.3f}")
    changed = [i for i in r_new if i in r_old and r_new[i]["verdict"]["correct"] != r_old[i]["verdict"]["correct"]]
    out.append(f"\nVerdicts changés : {len(changed)}")
    for i in changed:
        mark = "corrigée" if r_new[i]["verdict"]["correct"] else "régression"
        out.append(f"  {mark:10s} {i} : {r_new[i]['question']}")
    return "\n".join(out)
