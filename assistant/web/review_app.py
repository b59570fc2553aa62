"""The support staff's review desk, as Gradio Blocks around :class:`ReviewDesk` (served behind a login)."""

from __future__ import annotations

import re

import gradio as gr

from ..errors import CoordoError
from ..evals.dataset import DatasetError
from .render import SCROLL_TO_HIGHLIGHT_JS
from .review import CATEGORIES, LIST_HEADERS, CaseForm, ReviewDesk
from .store import VERDICTS

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def build_review(desk: ReviewDesk) -> gr.Blocks:
    def refresh(disliked: bool, refused: bool, since: str, until: str, page=1):
        bad = [d for d in (since, until) if d and not _DAY.match(d.strip())]
        if bad:
            return gr.update(), [], f"**Attention :** date invalide « {bad[0]} » : écrivez AAAA-MM-JJ.", gr.update()
        try:
            shown = desk.page(int(page or 1), disliked=disliked, refused=refused, since=since.strip(),
                              until=until.strip())
        except CoordoError as exc:  # the database is down: say so, keep what is on screen
            return gr.update(), gr.update(), f"**Attention :** {exc}", gr.update()
        ids = [r[0] for r in shown.rows]
        return (gr.update(value=shown.rows or [[""] * len(LIST_HEADERS)]), ids, shown.summary,
                gr.update(value=shown.page, maximum=shown.pages))

    def first_page(disliked: bool, refused: bool, since: str, until: str):
        return refresh(disliked, refused, since, until, 1)

    def turn(step: int):
        def go(disliked, refused, since, until, page):
            return refresh(disliked, refused, since, until, int(page or 1) + step)
        return go

    def select(ids: list, evt: gr.SelectData):
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        no_passages = gr.update(choices=[], value=None)
        if not ids or row >= len(ids):
            return None, "", *(gr.update() for _ in range(5)), "", no_passages, ""
        exchange = desk.store.get(ids[row])
        if exchange is None:
            return None, "<p>Cet échange a été purgé.</p>", *(gr.update() for _ in range(5)), "", no_passages, ""
        form = desk.draft(exchange)
        return (
            exchange.id,
            desk.detail_html(exchange),
            gr.update(value=exchange.verdict or None),
            form.category,
            form.answerable,
            form.evidence,
            form.sources,
            "",
            gr.update(choices=desk.passage_choices(exchange), value=None),
            "",
        )

    def open_passage(current, rank: str | None):
        if current is None or not rank:
            return ""
        exchange = desk.store.get(int(current))
        return desk.passage_view(exchange, rank) if exchange else "<p>Cet échange a été purgé.</p>"

    def save(current, verdict, comment, request: gr.Request):
        if current is None:
            return "**Attention :** choisissez d'abord un échange dans la liste."
        if not verdict:
            return "**Attention :** choisissez un verdict."
        try:
            desk.review(int(current), verdict, comment or "", _who(request))
        except CoordoError as exc:
            return f"**Attention :** revue non enregistrée. {exc}"
        return f"Revue enregistrée pour l'échange n° {current}."

    def make_case(current, verdict, comment, category, answerable, facts, evidence, sources, request: gr.Request):
        if current is None:
            return "**Attention :** choisissez d'abord un échange dans la liste."
        form = CaseForm(category=category, answerable=bool(answerable), expected_facts=facts or "",
                        evidence=evidence or "", sources=sources or "")
        try:
            case = desk.make_case(int(current), form, _who(request), verdict or "", comment or "")
        except DatasetError as exc:
            return "**Attention :** cas non créé :\n" + "\n".join(f"- {p}" for p in exc.problems)
        return f"Cas **{case['id']}** ajouté à `{desk.cases_path}` : relisez-le puis commitez-le."

    with gr.Blocks(title="Coordo — revue des réponses", analytics_enabled=False) as demo:
        ids = gr.State([])
        current = gr.State(None)
        gr.Markdown("## Coordo · revue des réponses")
        with gr.Row():
            disliked = gr.Checkbox(label="Seulement les avis négatifs", elem_id="review-disliked")
            refused = gr.Checkbox(label="Seulement les refus", elem_id="review-refused")
            since = gr.Textbox(label="Du (AAAA-MM-JJ)", max_lines=1)
            until = gr.Textbox(label="Au (AAAA-MM-JJ)", max_lines=1)
            reload = gr.Button("Actualiser", elem_id="review-refresh")
        with gr.Row():
            count = gr.Markdown("", elem_id="review-count")
            previous = gr.Button("‹ Plus récents", size="sm", elem_id="review-previous")
            page = gr.Number(value=1, minimum=1, precision=0, label="Page", elem_id="review-page")
            following = gr.Button("Plus anciens ›", size="sm", elem_id="review-next")
        table = gr.Dataframe(headers=LIST_HEADERS, interactive=False, wrap=True, elem_id="review-list",
                             column_widths=["6%", "14%", "46%", "10%", "6%", "9%", "9%"])
        detail = gr.HTML("<p>Choisissez un échange dans la liste.</p>", elem_id="review-detail")
        passage = gr.Radio([], label="Ouvrir un passage retrouvé dans sa fiche", elem_id="review-passage")
        viewer = gr.HTML("", elem_id="review-sheet-box")
        with gr.Row():
            with gr.Column():
                verdict = gr.Radio([(label, key) for key, label in VERDICTS.items()], label="Verdict",
                                   elem_id="review-verdict")
                comment = gr.Textbox(label="Commentaire de revue", lines=2)
                save_btn = gr.Button("Enregistrer la revue", elem_id="review-save")
            with gr.Column():
                gr.Markdown("**En faire un cas d'évaluation** (schéma de `evals/coordo-qa.jsonl`)")
                category = gr.Dropdown(list(CATEGORIES), label="Catégorie", value="structures")
                answerable = gr.Checkbox(label="Les fiches répondent à la question", value=True)
                facts = gr.Textbox(label="Faits attendus : un par ligne, variantes séparées par |", lines=3,
                                   elem_id="review-facts")
                evidence = gr.Textbox(label="Preuves : citations exactes des fiches, une par ligne", lines=3)
                sources = gr.Textbox(label="Fiches sources (ids, séparés par des virgules)", max_lines=2)
                case_btn = gr.Button("Créer le cas d'évaluation", variant="primary", elem_id="review-make-case")
        status = gr.Markdown("", elem_id="review-status")

        filters = [disliked, refused, since, until]
        listed = [table, ids, count, page]
        for trigger in (reload.click, disliked.change, refused.change, demo.load):
            trigger(first_page, filters, listed, api_visibility="private")
        previous.click(turn(-1), [*filters, page], listed, api_visibility="private")
        following.click(turn(+1), [*filters, page], listed, api_visibility="private")
        page.submit(refresh, [*filters, page], listed, api_visibility="private")
        table.select(select, [ids], [current, detail, verdict, category, answerable, evidence, sources, status,
                                     passage, viewer], api_visibility="private")
        passage.change(open_passage, [current, passage], viewer, api_visibility="private").then(
            None, None, None, js=SCROLL_TO_HIGHLIGHT_JS)
        save_btn.click(save, [current, verdict, comment], status, api_visibility="private").then(
            refresh, [*filters, page], listed, api_visibility="private")
        case_btn.click(make_case, [current, verdict, comment, category, answerable, facts, evidence, sources], status,
                       api_visibility="private").then(refresh, [*filters, page], listed, api_visibility="private")
    return demo


def _who(request: gr.Request | None) -> str:
    return getattr(request, "username", None) or "?"
