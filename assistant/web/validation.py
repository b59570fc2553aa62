"""What the web API accepts: every field checked for type, size and valid text before any work.

Each check raises :class:`InvalidRequest` with one French message that never repeats the value sent
(it may hold a patient's details, or megabytes). Nothing here logs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..errors import CoordoError, InvalidQuestion
from ..pipeline import validate_question
from ..schema import Turn

ROLES = ("user", "assistant")
FEEDBACK_VOTES = ("up", "down")
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_HISTORY_SHAPE = 'une liste JSON de tours {"role": "user" ou "assistant", "content": "texte"}'


class InvalidRequest(CoordoError):
    """A request the web API refuses before doing anything with it (shown to the caller as is)."""

    exit_code = 2


@dataclass(frozen=True)
class FieldLimits:
    """Sizes the web API accepts, from :class:`Settings`."""

    question_chars: int
    history_turns: int
    turn_chars: int
    comment_chars: int
    session_id_chars: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "FieldLimits":
        return cls(settings.max_question_chars, settings.max_history_turns, settings.max_turn_chars,
                   settings.max_comment_chars, settings.max_session_id_chars)


def check_text(value: Any, field: str, max_chars: int | None) -> str:
    """``value`` if it is a string of at most ``max_chars`` characters (None: any) that is valid Unicode text."""
    if not isinstance(value, str):
        raise InvalidRequest(f"Requête invalide : « {field} » doit être du texte.")
    if max_chars is not None and len(value) > max_chars:
        raise InvalidRequest(f"« {field} » trop long ({len(value)} caractères, maximum {max_chars}) : raccourcissez-le.")
    try:
        value.encode("utf-8")  # a lone surrogate ("\ud800", valid JSON) is not text and cannot be stored
    except UnicodeEncodeError:
        raise InvalidRequest(f"Texte invalide dans « {field} » : il contient des caractères qui ne sont pas du texte "
                             "(UTF-8 invalide).") from None
    if "\x00" in value:
        raise InvalidRequest(f"Texte invalide dans « {field} » : il contient un caractère nul.")
    return value


def check_question(value: Any, limits: FieldLimits) -> str:
    """The question as the pipeline checks it (not empty, not too long: same messages), and valid text."""
    text = check_text(value, "question", None)
    try:
        validate_question(text, limits.question_chars)
    except InvalidQuestion as exc:
        raise InvalidRequest(str(exc)) from None
    return text


def check_session_id(value: Any, limits: FieldLimits) -> str:
    """An API caller's session id: empty (a new one is made) or letters, digits, ``-`` and ``_``."""
    if value is None or value == "":
        return ""
    text = check_text(value, "session_id", limits.session_id_chars)
    if not _SESSION_ID.match(text):
        raise InvalidRequest("Requête invalide : « session_id » ne peut contenir que des lettres sans accent, "
                             "des chiffres, « - » et « _ ».")
    return text


def check_comment(value: Any, limits: FieldLimits) -> str:
    return check_text("" if value is None else value, "comment", limits.comment_chars)


def check_vote(value: Any) -> str | None:
    """"up", "down", or None (also for "") to withdraw the vote."""
    if value is None or value == "":
        return None
    if value not in FEEDBACK_VOTES:
        raise InvalidRequest("Requête invalide : « vote » doit valoir \"up\" (👍), \"down\" (👎) ou rien (retrait).")
    return value


def check_exchange_id(value: Any) -> str:
    """An exchange id as /ask gives it: a public id of 32 hexadecimal digits."""
    if not (isinstance(value, str) and len(value) == 32 and all(c in "0123456789abcdef" for c in value)):
        raise InvalidRequest("Requête invalide : « exchange_id » doit être l'identifiant d'échange renvoyé par /ask.")
    return value


def parse_history(raw: Any, limits: FieldLimits) -> list[Turn]:
    """The conversation before a question, from the API's ``history``: JSON text (or an already decoded list).

    Raises:
        InvalidRequest: not a list of at most ``history_turns`` turns, each with a role in ``user``/``assistant``
            and a ``content`` string of at most ``turn_chars`` characters.
    """
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        # the whole JSON text is bounded before decoding: a turn's text may take 6 bytes a character (\\uXXXX)
        check_text(raw, "history", limits.history_turns * (limits.turn_chars * 6 + 64) + 2)
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise InvalidRequest(f"Requête invalide : « history » doit être {_HISTORY_SHAPE}.") from None
    if not isinstance(raw, list):
        raise InvalidRequest(f"Requête invalide : « history » doit être {_HISTORY_SHAPE}.")
    if len(raw) > limits.history_turns:
        raise InvalidRequest(f"Historique trop long ({len(raw)} tours, maximum {limits.history_turns}) : "
                             "n'envoyez que les derniers tours de la conversation.")
    turns = []
    for n, turn in enumerate(raw, start=1):
        if not isinstance(turn, dict) or "content" not in turn or turn.get("role") not in ROLES:
            raise InvalidRequest(f"Requête invalide : le tour n° {n} de « history » n'est pas de la forme "
                                 '{"role": "user" ou "assistant", "content": "texte"}.')
        turns.append(Turn(turn["role"], check_text(turn["content"], f"history, tour n° {n}", limits.turn_chars)))
    return turns
