"""The review desk's work, without any UI: list exchanges, show one in full, review it, make an eval case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..evals.dataset import DatasetError, append_case
from ..schema import SheetMeta
from .display import visible
from .render import sheet_view, shorten, shown, source_name
from .store import VERDICTS, Exchange, Store

LIST_HEADERS = ["N°", "Date (UTC)", "Question", "Moteur", "Refus", "Avis", "Revue"]
VOTE_LABELS = {"up": "positif", "down": "négatif"}  # words, not emoji: the desk must read without an emoji font
PAGE_SIZE = 100  # exchanges a page of the desk's list
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


@dataclass(frozen=True)
class DeskPage:
    """One page of the desk's list, and how many exchanges match the filters in all."""

    rows: list[list]
    total: int
    page: int  # 1-based, within 1..pages
    pages: int

    @property
    def summary(self) -> str:
        if not self.total:
            return "Aucun échange ne correspond au filtre."
        return (f"{self.total} échange(s) correspondent au filtre · page {self.page}/{self.pages} "
                f"({len(self.rows)} affichés, le plus récent en haut).")


class ReviewDesk:
    def __init__(self, store: Store, cases_path: Path, sheet_text,
                 sheets: Callable[[], dict[str, SheetMeta]] | None = None, page_size: int = PAGE_SIZE):
        self.store = store
        self.cases_path = Path(cases_path)
        self._sheet_text = sheet_text  # Callable[[str], str]
        self._sheets = sheets or dict  # the index's sheets now (they change when the index is rebuilt)
        self.page_size = page_size

    def page(self, page: int = 1, *, disliked=False, refused=False, since="", until="") -> DeskPage:
        """The list's page ``page`` (clamped to the pages there are): every exchange is reachable, none buried."""
        filters = dict(disliked=disliked, refused=refused, since=since, until=until)
        total = self.store.count(**filters)
        pages = max(1, -(-total // self.page_size))
        page = min(max(1, int(page)), pages)
        return DeskPage(self.rows(**filters, offset=(page - 1) * self.page_size), total, page, pages)

    def rows(self, *, disliked=False, refused=False, since="", until="", offset=0) -> list[list]:
        return [
            [
                e.id,
                e.created_at[:16].replace("T", " "),
                visible(shorten(e.question, 90)),
                e.engine,
                "oui" if e.abstained else "",
                VOTE_LABELS.get(e.vote, ""),
                VERDICTS.get(e.verdict, ""),
            ]
            for e in self.store.exchanges(disliked=disliked, refused=refused, since=since, until=until,
                                          limit=self.page_size, offset=offset)
        ]

    def detail_html(self, e: Exchange) -> str:
        a = e.answer
        cited = {c["passage_id"]: c["marker"] for c in a["citations"]}
        history = "".join(
            f"<li><b>{'Médecin' if t.role == 'user' else 'Coordo'}</b> : {shown(shorten(str(t.content), 400))}</li>"
            for t in e.history
        )
        rows = "".join(
            f"<tr class='{'coordo-cited' if r['passage_id'] in cited else ''}'>"
            f"<td>{r['rank']}</td><td>{'[' + str(cited[r['passage_id']]) + ']' if r['passage_id'] in cited else ''}</td>"
            f"<td>{_num(r['score'])}</td><td>{_num(r['dense'])}</td><td>{_num(r['bm25'])}</td>"
            f"<td><code>{shown(r['passage_id'])}</code> <b>{shown(source_name(r))}</b><br>"
            f"{shown(shorten(r['text'], 260))}</td></tr>"
            for r in a["retrieved"]
        )
        timings = ", ".join(f"{k} {v:.0f} ms" for k, v in a["timings_ms"].items())
        feedback = VOTE_LABELS.get(e.vote, "aucun")
        rewritten = (
            f"<p><b>Question comprise :</b> {shown(a['standalone_question'])}</p>"
            if a["standalone_question"] != e.question else ""
        )
        warnings = "".join(f"<li>{shown(w)}</li>" for w in a["warnings"])
        return (
            f"<div class='coordo-review'><p><b>N° {e.id}</b> · {shown(e.created_at)} · moteur <b>{shown(e.engine)}</b>"
            f" · modèle {shown(e.model)} · {shown(timings)}</p>"
            + (f"<p><b>Conversation avant la question :</b></p><ol>{history}</ol>" if history else "")
            + f"<p><b>Question :</b> {shown(e.question)}</p>{rewritten}"
            + f"<p><b>Réponse{' (refus)' if e.abstained else ''} :</b></p><div class='coordo-answer'>{shown(a['answer'])}</div>"
            + (f"<p><b>Avertissements :</b></p><ul>{warnings}</ul>" if warnings else "")
            + f"<p><b>Avis du médecin :</b> {feedback}"
            + (f" — « {shown(e.feedback_comment)} »" if e.feedback_comment else "") + "</p>"
            + (f"<p><b>Revue :</b> {shown(VERDICTS.get(e.verdict, ''))} par {shown(e.reviewer)}"
               f"{' — « ' + shown(e.review_comment) + ' »' if e.review_comment else ''}"
               f"{' — cas ' + shown(e.case_id) if e.case_id else ''}</p>" if e.verdict else "")
            + "<p><b>Passages retrouvés</b> (les cités sont surlignés) :</p>"
            "<table class='coordo-retrieved'><tr><th>rang</th><th>cité</th><th>fusion</th><th>dense</th><th>BM25</th>"
            f"<th>passage</th></tr>{rows}</table></div>"
        )

    def passage_choices(self, e: Exchange) -> list[tuple[str, str]]:
        """The retrieved passages as (label, value) choices to open in their sheet; value is the rank."""
        cited = {c["passage_id"]: c["marker"] for c in e.answer["citations"]}
        return [
            (visible(f"{r['rank']}. {'[' + str(cited[r['passage_id']]) + '] ' if r['passage_id'] in cited else ''}"
                     f"{source_name(r)} ({r['sheet_id']})"), str(r["rank"]))
            for r in e.answer["retrieved"]
        ]

    def passage_view(self, e: Exchange, rank: str) -> str:
        """The sheet of one retrieved passage, the passage highlighted in place: the « Fiches » viewer."""
        r = next((r for r in e.answer["retrieved"] if str(r["rank"]) == str(rank)), None)
        if r is None:
            return ""
        meta = self._sheets().get(r["sheet_id"])
        try:
            text = self._sheet_text(r["sheet_id"])
        except (KeyError, OSError):
            text = None
        if meta is None or text is None:
            return f"<p>La fiche {shown(r['sheet_id'])} n'est plus dans l'index.</p>"
        return sheet_view(meta, text, r.get("start"), r.get("end"))

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
