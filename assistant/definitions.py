"""What says what a term is: the lines, sentences and table cells that define a structure, an acronym or a notion.

A definition question (« Qu'est-ce que le FIR ? », « C'est quoi, l'exercice coordonné ? ») is answered by
the passage that defines what it names, which often shares few words with the question and loses, in
the ranking, to passages that merely mention the term. Retrieval ranks the defining passages as a list
of their own, and the extractive engine leads with a defining unit; both decide "defines" here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from .acronyms import ACRONYMS, acronyms_in, expand
from .lexical import tokenize
from .question import WHAT_IT_IS, Question
from .schema import Passage
from .text import fold, sentence_spans

# A sentence that says what its subject is, is made of, or does.
DEFINING = re.compile(
    r"\b(?:(?:est|sont)\s+(?:un|une|des|le|la|les|l'|l’|d'|d’|du|ce|cette|constitu\w*|compos\w*|structur\w*|centr\w*|"
    r"n[ée]\w*|issu\w*|destin\w*|port[ée]\w*|charg[ée]\w*|plac[ée]\w*|d[ée]fini\w*|appel[ée]\w*)\b|désigne\w*|se compos\w+|compos[ée]\w*|réuni\w+|rassembl\w+|regroup\w+|constitu\w+|"
    r"vien\w* en appui|permet\w*|structur\w+|s'inscrit|prennent|centrée?s?)\b", re.I)
# The verbs that say what something is, rather than what it does (« … permet », « … vient en appui »).
# (« c'est un moyen de… » says what it is for)
_IS = re.compile(r"\bdésigne\w*|(?<![cC]['’])\b(?:est|sont)\s+(?:un|une|des|l'|l’)\s|\bse d[ée]fini\w*"
                 r"|\bon (?:entend|appelle)\b", re.I)
_SUBJECT_WORDS = 12  # the subject of a defining sentence is in its first words


def says_what_it_is(text: str) -> bool:
    """Whether a defining sentence says what its subject is (« L'exercice coordonné désigne un mode
    d'organisation… »), not only what it does or allows."""
    return bool(_IS.search(text))


def spells_out(text: str, acronym: str) -> bool:
    """Whether a text gives both an acronym and its long form: one the field's acronym list knows (« le FIR
    (fonds d'intervention régional) », a table's « CPTS Communauté Professionnelle Territoriale de Santé »), or
    words whose initials spell it, in brackets after it or before it in brackets (« … de coordination (CLIC) »)."""
    short = re.escape(acronym)
    if re.search(rf"\b{short}\b", text) and any(fold(long) in fold(text) for long in ACRONYMS.get(acronym, ())):
        return True
    after = re.search(rf"\b{short}s?\s*\(([^()]+)\)", text)
    if after and _initials_spell(after.group(1), acronym):
        return True
    before = re.search(rf"\(\s*{short}s?\s*\)", text)
    # the words before the brackets, back to the previous bracket or punctuation
    words = re.split(r"[()\n.;:]", text[: before.start()])[-1] if before else ""
    return _initials_spell(words, acronym)


def _initials_spell(words: str, acronym: str) -> bool:
    """Whether the initials of these words (« Équipe de Soins Primaires ») hold the acronym's letters in
    order, beginning with its first."""
    initials = "".join(w[0] for w in re.findall(r"[a-z0-9]+", fold(words).replace("'", " ")))
    letters = fold(acronym).lower()
    at = initials.find(letters[:1])
    if at < 0:
        return False
    rest = iter(initials[at + 1:])
    return all(letter in rest for letter in letters[1:])


# A glossary entry: an acronym, then its long form (« PTA. Plateformes territoriales d'appui », « CTA : … »).
_GLOSSARY_ENTRY = re.compile(r"^\s*(?:[-•]\s*)?([A-Z][A-Z0-9]{1,7})\s*(?:\.|:|–|—|-)\s+[A-ZÀ-Ý]\w")


def glossary_defines(text: str, acronyms: Sequence[str], term: frozenset[str]) -> bool:
    """Whether a line is the glossary entry of one of the acronyms, or of the term when it is a single
    word the field's acronym list does not know (« Que veut dire PTA ? »)."""
    entry = _GLOSSARY_ENTRY.match(text)
    if not entry:
        return False
    short = entry.group(1)
    return short in acronyms or (not acronyms and bool(term) and set(tokenize(short)) == set(term))


def gives_long_form(context: str, text: str, acronym: str) -> bool:
    """Whether a unit (its text, or its text with its headers) spells an acronym out, or is its glossary entry."""
    return spells_out(context, acronym) or glossary_defines(text, (acronym,), frozenset())


def names_at_start(text: str, acronym: str) -> bool:
    """Whether a sentence names the acronym in its first words (its subject, as a definition does)."""
    return acronym in acronyms_in(" ".join(text.split()[:_SUBJECT_WORDS]))


# A sentence whose subject is a pronoun (« Elles sont investies de… et constituent… »).
_PRONOUN_SUBJECT = re.compile(r"^\W*(?:il|elle|ils|elles|on|cela|ceci)\b", re.I)


def term_is_subject(text: str, term: frozenset[str]) -> bool:
    """Whether a sentence has the term as its subject: all of its words before the first defining verb
    (« L'exercice coordonné désigne… »)."""
    verb = DEFINING.search(text)
    if not verb or not term:
        return False
    subject = text[: verb.start()]
    if _PRONOUN_SUBJECT.match(subject):
        # « Elles sont investies d'une responsabilité populationnelle et constituent… »: the sentence is about
        # what its pronoun stands for, the term is only said of it
        return False
    return len(subject.split()) <= _SUBJECT_WORDS and term <= _words(subject)


# What introduces a term after saying what it is: « … ; on parle d'approche populationnelle », « des plateformes
# comme Omnidoc », « un dispositif appelé … ».
_NAMING = re.compile(r"\bon parle d(?:e |'|’)|\bcomme\s|\btel(?:le)?s? que\s|\bappel[ée]e?s?\s|\bdite?s?\s", re.I)


def term_is_named(text: str, term: frozenset[str]) -> bool:
    """Whether a sentence names the term right after saying what it is (its class, or its description)."""
    for marker in _NAMING.finditer(text):
        following = tokenize(expand(text[marker.end():]))[: len(term) + 1]
        if term and term <= set(following):
            return True
    return False


def sentence_defines(text: str, acronyms: Sequence[str], term: frozenset[str]) -> bool:
    """A line or sentence that spells out one of the acronyms, or says what it (or the term) is."""
    if any(spells_out(text, a) for a in acronyms) or glossary_defines(text, acronyms, term):
        return True
    if acronyms:
        return bool(DEFINING.search(text)) and any(names_at_start(text, a) for a in acronyms)
    return term_is_subject(text, term) or term_is_named(text, term)


def cell_defines(passage: Passage, acronyms: Sequence[str]) -> bool:
    """A table cell of a structure's row that says who makes it up or whom it serves (or a row with no
    attribute: the structure's name spelled out)."""
    attribute = set(tokenize(passage.attribute))
    return any(a in acronyms_in(passage.entity) for a in acronyms) and (not attribute or bool(attribute & WHAT_IT_IS))


def owned_cell(passage: Passage, question: Question) -> bool:
    """A table cell of the structure's row under the column of what a definition question asks of it (« MSP —
    Projet de santé : Obligatoire et évolutif… » for « Qu'est-ce que le projet de santé d'une MSP ? »)."""
    return (bool(question.owner) and question.owner in acronyms_in(passage.entity) and bool(question.defined)
            and question.defined <= set(tokenize(expand(passage.attribute))))


# A sentence that says what its section's heading names, without naming it (« Les protocoles de coopération » /
# « Cela consiste à… », « Les dispositifs d'appui à la coordination » / « Ces dispositifs viennent en appui… »).
_HEADING_SUBJECT = re.compile(r"^\s*(?:[-•]\s*)?(?:Cela consiste|Ceci consiste|Il s'agit|Ces? \w+|Cette \w+|Ils|Elles)\b")


def heading_defines(passage: Passage, text: str, question: Question, term: frozenset[str], loose: bool = False) -> bool:
    """Whether a sentence says what its section's heading names, and the heading names what is asked (the
    question's acronym, or ``term``); ``loose``: or only names it among its first words."""
    if not passage.section or passage.kind.startswith("table"):
        return False
    heading = passage.section[-1]
    if not _names(heading, question.defined_acronyms, term):
        return False
    if _HEADING_SUBJECT.match(text):
        return bool(DEFINING.search(text) or re.search(r"\bconsiste\b", text))
    # « ZOOM SUR CARDIO+ » / « Les Equipes de Soins Spécialisés en Cardiologie CARDIO+ sont déployées… »: under
    # a heading that names the term, the sentence that names it among its first words says what it is
    return loose and _names(" ".join(text.split()[:_SUBJECT_WORDS]), question.defined_acronyms, term)


def _names(text: str, acronyms: Sequence[str], term: frozenset[str]) -> bool:
    """Whether a text names one of the acronyms, or (with no acronym) all of the term's words."""
    if acronyms:
        return bool(set(acronyms) & _acronyms(text))
    return bool(term) and term <= _words(text)


# A passage's headings and first words are read again for each sentence and each rule: read once.
@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokenize(expand(text)))


