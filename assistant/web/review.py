"""The review desk's work, without any UI: list exchanges, show one in full, review it, make an eval case."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..evals.dataset import DatasetError, append_case
from .render import shorten
from .store import VERDICTS, Exchange, Store

LIST_HEADERS = ["N°", "Date (UTC)", "Question", "Moteur", "Refus", "Avis", "Revue"]
CATEGORIES = ("structures", "funding", "contacts", "figures", "practice", "multi-turn", "english", "conflicting",
              "unanswerable")


@dataclass(frozen=True)
class CaseForm:
    """What the reviewer confirms before an exchange becomes an evaluation case."""

    category: str
    answerable: bool
    expected_facts: str  # one group a line, accepted variants separated by "|"
    evidence: str  # one quote a line, each found word for word in a source sheet
    sources: str  # sheet ids, comma separated


class ReviewDesk:
    def __init__(self, store: Store, cases_path: Path, sheet_text):
        self.store = store
        self.cases_path = Path(cases_path)
        self._sheet_text = sheet_text  # Callable[[str], str]

    def rows(self, *, disliked=False, refused=False, since="", until="") -> list[list]:
        return [
            [
                e.id,
                e.created_at[:16].replace("T", " "),
                shorten(e.question, 90),
                e.engine,
                "oui" if e.abstained else "",
                {"up": "👍 positif", "down": "👎 négatif"}.get(e.vote, ""),
                VERDICTS.get(e.verdict, ""),
            ]
            for e in self.store.exchanges(disliked=disliked, refused=refused, since=since, until=until)
        ]

    def detail_html(self, e: Exchange) -> str:
        a = e.answer
        cited = {c["passage_id"]: c["marker"] for c in a["citations"]}
        history = "".join(
            f"<li><b>{'Médecin' if t.role == 'user' else 'Coordo'}</b> : {escape(shorten(str(t.content), 400))}</li>"
            for t in e.history
        )
        rows = "".join(
            f"<tr class='{'coordo-cited' if r['passage_id'] in cited else ''}'>"
            f"<td>{r['rank']}</td><td>{'[' + str(cited[r['passage_id']]) + ']' if r['passage_id'] in cited else ''}</td>"
            f"<td>{_num(r['score'])}</td><td>{_num(r['dense'])}</td><td>{_num(r['bm25'])}</td>"
            f"<td><code>{escape(r['passage_id'])}</code><br>{escape(shorten(r['text'], 260))}</td></tr>"
            for r in a["retrieved"]
        )
        timings = ", ".join(f"{k} {v:.0f} ms" for k, v in a["timings_ms"].items())
        feedback = {"up": "👍 positif", "down": "👎 négatif"}.get(e.vote, "aucun")
        rewritten = (
            f"<p><b>Question comprise :</b> {escape(a['standalone_question'])}</p>"
            if a["standalone_question"] != e.question else ""
        )
        warnings = "".join(f"<li>{escape(w)}</li>" for w in a["warnings"])
        return (
            f"<div class='coordo-review'><p><b>N° {e.id}</b> · {escape(e.created_at)} · moteur <b>{escape(e.engine)}</b>"
            f" · modèle {escape(e.model)} · {escape(timings)}</p>"
            + (f"<p><b>Conversation avant la question :</b></p><ol>{history}</ol>" if history else "")
            + f"<p><b>Question :</b> {escape(e.question)}</p>{rewritten}"
            + f"<p><b>Réponse{' (refus)' if e.abstained else ''} :</b></p><div class='coordo-answer'>{escape(a['answer'])}</div>"
            + (f"<p><b>Avertissements :</b></p><ul>{warnings}</ul>" if warnings else "")
            + f"<p><b>Avis du médecin :</b> {feedback}"
            + (f" — « {escape(e.feedback_comment)} »" if e.feedback_comment else "") + "</p>"
            + (f"<p><b>Revue :</b> {escape(VERDICTS.get(e.verdict, ''))} par {escape(e.reviewer)}"
               f"{' — « ' + escape(e.review_comment) + ' »' if e.review_comment else ''}"
               f"{' — cas ' + escape(e.case_id) if e.case_id else ''}</p>" if e.verdict else "")
            + "<p><b>Passages retrouvés</b> (les cités sont surlignés) :</p>"
            "<table class='coordo-retrieved'><tr><th>rang</th><th>cité</th><th>fusion</th><th>dense</th><th>BM25</th>"
            f"<th>passage</th></tr>{rows}</table></div>"
        )

    def draft(self, e: Exchange) -> CaseForm:
        """A starting point for the case form, from what the answer cited."""
        a = e.answer
        if e.abstained:
            category = "unanswerable"
        elif e.history:
            category = "multi-turn"
        else:
            category = "structures"
        return CaseForm(
            category=category,
            answerable=not e.abstained,
            expected_facts="",
            evidence="\n".join(dict.fromkeys(" ".join(c["text"].split()) for c in a["citations"])),
            sources=", ".join(dict.fromkeys(c["sheet_id"] for c in a["citations"])),
        )

    def review(self, exchange_id: int, verdict: str, comment: str, reviewer: str) -> None:
        self.store.review(exchange_id, verdict, comment, reviewer)

    def make_case(self, exchange_id: int, form: CaseForm, reviewer: str, verdict: str = "", comment: str = "") -> dict:
        """Append the exchange as an evaluation case (validated against the sheets) and note it in the review.

        Raises:
            DatasetError: the case is not valid; nothing is written.
        """
        e = self.store.get(exchange_id)
        if e is None:
            raise DatasetError(self.cases_path, [f"échange {exchange_id} introuvable (purgé ?)"])
        sources = [s.strip() for s in form.sources.replace("\n", ",").split(",") if s.strip()]
        case = {
            "id": f"review-{exchange_id}",
            "category": form.category,
            "question": e.question,
            "history": [{"role": t.role, "content": t.content} for t in e.history],
            "answerable": bool(form.answerable),
            "expected_facts": [
                [v.strip() for v in line.split("|") if v.strip()]
                for line in form.expected_facts.splitlines() if line.strip()
            ],
            "evidence": [line.strip() for line in form.evidence.splitlines() if line.strip()] if form.answerable else [],
            "sources": sources if form.answerable else [],
        }
        texts = {}
        for sheet_id in case["sources"]:
            try:
                texts[sheet_id] = self._sheet_text(sheet_id)
            except (KeyError, OSError):
                pass
        append_case(self.cases_path, case, texts if case["sources"] else None)
        self.store.review(exchange_id, verdict or e.verdict or "incorrect", comment or e.review_comment, reviewer,
                          case_id=case["id"])
        return case


def _num(value) -> str:
    return "" if value is None else f"{value:.3f}"
