"""Pure text helpers shared by chunking, retrieval and answer checks."""

from __future__ import annotations

import re
import unicodedata

_MARKUP = [
    (re.compile(r"<ul[^>]*>|</ul>|</?u>|</?b>|</?i>|</?strong>|</?em>", re.I), ""),
    (re.compile(r"\s*■\s*"), " • "),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)]+)\)"), r"\1 (\2)"),
    (re.compile(r"\[([^\]]+)\]\(#?\)"), r"\1"),
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),
    (re.compile(r"\*\*"), ""),
    (re.compile(r"(?<!\w)\*([^*\n]+)\*(?!\w)"), r"\1"),
    (re.compile(r"\s*\^\{([^}]*)\}"), r"\1"),
]
_SPACES = re.compile(r"[ \u00a0\u202f]+")


def clean_markup(raw: str) -> str:
    """Readable text of a raw source span: markdown/HTML marks removed, tabs as separators."""
    text = raw
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    text = text.replace("\t", " | ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    text = re.sub(r"^(\s*\|\s*)+|(\s*\|\s*)+$", "", text)
    text = re.sub(r"(\s*\|\s*){2,}", " | ", text)
    return text.strip(" •")


# Typography that people paste from web pages and word processors, in its plain form.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'", "\u00a0": " ", "\u202f": " ",
                             "\u2009": " ", "–": "-", "‑": "-", "“": '"', "”": '"'})


def plain_typography(text: str) -> str:
    """The text with typographic apostrophes, dashes, quotes and spaces written plainly (« Qu’est-ce
    qu’une MSP ? » reads as « Qu'est-ce qu'une MSP ? »)."""
    return text.translate(_TYPOGRAPHY)


def fold(text: str) -> str:
    """Lower case without accents; ligatures opened (œ → oe)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?![\d])")


def normalize_for_match(text: str) -> str:
    """Fold, drop punctuation and collapse spaces, keeping digit groups together (287 500 → 287500)."""
    text = fold(text)
    text = _THOUSANDS.sub(lambda m: re.sub(r"\D", "", m.group(0)), text)
    text = re.sub(r"[^\w%€]+", " ", text)
    return " ".join(text.split())


_SENTENCE_END = re.compile(r"(?<=[.!?;])(?<![-\s]\d\.)(?<![-\s]\d\d\.)\s+(?=[«\"(A-ZÀ-Ý0-9•-])|\n+")


def sentence_spans(raw: str) -> list[tuple[int, int]]:
    """Offsets of sentences (and list lines) in ``raw``, trimmed of spaces."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(raw):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(raw)))
    out = []
    for s, e in spans:
        while s < e and raw[s].isspace():
            s += 1
        while e > s and raw[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


_FIGURE = re.compile(
    r"(?<![\w/])(?:\+33\s?)?\d{1,3}(?:[ \u00a0\u202f.]\d{2,3})+(?:,\d+)?(?!\d)"  # 287 500, 06 84 50 06 40
    r"|(?<![\w/])\d+(?:[.,/]\d+)*(?:\s?%)?"  # 2022, 47,68 %, 01/11/2025
)


def figures(text: str) -> list[str]:
    """Numbers that carry facts (amounts, dates, percentages, phones), as digit strings.

    Single digits are left out: they are list numbers and sizes more often than facts.
    """
    digits = (re.sub(r"\D", "", m.group(0)) for m in _FIGURE.finditer(text))
    return [d for d in digits if len(d) >= 2]


def figure_set(text: str) -> set[str]:
    """Every digit string a text supports: whole figures, their integer parts and each digit run."""
    found = set(re.findall(r"\d+", text))
    for m in _FIGURE.finditer(text):
        token = m.group(0)
        found.add(re.sub(r"\D", "", token))
        found.add(re.sub(r"\D", "", token.split(",")[0]))
    return {f for f in found if f}


def is_valid_unicode(text: str) -> bool:
    """False when ``text`` holds lone surrogates.

    They stand for bytes that were not UTF-8 (a terminal in another encoding, a truncated paste:
    Python decodes such command-line arguments to U+DC80–U+DCFF) or for a broken ``\\ud800``
    escape in JSON. No model, database or page can take them, so they are refused at the boundary.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
