"""Who does what: « Qui finance les centres de santé ? », « Par qui une ESS est-elle validée ? », « Qui est à
l'initiative d'une CPTS ? ».

Such a question asks for the doer of one action (financer, valider, piloter). It is answered by a passage that
states that action and names someone (« Remboursement des actes par l'Assurance-maladie », « Pilotées par les
libéraux », « Validation ARS & AM »): retrieval ranks those passages as a list of their own, and the extractive
engine answers with the units that state the action, those naming someone first. Both sides are decided here:
the action a question asks the doer of, and whether a text names a doer of it.

A passage that does not state the action is not taken as a sign that the sheets do not say who does it: on
questions written outside this project, that refusal was wrong three times out of four (the sheets name the doer
with other words than the question's verb).
"""

from __future__ import annotations

import re

from .acronyms import STRUCTURES, acronyms_in
from .glossary import french_terms
from .lexical import tokenize

# « Qui finance… », « Mais qui valide… », « Par qui… »; « Qui peut adhérer… » (members) and « Qui
# m'accompagne… » (helpers) are decided before, by their own answer types.
_WHO = re.compile(r"^\s*(?:(?:et|mais|alors|donc)\s+)?(?:par\s+)?qui\s+(?P<rest>[^?]*)", re.I)
# « Who manages the FIR? », « Who can validate an ESS? »: the verb, read in French through the glossary.
_WHO_EN = re.compile(r"^\s*who\s+(?:(?:does|do|can|could|will|should|must|may)\s+)?(?P<verb>[a-z]+)", re.I)
_WORD = re.compile(r"[\wÀ-ÿ]+(?:'[\wÀ-ÿ]+)?")
# Words between « qui » and its verb: auxiliaries, modals, pronouns and articles (« qui est à l'initiative »,
# « qui peut créer », « qui s'en occupe »).
_BEFORE_ACTION = frozenset(
    "est sont a ont sera seront peut peuvent pourrait doit doivent va vont se s' en y le la les l' lui leur à au "
    "aux de d' du des un une m' me nous vous".split())
# Verbs that carry little of the action: their object names it too (« qui décide de la validation », « qui est à
# l'initiative de la création »).
_LIGHT = frozenset(tokenize("décide décident décider occupe occupent occuper chargé chargée chargés charge responsable "
                            "initiative assure assurent assurer prend prennent prendre"))
# The participle of a passive question (« Par qui une ESS est-elle validée ? »).
_PARTICIPLE = re.compile(r"\b(?:est|sont|sera|seront|a été|ont été)(?:-t)?(?:-(?:il|elle|ils|elles|on))?\s+([\wÀ-ÿ]+)",
                         re.I)
# Nouns of the same action that the stemmer does not bring to the verb's stem (gérer → gestion, signer →
# signature): French morphology, not any sheet's wording.
_NOUNS = {stem: frozenset(tokenize(nouns)) for stem, nouns in (
    (tokenize("gère")[0], "gestion gestionnaire gestionnaires"),
    (tokenize("signe")[0], "signature signataire signataires contrat"),
    (tokenize("préside")[0], "président présidente présidence présidée"),
    (tokenize("paie")[0], "paiement financement"),
    (tokenize("emploie")[0], "employeur salarié salariés salarier"),
    (tokenize("décide")[0], "décision"),
    (tokenize("porte")[0], "porteur porteurs portage"),
    (tokenize("attribue")[0], "attribution"),
    (tokenize("recrute")[0], "recrutement"),
)}
# Verbs that name one action of the field: whoever finances an ESP is who pays it or grants it its FIR; whoever
# validates a project approves it. « payer » is left out: its stem is that of « Pays d'Auray ».
_SAME_ACTION = tuple(frozenset(tokenize(words)) for words in (
    "finance financent financer financement verse versent verser versement paie paient rémunère "
    "rémunèrent rémunérer rémunération subventionne subventionnent subventionner subvention",
    "valide valident valider validation agrée agréent agréer agrément approuve approuvent approuver labellise "
    "labellisent labelliser",
))
# Someone who may do an action: an organisation, a body, a profession, or an agent introduced by « par ».
_DOER = re.compile(
    r"\b(?:ARS|CPAM|AM|URPS|DGOS|HAS|MSA|CNAM|[ÉE]tat)\b"
    r"|(?i:\bassurance[- ]maladie\b|\bagences? r[ée]gionales?\b|\bprofessionnels?\b|\blib[ée]raux\b|\bm[ée]decins?\b"
    r"|\bcomit[ée]s?\b|\bcollectivit[ée]s?\b|\bmunicipalit[ée]s?\b|\bmairies?\b|\bmutuelles?\b|\bassociations?\b"
    r"|\bgestionnaires?\b|\bpr[ée]sident\w*|\bpar (?:l'|le |la |les |des |un |une ))")


def asked_action(question: str) -> frozenset[str]:
    """The stemmed words of the action whose doer a « qui … ? » question asks (« Qui finance les DAC ? » →
    financ); empty for any other question."""
    match = _WHO.match(question)
    english = _WHO_EN.match(question)
    if english:
        verb = english.group("verb")
        words = [french_terms(verb) or verb]
    elif match:
        rest = match.group("rest")
        passive = next((m.group(1) for m in _PARTICIPLE.finditer(rest) if m.group(1).lower() not in _BEFORE_ACTION),
                       "")
        words = [passive] if passive else [
            w.split("'")[-1] for w in _WORD.findall(rest) if w.lower() not in _BEFORE_ACTION]
        words = [w for w in words if w.upper() not in STRUCTURES and not acronyms_in(w)]
    else:
        return frozenset()
    if not words:
        return frozenset()
    action = set(tokenize(words[0]))
    if action & _LIGHT and len(words) > 1:
        action |= set(tokenize(words[1]))  # « décide de la validation »: validation names the action too
    for stem in list(action):
        action |= _NOUNS.get(stem, frozenset())
    for same in _SAME_ACTION:
        action |= same if action & same else frozenset()
    return frozenset(action)


def states_action(text: str, action: frozenset[str]) -> bool:
    """Whether a text (a unit with its headers) states the action."""
    return bool(action & set(tokenize(text)))


def names_someone(text: str) -> bool:
    """Whether a text names someone who may do an action (an organisation, a body, a profession, « par l'… »)."""
    return bool(_DOER.search(text))


def names_doer(text: str, action: frozenset[str]) -> bool:
    """Whether a text states the action and names someone who may do it."""
    return states_action(text, action) and names_someone(text)
