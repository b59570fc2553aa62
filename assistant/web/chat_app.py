"""The physicians' chat and the « Fiches » page, as Gradio Blocks around :class:`ChatService`.

Nothing here launches on import: :func:`build_chat` returns the Blocks; ``coordo serve`` mounts them.
"""

from __future__ import annotations

import logging
import time
import uuid

import gradio as gr

from ..errors import CoordoError
from ..schema import Searched, Turn
from . import render
from .limits import TooManyRequests
from .service import ChatService, Failure, Reply
from .validation import (InvalidRequest, check_comment, check_exchange_id, check_question, check_session_id,
                         check_text, check_vote, parse_history)

log = logging.getLogger(__name__)
# while the model writes, the chat is redrawn at most this often: each redraw sends the whole conversation to
# the browser and re-renders it there, work that competes with the model for the same cores
STREAM_INTERVAL_S = 0.25
UNEXPECTED = "Erreur inattendue : la demande n'a pas pu être traitée. Réessayez dans un instant."

EXAMPLE_QUESTIONS = (
    "Combien une CPTS peut-elle percevoir au titre de l'ACI ?",
    "Quelles professions faut-il pour créer une MSP ?",
    "Qu'est-ce qu'un DAC ?",
    "Qui contacter pour un projet d'ESP en Occitanie ?",
)
WELCOME = (
    "**Coordo** répond à vos questions sur l'exercice coordonné (MSP, CPTS, ESP, ESS, centres de santé, DAC, "
    "ESCAP) à partir des fiches officielles, en citant les passages exacts. Choisissez une question ou écrivez la vôtre."
)


def _new_state() -> dict:
    # per browser tab (gr.State): the session id that owns this conversation's exchanges in the store
    return {"session": uuid.uuid4().hex, "turns": [], "by_message": {}, "citations": {}, "voted": None}


def _retrieved_items(searched: Searched, service: ChatService) -> list[dict]:
    sheets = service.sheets
    items = []
    for r in searched.retrieved:
        meta = sheets.get(r.passage.sheet_id)
        items.append({
            "title": meta.title if meta else r.passage.sheet_id,
            "date": meta.date_label if meta else "",
            "section": list(r.passage.section),
            "kind": r.passage.kind,
            "entity": r.passage.entity,
            "attribute": r.passage.attribute,
            "text": r.passage.body,
        })
    return items


def _example_text(data: gr.SelectData) -> str:
    value = data.value
    return value.get("text", "") if isinstance(value, dict) and isinstance(value.get("text", ""), str) else ""


def _address(request: gr.Request | None) -> str | None:
    client = getattr(request, "client", None)
    return getattr(client, "host", None)