@lru_cache(maxsize=4096)
def _acronyms(text: str) -> frozenset[str]:
    return frozenset(acronyms_in(text))


def defines(passage: Passage, text: str, question: Question, term: frozenset[str] | None = None,
            loose: bool = False) -> bool:
    """Whether ``text`` (a sentence or line of ``passage``, or one of its lines) defines what the definition
    question names (or ``term``, one of its :attr:`~Question.defined_heads`), or the passage does, as a cell of
    the structure's row that says who makes it up or whom it serves, or what the question asks of the structure
    (:func:`owned_cell`). ``loose``: a sentence that names the term first under a heading that names it counts too
    (:func:`heading_defines`)."""
    if passage.kind == "table_cell" and (
            cell_defines(passage, question.defined_acronyms) or owned_cell(passage, question)):
        return True
    term = question.defined if term is None else term
    lines = [line for line in text.splitlines() if line.strip()]
    pieces = [text, *lines] if len(lines) > 1 else [text]  # a list item, with the sentence that introduces it
    return any(sentence_defines(piece, question.defined_acronyms, term)
               or heading_defines(passage, piece, question, term, loose) for piece in pieces)


@dataclass(frozen=True)
class Rule:
    """What counts as defining a definition question's term: the term itself or a shorter one it narrows, and
    whether the loose reading of :func:`heading_defines` applies."""
    term: frozenset[str]
    loose: bool = False


