"""The evaluation dataset: one JSON object a line, validated with line numbers."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..schema import Turn
from ..text import normalize_for_match

FIELDS = ("id", "category", "question", "history", "answerable", "expected_facts", "evidence", "sources")
# Optional fields: ``origin`` is where a question collected outside the project was found (a page's address).
OPTIONAL_FIELDS = ("origin",)


@dataclass(frozen=True)
class EvalCase:
    id: str
    category: str
    question: str
    history: tuple[Turn, ...] = ()
    answerable: bool = True
    expected_facts: tuple[tuple[str, ...], ...] = ()
    evidence: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    origin: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        if not self.origin:
            del d["origin"]
        d["history"] = [{"role": t.role, "content": t.content} for t in self.history]
        d["expected_facts"] = [list(g) for g in self.expected_facts]
        d["evidence"], d["sources"] = list(self.evidence), list(self.sources)
        return d


class DatasetError(ValueError):
    """Every problem found in a dataset file, each with its line number."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problème(s)\n" + "\n".join(problems))


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` ignoring case, accents, punctuation and spacing; whole numbers only."""
    n = normalize_for_match(needle)
    if not n:
        return False
    return re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", normalize_for_match(haystack)) is not None


def _case(raw: dict, where: str, sheet_texts: dict[str, str] | None) -> tuple[EvalCase | None, list[str]]:
    problems = []
    missing = [k for k in FIELDS if k not in raw]
    extra = [k for k in raw if k not in FIELDS and k not in OPTIONAL_FIELDS]
    if missing:
        problems.append(f"{where}: champs manquants {missing}")
    if extra:
        problems.append(f"{where}: champs inconnus {extra}")
    if missing:
        return None, problems
    checks = [
        (isinstance(raw["id"], str) and raw["id"].strip(), "id doit être une chaîne non vide"),
        (isinstance(raw["category"], str) and raw["category"].strip(), "category doit être une chaîne non vide"),
        (isinstance(raw["question"], str) and raw["question"].strip(), "question doit être une chaîne non vide"),
        (isinstance(raw["answerable"], bool), "answerable doit être true ou false"),
        (isinstance(raw["history"], list) and all(
            isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
            and set(t) == {"role", "content"} for t in raw["history"]), "history : liste de {role: user|assistant, content}"),
        (isinstance(raw["expected_facts"], list) and all(
            isinstance(g, list) and g and all(isinstance(v, str) and v.strip() for v in g)
            for g in raw["expected_facts"]), "expected_facts : liste de listes de chaînes non vides"),
        (isinstance(raw["evidence"], list) and all(isinstance(e, str) and e.strip() for e in raw["evidence"]),
         "evidence : liste de chaînes"),
        (isinstance(raw["sources"], list) and all(isinstance(s, str) for s in raw["sources"]), "sources : liste d'ids"),
        ("origin" not in raw or (isinstance(raw["origin"], str) and raw["origin"].startswith(("http://", "https://"))),
         "origin : l'adresse (http…) de la page d'où vient la question"),
    ]
    problems += [f"{where}: {message}" for ok, message in checks if not ok]
    if problems:
        return None, problems
    if raw["answerable"] and (not raw["expected_facts"] or not raw["evidence"] or not raw["sources"]):
        problems.append(f"{where}: une question answerable demande expected_facts, evidence et sources")
    if sheet_texts is not None:
        unknown = [s for s in raw["sources"] if s not in sheet_texts]
        if unknown:
            problems.append(f"{where}: fiche(s) inconnue(s) {unknown}")
        else:
            for snippet in raw["evidence"]:
                if not any(contains(sheet_texts[s], snippet) for s in raw["sources"]):
                    problems.append(f"{where}: evidence introuvable dans {raw['sources']} : « {snippet[:70]} »")
    case = EvalCase(
        id=raw["id"],
        category=raw["category"],
        question=raw["question"],
        history=tuple(Turn(t["role"], t["content"]) for t in raw["history"]),
        answerable=raw["answerable"],
        expected_facts=tuple(tuple(g) for g in raw["expected_facts"]),
        evidence=tuple(raw["evidence"]),
        sources=tuple(raw["sources"]),
        origin=raw.get("origin", ""),
    )
    return case, problems


def load_dataset(path: Path, sheet_texts: dict[str, str] | None = None) -> list[EvalCase]:
    """Read and validate a dataset; with ``sheet_texts``, evidence must be found in the named sheets.

    Raises:
        DatasetError: listing every malformed line, unknown sheet id or missing evidence.
    """
    if not path.exists():
        raise DatasetError(path, [f"{path}: fichier introuvable"])
    cases, problems, seen = [], [], set()
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"ligne {line_no}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: JSON invalide ({exc.msg})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: un objet JSON est attendu")
            continue
        case, found = _case(raw, where, sheet_texts)
        problems += found
        if case:
            if case.id in seen:
                problems.append(f"{where}: id en double {case.id!r}")
            seen.add(case.id)
            cases.append(case)
    if problems:
        raise DatasetError(path, problems)
    if not cases:
        raise DatasetError(path, [f"{path}: aucune question"])
    return cases


def validate_case(raw: dict, sheet_texts: dict[str, str] | None = None) -> list[str]:
    """The problems of one case in the dataset's schema (empty when it is valid)."""
    return _case(raw, "cas", sheet_texts)[1]


def append_case(path: Path, raw: dict, sheet_texts: dict[str, str] | None = None) -> None:
    """Append one valid case to a JSONL file (created if needed), refusing an id already there.

    Raises:
        DatasetError: the case is invalid or its id is taken.
    """
    problems = validate_case(raw, sheet_texts)
    taken = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                taken.add(json.loads(line).get("id"))
            except (json.JSONDecodeError, AttributeError):
                continue
    if raw.get("id") in taken:
        problems.append(f"cas: id déjà présent dans {path.name} : {raw['id']!r}")
    if problems:
        raise DatasetError(path, problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({k: raw[k] for k in (*FIELDS, *OPTIONAL_FIELDS) if k in raw}, ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(line)
        out.flush()
        os.fsync(out.fileno())