def build_chat(service: ChatService) -> gr.Blocks:
    fields = service.fields

    def respond(question: str, messages: list, state: dict | None, request: gr.Request):
        state = state or _new_state()
        open('/tmp/s4/ev.log','a').write(f"{time.time():.3f} respond\n")
        question = question if isinstance(question, str) else ""
        try:
            check_text(question, "question", None)  # emptiness and length: the service says it, the box keeps it
            service.limits.admit_question(state["session"], _address(request))
        except (InvalidRequest, TooManyRequests) as exc:
            # the question stays in the box, unless it is not text at all (it could not be shown)
            kept = "" if isinstance(exc, InvalidRequest) else question
            messages = list(messages or []) + [{"role": "user", "content": render.user_message(kept) or "…"},
                                               {"role": "assistant", "content": f"**Attention :** {escape(str(exc))}"}]
            yield messages, kept, gr.update(), gr.update(), state
            return
        messages = list(messages or []) + [
            {"role": "user", "content": render.user_message(question)},
            {"role": "assistant", "content": "_Recherche dans les fiches…_"},
        ]
        yield messages, "", gr.update(), gr.update(), state
        written, shown_at = "", 0.0
        # the conversation is kept server-side (gr.State); only its last turns are needed to follow up
        history = [Turn(t["role"], t["content"]) for t in state["turns"]][-fields.history_turns:]
        for event in service.stream(state["session"], question, history):
            if isinstance(event, Searched):
                panel = render.retrieved_panel(_retrieved_items(event, service), event.covered)
                messages[-1] = {"role": "assistant", "content": "_Rédaction de la réponse…_"}
                yield messages, "", panel, gr.update(choices=[], value=None), state
            elif isinstance(event, str):
                written += event
                now = time.monotonic()
                if now - shown_at >= STREAM_INTERVAL_S:  # the first piece shows at once
                    shown_at = now
                    messages[-1] = {"role": "assistant", "content": render.shown(written) + " ▍"}
                    yield messages, "", gr.update(), gr.update(), state
            elif isinstance(event, Reply):
                answer = event.answer.to_dict()
                messages[-1] = {"role": "assistant", "content": render.answer_message(answer)}
                state["by_message"][str(len(messages) - 1)] = event.exchange_id
                state["citations"][str(event.exchange_id)] = answer["citations"]
                state["turns"] += [{"role": "user", "content": question}, {"role": "assistant", "content": answer["answer"]}]
                choices = [(render.source_label(c), f"{event.exchange_id}:{c['marker']}") for c in answer["citations"]]
                yield messages, "", render.sources_panel(answer["citations"]), gr.update(choices=choices, value=None), state
            elif isinstance(event, Failure):
                # the question goes back into the box, so nothing typed is lost
                messages[-1] = {"role": "assistant", "content": f"**Attention :** {render.shown(event.message)}"}
                yield messages, question, gr.update(), gr.update(), state

    def open_source(choice: str | None, state: dict | None):
        if not isinstance(choice, str) or not state:
            return gr.update()
        exchange_id, _, marker = choice.partition(":")
        citation = next((c for c in state["citations"].get(exchange_id, []) if str(c["marker"]) == marker), None)
        meta = service.sheets.get(citation["sheet_id"]) if citation else None
        if meta is None:
            return gr.update()
        return render.sheet_view(meta, service.sheet_text(citation["sheet_id"]), citation["start"], citation["end"])

    def on_like(state: dict | None, data: gr.LikeData, request: gr.Request):
        if not state:
            return gr.update(), gr.update(), gr.update(), state
        index = data.index if isinstance(data.index, int) else (data.index or [None])[0]
        exchange_id = state["by_message"].get(str(index))
        if exchange_id is None:
            return gr.update(), gr.update(), gr.update(), state
        vote = "up" if data.liked is True else "down" if data.liked is False else None
        try:
            service.limits.admit_feedback(state["session"], _address(request))
        except TooManyRequests as exc:
            return gr.update(visible=False), gr.update(), f"**Attention :** {escape(str(exc))}", state
        try:
            service.feedback(state["session"], exchange_id, vote)
        except CoordoError as exc:  # the database is down: say the vote is not recorded, never pretend it is
            state["voted"] = None
            return gr.update(visible=False), gr.update(), f"**Attention :** avis non enregistré. {escape(str(exc))}", state
        state["voted"] = (exchange_id, vote) if vote else None
        shown = {"up": "positif", "down": "négatif"}.get(vote)
        return (
            gr.update(visible=bool(vote)),
            gr.update(value="", label=f"Avis {shown} enregistré — un commentaire ? (facultatif)"),
            "",
            state,
        )

    def send_comment(comment: str, state: dict | None, request: gr.Request):
        if not state or not state.get("voted"):
            return gr.update(), "Choisissez d'abord « J'aime » ou « Je n'aime pas » sur une réponse."
        exchange_id, vote = state["voted"]
        try:
            comment = check_comment(comment, fields)
            service.limits.admit_feedback(state["session"], _address(request))
        except (InvalidRequest, TooManyRequests) as exc:
            return gr.update(), f"**Attention :** {escape(str(exc))}"  # the comment stays in its box
        try:
            service.feedback(state["session"], exchange_id, vote, comment)
        except CoordoError as exc:  # the comment stays in its box, to send again
            return gr.update(), f"**Attention :** commentaire non enregistré. {escape(str(exc))}"
        return gr.update(visible=False), "Merci, votre commentaire est enregistré."

    def new_conversation():
        return [], "", render.sources_panel([]), gr.update(choices=[], value=None), "", _new_state(), gr.update(visible=False), ""

    def show_sheet(sheet_id: str | None):
        meta = service.sheets.get(sheet_id) if isinstance(sheet_id, str) else None
        return render.sheet_view(meta, service.sheet_text(sheet_id)) if meta else ""

    def ask_api(question: str, history: str = "[]", session_id: str = "", request: gr.Request = None) -> dict:
        """Answer one question (history: JSON list of {role, content}); returns the answer with its citations."""
        session = ""
        try:
            # every field is checked before any work: a refused request costs nothing and stores nothing
            session = check_session_id(session_id, fields) or f"api-{uuid.uuid4().hex}"
            question = check_question(question, fields)
            turns = parse_history(history, fields)
            service.limits.admit_question(session, _address(request))
            result = service.ask(session, question, turns)
        except (InvalidRequest, TooManyRequests) as exc:
            return {"session_id": session, "error": str(exc)}
        except Exception as exc:  # never a traceback: its message could hold what the client sent
            log.error("/ask failed: %s (request not logged)", type(exc).__name__)
            return {"session_id": session, "error": UNEXPECTED}
        if isinstance(result, Failure):
            return {"session_id": session, "error": result.message}
        return {"session_id": session, "exchange_id": result.exchange_id, **result.answer.to_dict()}

    def feedback_api(session_id: str, exchange_id: str, vote: str, comment: str = "",
                     request: gr.Request = None) -> dict:
        """Record 👍 ("up") or 👎 ("down") with an optional comment on an answer of this session ("" withdraws)."""
        try:
            session = check_text(session_id, "session_id", fields.session_id_chars)
            exchange = check_exchange_id(exchange_id)
            vote = check_vote(vote)
            comment = check_comment(comment, fields)
            service.limits.admit_feedback(session, _address(request))
            ok = service.feedback(session, exchange, vote, comment)
        except (InvalidRequest, TooManyRequests) as exc:
            return {"recorded": False, "error": str(exc)}
        except CoordoError as exc:  # the database is down
            return {"recorded": False, "error": str(exc)}
        except Exception as exc:
            log.error("/feedback failed: %s (request not logged)", type(exc).__name__)
            return {"recorded": False, "error": UNEXPECTED}
        return {"recorded": ok}

    sheets = service.sheets
    counts = service.passage_counts()
    with gr.Blocks(title="Coordo — exercice coordonné", analytics_enabled=False) as demo:
        state = gr.State(None)
        gr.Markdown("## Coordo · exercice coordonné en soins primaires")
        with gr.Tab("Questions", id="chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        elem_id="coordo-chat",
                        height=560,
                        placeholder=WELCOME,
                        examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
                        feedback_options=("Like", "Dislike"),
                        sanitize_html=True,
                        buttons=["copy"],
                    )
                    with gr.Row(visible=False, equal_height=True) as comment_row:
                        comment = gr.Textbox(label="Commentaire (facultatif)", elem_id="coordo-comment", lines=1,
                                             max_lines=6, scale=5)
                        send_comment_btn = gr.Button("Envoyer le commentaire", size="sm", scale=1,
                                                     elem_id="coordo-send-comment")
                    comment_status = gr.Markdown("", elem_id="coordo-comment-status")
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Votre question, p. ex. « Et pour une MSP ? » après une question sur les CPTS",
                            show_label=False, lines=1, max_lines=6, scale=5, elem_id="coordo-question",
                        )  # no max_length: the browser would cut a long paste silently; the server says why instead
                        send = gr.Button("Envoyer", variant="primary", scale=1, elem_id="coordo-send")
                    new = gr.Button("Nouvelle conversation", size="sm", elem_id="coordo-new")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(render.sources_panel([]), elem_id="coordo-sources")
                    choose = gr.Radio([], label="Ouvrir une source dans sa fiche", elem_id="coordo-choose")
                    viewer = gr.HTML("", elem_id="coordo-sheet-box")
        with gr.Tab("Fiches", id="sheets"):
            gr.Markdown("Les fiches sur lesquelles Coordo s'appuie, avec leur date : lisez-les en entier.")
            gr.Dataframe(
                value=[[m.title, m.publisher, m.region, m.date_label, counts.get(k, 0)] for k, m in sorted(sheets.items())],
                headers=["Fiche", "Éditeur", "Région", "Date", "Passages"],
                interactive=False, wrap=True, elem_id="coordo-sheet-list",
            )
            pick = gr.Dropdown([(m.title, k) for k, m in sorted(sheets.items())], label="Lire une fiche", value=None,
                               elem_id="coordo-pick-sheet")
            full = gr.HTML("", elem_id="coordo-sheet-full")

        outputs = [chatbot, question, sources, choose, state]
        for trigger in (question.submit, send.click):
            trigger(respond, [question, chatbot, state], outputs, api_visibility="private", show_progress="hidden")
        chatbot.example_select(_example_text, None, question, api_visibility="private").then(
            respond, [question, chatbot, state], outputs, api_visibility="private", show_progress="hidden"
        )
        choose.change(open_source, [choose, state], viewer, api_visibility="private").then(
            None, None, None, js=render.SCROLL_TO_HIGHLIGHT_JS
        )
        chatbot.like(on_like, [state], [comment_row, comment, comment_status, state], api_visibility="private")
        send_comment_btn.click(send_comment, [comment, state], [comment_row, comment_status], api_visibility="private")
        comment.submit(send_comment, [comment, state], [comment_row, comment_status], api_visibility="private")
        reset = [chatbot, question, sources, choose, viewer, state, comment_row, comment_status]
        new.click(new_conversation, None, reset, api_visibility="private")
        chatbot.clear(new_conversation, None, reset, api_visibility="private")
        pick.change(show_sheet, pick, full, api_visibility="private")
        gr.api(ask_api, api_name="ask")
        gr.api(feedback_api, api_name="feedback")
    return demo