def definition_rule(question: Question, defined: Callable[[Rule], bool],
                    said: Callable[[Rule], bool] = lambda rule: False) -> Rule:
    """The first rule under which something defines the question's term (``defined``), strictest first: the
    term it names; then the shorter terms it narrows (« exercice coordonné pluriprofessionnel », which no sheet
    defines, is answered with what « exercice coordonné » is), the first whose definition says what it is
    (``said``: « … désigne un mode d'organisation ») before the first that only says what it does (« exercice
    coordonné des soins… permet… » for « exercice coordonné en soins primaires »); then the term named first
    under a heading that names it (« ZOOM SUR CARDIO+ »)."""
    strict, heads = Rule(question.defined), [Rule(h) for h in question.defined_heads]
    if defined(strict):
        return strict
    rules = [*(h for h in heads if said(h)), *heads, Rule(question.defined, loose=True)]
    return next((r for r in rules if defined(r)), strict)


def _pieces(passage: Passage) -> list[str]:
    """A passage's sentences and lines: a line may spell an acronym out across a full stop (« FIR. Fonds
    d'intervention régional »)."""
    body = passage.body
    return [body[start:end] for start, end in sentence_spans(body)] + body.splitlines()


def passage_defines(passage: Passage, question: Question, rule: Rule | None = None) -> bool:
    """Whether any sentence or line of the passage (or the passage, as a table cell) defines what the
    definition question names (under ``rule``)."""
    rule = rule or Rule(question.defined)
    return any(defines(passage, piece, question, rule.term, rule.loose) for piece in _pieces(passage))


def passage_says_what_it_is(passage: Passage, question: Question, rule: Rule | None = None) -> bool:
    """Whether a sentence or line of the passage defines what the question names (under ``rule``) by saying
    what it is (« … désigne … », « … est un … »), not only what it does."""
    rule = rule or Rule(question.defined)
    return any(says_what_it_is(piece) and defines(passage, piece, question, rule.term, rule.loose)
               for piece in _pieces(passage))
