"""What a question asks, decided once: the :class:`Question` that retrieval and both engines read.

``analyse(text, history)`` rewrites a follow-up into a standalone question, then records what it
names (structures, acronyms, places and people, years, English terms), its content words and the
type of answer it asks for. Nothing downstream looks at the raw wording again to decide these.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

from .acronyms import ACRONYMS, STRUCTURES, abbreviate, acronym_spans, acronyms_in, expand
from .agents import asked_action
from .conversation import standalone_question
from .facts import (SPECIFIC, asked_kinds, asks_average, asks_date, asks_minimum, asks_origin, asks_quantity,
                    counted, counts_things, numbered_variants, strip_kind_words, years_in)
from .glossary import _PATTERN as _ENGLISH, french_terms, funding_terms
from .lexical import tokenize
from .schema import Turn
from .text import fold, plain_typography

# The answer types, most specific first: the first that matches is the question's type.
DEFINITION, COMPARISON, YES_NO, QUANTITY, LIST, CONTACT, PROCEDURE, DATE, OTHER = (
    "definition", "comparison", "yes_no", "quantity", "list", "contact", "procedure", "date", "other")
ANSWER_TYPES = (DEFINITION, COMPARISON, YES_NO, QUANTITY, LIST, CONTACT, PROCEDURE, DATE, OTHER)

_COMPARISON = re.compile(
    r"\bdiff[ée]ren(?:ce|ces|cier|t|ts|tes)\b|\bdiff[èe]r(?:e|ent|er)\b|\bl'une? et l'autre\b|\bchacune?\b|\bdistingu\w+|\bcompar\w+|\bversus\b|\bvs\.?\b|\bdifference\b"
    r"|\bplut[ôo]t\b.*\bou\b"
    # « … se fait-elle comme celle d'une CPTS ? », « … le même que… »: one structure's thing against another's
    r"|\bcomme cel(?:ui|les?)\b|\bcomme ceux\b|\bm[êe]mes? que\b", re.I)
# Comparison words that ask for one even without two structures named (« différents types » do not).
_COMPARES_ANY = re.compile(r"\bdiff[ée]rences?\b|\bdiff[èe]r(?:e|ent|er)\b|\bdifference\b|\bdistingu\w+|\bcompar\w+", re.I)
# Words that only say a comparison is asked (« quelle différence entre… », « en quoi diffère… »).
# Words that only qualify how a question is asked (« au juste », « concrètement », « on confond souvent »).
_FILLER_WORDS = frozenset(tokenize(
    "juste exactement concrètement vraiment précisément réellement souvent toujours confond confondre confondent"))
# A noun with its article, then « de / d' / des / du / offert par… » or « en / dans / au sein de » and (the structure):
# what is asked is the structure's thing (« la coordination en MSP », « la forme juridique au sein d'une CPTS »).
_OWNED = r"\b(?:l[ea]|l'|les|un|une)\s*[\w' -]+?\s+(?:de|d'|des|du|offerte?s? par|propres? aux?|en|dans|au sein d[e'u]s?)\s*" \
         r"(?:(?:la|le|l'|les|une?|ces?|cette)\s*)?\b{}\b"
_OWNING_WORDS = frozenset(tokenize("offert offerte offerts offertes propre propres sein"))
_COMPARING_WORDS = frozenset(tokenize(
    "différence différences différent différente diffère diffèrent différencier distinguer distingue comparer "
    "comparaison entre quoi versus l'une l'autre chacune chacun plutôt")) | _FILLER_WORDS
# The most words of a term a definition refusal names (« ne définissent pas « Contrat Local de Santé » »)
_TERM_WORDS = 6
# What a structure is: who makes it up, whom it serves, at which scale.
WHAT_IT_IS = frozenset(tokenize("composition composée constituée public patientèle échelle territoire"))
_DEFINITION = re.compile(
    r"qu'?est[- ]ce qu|c'est quoi|\bque (?:signifie|veut dire|d[ée]signe)\b|\bd[ée]finition\b|\bd[ée]finir\b"
    r"|qu'appelle[- ]t[- ]on|\bà quoi sert\b|\ba quoi sert\b|\bwhat (?:is|are) (?!the\b[^?]*\b(?:of|for)\b)(?:an? |the )?"
    r"|\bqu'entend[- ]on\b|\bde quoi s'agit[- ]il\b|\bwhat does (?:the )?(?:acronym )?\S+ (?:stand for|mean)\b", re.I)
# « Comment fonctionne une CPTS ? », « Comment ça marche, une ESS ? », « How does an ESP work? »: asked of a
# structure alone, what it is (« Comment fonctionne le financement… » asks about the funding).
_HOW_IT_WORKS = re.compile(
    r"\bcomment (?:(?:ça|cela) )?(?:fonctionne\w*|marche\w*)\b|\bhow (?:does|do) (?:it|they|an?|the)\b[^?]*\bwork\b", re.I)
_HOW_IT_WORKS_WORDS = frozenset(tokenize("comment fonctionne fonctionnent marche marchent ça cela how does do it they work"))
# Words of a definition question that are not the term it asks about (« C'est quoi, au juste, … ? »).
_DEFINITION_WORDS = frozenset(tokenize(
    "quoi signifie signifier veut vouloir dire désigne désigner définition définir définit appelle appeler "
    "entend entendre sert servir agit agir sigle sigles acronyme acronymes abréviation notion "
    "mean means meaning stand stands acronym")) | _FILLER_WORDS | _HOW_IT_WORKS_WORDS
# A question on what an acronym stands for (« Que veut dire le sigle SISA ? », « What does ESP stand for? »): the
# written acronym and only words of that kind around it
_EXPANSION = re.compile(r"\bsigles?\b|\bacronymes?\b|\babr[ée]viations?\b|\bveut dire\b|\bsignifie\b|\bstands? for\b"
                        r"|\bmeans?\b", re.I)
_WRITTEN_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9+]{1,7}\b")
_QUESTION_WORD = re.compile(
    r"\b(?:quel(?:le)?s?|combien|comment|qui|o[ùu]|quand|pourquoi|que|quoi|lesquel\w*|what|how|who|where|when|why|which)\b",
    re.I)
# French questions by inversion (« La SISA est-elle obligatoire ? », « Peut-on… ») or « est-ce que »;
# English auxiliaries first.
_YES_NO = re.compile(
    r"\best[- ]ce qu|\b\w+-(?:t-)?(?:il|elle|ils|elles|on|je|nous|vous)\b"
    r"|^\s*(?:is|are|can|could|do|does|did|must|should|may|will|has|have)\b", re.I)
# « Comment monter… », and its inflected forms (« Comment crée-t-on… », « Comment se monte… », « Comment
# devient-on… ») ask how to do it; « Comment fonctionne… » or « Comment sont financées… » do not.
_PROCEDURE = re.compile(
    r"\bcomment\b.*\b(?:mont(?:er|e|es|ent)|cr[ée](?:er|e|ent)|constitu(?:er|e|ent)|fond(?:er|e|ent)|lan[cç](?:er|e|ent)|"
    r"fai(?:re|t|s)|obt(?:enir|ient|iennent)|dev(?:enir|ient|iennent)|adh[ée]r(?:er|e|ent)|rejoin(?:dre|t|s)|"
    r"ouvr(?:ir|e|ent)|s'associer|regroup(?:er|e|ent)|candidat(?:er|e|ent)|s'install(?:er|e|ent)|"
    r"s'inscri(?:re|t|vent)|int[ée]gr(?:er|e|ent)|m(?:ettre|et|ettent|is|ise|ises) en place|d[ée]marr(?:er|e|ent)|financer|"
    r"proc[ée]d(?:er|e|ent)|s'organiser|se faire|b[ée]n[ée]ficier|se d[ée]roul(?:e|ent))\b"
    r"|\b[ée]tapes?\b|\bd[ée]marches?\b|\bproc[ée]dure\b|\bpar (?:o[ùu]|quoi) commencer\b|\bhow (?:do|can|to|should)\b"
    r"|\bsteps?\b|\bwhere (?:do|should) (?:i|we) start\b", re.I)
_LIST = re.compile(
    r"\bquel(?:le)?s (?:sont|peuvent)\b|\bquels? (?:avantages|missions|inconv[ée]nients|points|acteurs|outils|"
    r"professionnels|professions|structures|formes|dispositifs|financements|aides|crit[èe]res|conditions|"
    r"obligations|int[ée]r[êe]ts|atouts|limites|risques|m[ée]tiers|types|r[ôo]les|engagements)\b"
    r"|\bquelles (?:missions|aides|formes|conditions|"
    r"obligations|professions|structures|limites)\b|\blist\w*\b|\bénum[ée]r\w+|\bwhat are the\b", re.I)
# Who makes a structure up, who may join it (« Qui peut faire partie d'une ESP ? », « De qui se compose une
# ESS ? », « Quelle est la composition d'une MSP ? », « Who can join a CPTS? »): answered by its composition.
_MEMBERS = re.compile(
    r"\bqui (?:peut|peuvent|pourrait|pourraient) (?:en |y )?(?:faire partie|adh[ée]rer|rejoindre|int[ée]grer|participer|"
    r"[êe]tre membres?|travailler|exercer)"
    r"|\bqui (?:compose|composent|constitue|constituent|fait partie|font partie|travaille|travaillent|exerce|exercent)\b"
    r"|\b(?:les|ses|leurs|des) membres\b|\bcomposition\b|\bcompos[ée]e?s? de\b|\bconstitu[ée]e?s? de\b|\bse compos\w*"
    r"|\bwho (?:can|may|could|should) (?:join|be (?:a )?part|be a member|become a member|work)|\bmembers\b|\bmade up of\b"
    r"|\bcomposed of\b", re.I)
# What something brings, asked as « pourquoi + infinitive » (« Pourquoi rejoindre une CPTS ? ») or by naming
# the gain (« quel intérêt… », « qu'est-ce que le patient y gagne ? », « what does it bring »): answered by the
# sheets' lists of advantages. « Pourquoi la SISA est-elle… » asks for a reason, not for benefits.
_BENEFITS = re.compile(
    r"^\s*pourquoi\s+(?:(?:me|se|m'|s'|nous|vous)\s*)?[a-zà-ÿ]+(?:er|ir|re)\b"
    r"|\b(?:avantages?|int[ée]r[êe]ts?|b[ée]n[ée]fices?|atouts?|gagne\w*|apport\w*)\b|\bchange\w* pour\b"
    r"|\b(?:advantages?|benefits?|gains?)\b|^\s*why (?:would|should|do|does|join|choose|become)\b", re.I)
# Words of such a question that only ask what something brings: the lists of advantages answer them.
_BENEFIT_WORDS = frozenset(tokenize(
    "pourquoi avantage avantages intérêt intérêts bénéfice bénéfices atout atouts gagne gagnent gagner "
    "apporte apportent apporter apport apports change changer why advantages benefits"))
# Who helps with a project (« Qui peut m'accompagner pour monter une CPTS ? », « Vers qui se tourner… ? »,
# « Comment être accompagné… ? », « Who can help me set up an ESS? »): answered by the interlocutors the sheets
# name. Help for patients (« accompagnement des patients ») is care, not an interlocutor.
_HELPERS = re.compile(
    r"\bvers qui\b|\bo[ùu] trouver (?:de l'aide|un accompagnement|du soutien|des conseils|un appui)"
    r"|\bcomment (?:[êe]tre|se faire|me faire|nous faire) (?:accompagn|aid|conseill)\w*"
    r"|(?:\bqui\b|\bquels? (?:acteurs?|organismes?|interlocuteurs?)\b)[^?]*"
    r"\b(?:accompagn\w*|aider|aident|conseill\w*|soutien\w*|souten\w*|appui\w*|orient\w*|informe\w*)\b"
    r"|\bqui (?:l'|les |m'|nous |vous )?aide\b"
    r"|\bwho\b[^?]*\b(?:help|support|advise|guide)|\bwhere (?:can|do|should) (?:i|we) (?:get|find) (?:help|support|advice)",
    re.I)
# « X ou Y ? »: options to choose from (« où » is a place; « ou non » only asks yes or no)
_CHOICE = re.compile(r"\bou\b(?! non\b)|\bor\b(?! not\b)", re.I)
_PATIENT_CARE = re.compile(r"\bpatients?\b|\bpatientèle\b", re.I)
# Words of a date question that only ask when something began (« ont-elles vu le jour », « sont apparues »).
_ORIGIN_WORDS = frozenset(tokenize(
    "né née nés nées naissance apparu apparue apparus apparues apparition vu jour créé créée créés créées création "
    "existe existent existé date époque année"))
_CONTACT = re.compile(
    r"\bqui contacter\b|\bà qui (?:s'adresser|m'adresser|écrire|demander)\b|\bs'adresser\b|\binterlocuteurs?\b"
    r"|\bcontacter\b|\bcontacts?\b|\bwho (?:to|should|can) (?:contact|call|ask)\b", re.I)
# Names: capitalised words after the first word of the question (ARS, Occitanie, Pays d'Auray, Québec).
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-ZÀ-Ý][a-zà-ÿ]+(?:[-'][A-Za-zà-ÿ]+)*)")
_CAPITALISED = re.compile(r"(?<!^)\b([A-ZÀ-Ý][\wÀ-ÿ'-]*)")
# Acronyms as typed, anywhere in the question (« DPC », « SCI », « MSPU »), a plural's « s » left out.
_ACRONYM_WORD = re.compile(r"\b([A-Z]{2,}[0-9]*)s?\b")
_ROMAN = re.compile(r"[IVXLC]+")


@dataclass(frozen=True)
class Question:
    """One question, analysed once, as retrieval and the engines see it."""

    text: str  # as typed
    standalone: str  # understandable without the conversation
    answer_type: str  # one of ANSWER_TYPES
    kinds: frozenset[str]  # kinds of fact asked for: phone, email, site, contact, figure
    structures: tuple[str, ...]  # the coordinated-care structures it names (MSP, CPTS…), in order
    acronyms: tuple[str, ...]  # every acronym it names, by short or long form
    concepts: frozenset[str]  # stemmed content words; an acronym and its long form count once
    subject: frozenset[str]  # the concepts without the words that only say which kind of fact is wanted
    names: frozenset[str]  # stemmed tokens of the names it holds (publishers, places, acronyms)
    # capitalised words, as typed, that may be place or person names, and the acronyms the field's list does not
    # know (« heures de DPC », « acquisition en SCI »): retrieval checks that the sheets mention them
    name_words: tuple[str, ...]
    years: tuple[str, ...]
    english_terms: tuple[str, ...]  # English words of the field it uses
    search_text: str  # the standalone question with acronyms expanded and French forms of English terms
    # the standalone question without the words that only frame what kind of answer it wants (« qu'entend-on
    # par », « pourquoi… gagner », « vu le jour »): its topic, whose words the sheets must know
    topic: str
    quantity: bool  # can only be answered with a number (combien, montant…)
    # what a "how many" question counts, stemmed (« combien de centres de santé… » → centr); the figure must be of it
    counted: frozenset[str] = frozenset()
    counts: bool = False  # it counts things (« combien de MSP… »), not an amount or a share (« le montant de l'ACI »)
    # the numbered variants a "how many / how much" question asks about (« une CPTS de taille 3 »): a figure for
    # another variant does not answer it
    variants: tuple[str, ...] = ()
    minimum: bool = False  # a "how many / how much" question for the least (« au minimum »)
    average: bool = False  # a "how many / how much / how long" question for an average (« en moyenne », « délai moyen »)
    when: bool = False  # can only be answered with a date (depuis quand, en quelle année…)
    origin: bool = False  # asks when something began (« depuis quand… existe », « … ont vu le jour »)
    benefits: bool = False  # asks what something brings (« pourquoi rejoindre… », « quel intérêt… »)
    members: bool = False  # asks who makes a structure up (« qui peut adhérer… », « de qui se compose… »)
    helpers: bool = False  # asks who helps with a project (« qui peut m'accompagner… », « vers qui se tourner… »)
    action: frozenset[str] = frozenset()  # stemmed words of the action whose doer it asks (« qui finance… » → financ)
    expansion_of: str = ""  # the acronym, as written, whose long form it asks (« Que veut dire le sigle SISA ? »)
    owner: str = ""  # the structure whose thing a definition question asks about (« le projet de santé d'une MSP »)
    choice: bool = False  # it offers options to choose from (« salariat direct ou groupement d'employeurs ? »)

    @property
    def free_words(self) -> frozenset[str]:
        """The question's words that an answer sentence may repeat without its extract holding them: none when it
        offers a choice, since the option a sentence picks is a claim (« … : portage public [1] »)."""
        return frozenset() if self.choice else self.concepts

    @property
    def facet(self) -> frozenset[str]:
        """What the question asks about the structures it names (« juridique », « financées »): its
        subject without the structures' own words. A comparison that does not say in what
        (« quelle différence entre une ESP et une MSP ? ») asks what each one is."""
        return self.facet_in(lambda token: True)

    def facet_in(self, known: Callable[[str], bool]) -> frozenset[str]:
        """The facet's words that the sheets use (``known``): « on confond souvent » says nothing of what
        is compared, and a comparison left with no such word asks what each structure is."""
        facet = self._own_facet(known)
        return facet or (WHAT_IT_IS if self.answer_type == COMPARISON else facet)

    def compares_what_each_is(self, known: Callable[[str], bool]) -> bool:
        """A comparison that does not say in what (« ESP ou MSP : quelle différence ? »): what each structure
        is, first who makes it up."""
        return self.answer_type == COMPARISON and not self._own_facet(known)

    def _own_facet(self, known: Callable[[str], bool]) -> frozenset[str]:
        facet = self.subject - frozenset(tokenize(" ".join(self.structures))) - _COMPARING_WORDS
        return frozenset(t for t in facet if known(t))

    @property
    def defined(self) -> frozenset[str]:
        """What a definition question asks to define, as stemmed words (« exercice coordonné »); empty for
        other questions. When it names an acronym, :attr:`defined_acronyms` is the term; when the term is a
        structure's (« le projet de santé d'une MSP »), the structure, :attr:`owner`, is not part of it."""
        if self.answer_type != DEFINITION:
            return frozenset()
        return self.subject - _DEFINITION_WORDS - (_OWNING_WORDS | frozenset(tokenize(self.owner)) if self.owner
                                                   else frozenset())

    def words_for(self, stems: frozenset[str] | set[str]) -> list[str]:
        """The question's words, as typed and in order, whose stems are among ``stems`` (each once, without its
        elided article: « l'ACI » → « ACI »)."""
        words = [w for w in re.findall(r"[\wÀ-ÿ'-]+", self.standalone) if set(tokenize(w)) & stems]
        return list(dict.fromkeys(w.split("'")[-1] for w in words))

    @property
    def defined_term(self) -> str:
        """What a definition question asks to define, as typed (« Contrat Local de Santé »): its words from the
        first to the last of :attr:`defined`, or those words alone when other words come between them."""
        stems = self.defined.union(*(tokenize(ACRONYMS[a][0]) for a in self.defined_acronyms))
        words = [m for m in re.finditer(r"[\wÀ-ÿ'+-]+", self.standalone) if set(tokenize(m.group())) & stems]
        if not words:
            return " ".join(self.defined_acronyms)
        span = self.standalone[words[0].start():words[-1].end()]
        span = span.split("'", 1)[-1] if "'" in span[:3] else span
        return span if len(span.split()) <= _TERM_WORDS else " ".join(self.words_for(self.defined))

    @property
    def defined_heads(self) -> tuple[frozenset[str], ...]:
        """The shorter terms a qualified term narrows (« exercice coordonné pluriprofessionnel » → « exercice
        coordonné »), longest first: its first words, two at least, stemmed. None for an acronym, whose
        definition is its own."""
        if self.defined_acronyms:
            return ()
        stems = [set(tokenize(w)) & self.defined for w in self.words_for(self.defined)]
        heads = [frozenset().union(*stems[:n]) for n in range(len(stems) - 1, 1, -1)]
        return tuple(h for h in dict.fromkeys(heads) if h and h != self.defined)

    @property
    def defined_acronyms(self) -> tuple[str, ...]:
        """The acronym a definition question asks about: the first it names (« Qu'est-ce que l'ACI dont on
        parle pour les MSP ? » asks about the ACI, not the MSP)."""
        return self.acronyms[:1] if self.answer_type == DEFINITION and not self.owner else ()

    @property
    def specific_kinds(self) -> frozenset[str]:
        """Kinds the answer must hold (a phone, an e-mail, a site) or say the sheets do not give."""
        return self.kinds & SPECIFIC


def answer_type(text: str, kinds: frozenset[str], structures: Sequence[str]) -> str:
    """The type of answer a question asks for, from its wording."""
    if kinds & SPECIFIC or _CONTACT.search(text) or asks_helpers(text):
        return CONTACT
    if _COMPARISON.search(text) and (len(structures) >= 2 or _COMPARES_ANY.search(text)):
        return COMPARISON
    if asks_quantity(text) or "figure" in kinds and re.search(r"\bquel(?:le)? (?:est le |sont les )?(?:montant|somme|taux)", text, re.I):
        return QUANTITY
    if "date" in kinds:
        return DATE
    if _PROCEDURE.search(text):
        return PROCEDURE
    if _BENEFITS.search(text):
        return LIST  # « qu'est-ce que le patient y gagne ? » asks what it brings, not what it is
    if _DEFINITION.search(text):
        return DEFINITION
    if _HOW_IT_WORKS.search(text) and structures and set(tokenize(_without_structures(text))) <= _HOW_IT_WORKS_WORDS:
        return DEFINITION
    if _LIST.search(text) or asks_members(text):
        return LIST
    # « Par qui… est-elle validée ? », « À qui… » ask for a doer, not yes or no
    if _YES_NO.search(text) and not re.match(r"\s*(?:(?:par|pour|avec|à|a|de|chez|sur|dans|en|depuis)\s+)?(?:"
                                             + _QUESTION_WORD.pattern + r")", text, re.I):
        return YES_NO
    if len(structures) >= 1 and len(tokenize(_without_structures(text))) == 0:
        return DEFINITION  # « Une CPTS ? », « ESP » alone: what it is
    return OTHER


# The acronyms whose long form holds a word of help (« dispositif d'appui à la coordination »): naming one does
# not ask who helps.
_NAMES_WITH_HELP = tuple(short for short, longs in ACRONYMS.items()
                         if any(re.search(r"\b(?:accompagn|aid|conseil|soutien|appui|orient|inform)", fold(long))
                                for long in longs))


def _without_structures(text: str) -> str:
    """The text (folded) without the structures it names, by short or long form (« une équipe de soins
    spécialisés »)."""
    return re.sub(r"\b(?:" + "|".join(STRUCTURES) + r")s?\b", " ", abbreviate(text, STRUCTURES), flags=re.I)


def asks_helpers(text: str) -> bool:
    """Whether a question asks who helps professionals with a project (not who cares for patients)."""
    return bool(_HELPERS.search(abbreviate(text, _NAMES_WITH_HELP))) and not _PATIENT_CARE.search(text)


def asks_members(text: str) -> bool:
    """Whether a question asks who makes a structure up: « De quoi se compose l'ACI d'une MSP ? » asks what
    makes up a funding, the first thing it names."""
    named = acronyms_in(text)
    return bool(_MEMBERS.search(text)) and (not named or named[0] in STRUCTURES)


def expansion_asked(text: str) -> str:
    """The acronym whose long form a question asks (« Que veut dire le sigle SISA ? » → SISA): a written acronym
    and, besides it, only words that ask what something means; "" for any other question."""
    written = _WRITTEN_ACRONYM.findall(text)
    if len(written) != 1 or not _EXPANSION.search(text):
        return ""
    rest = _without(_DEFINITION_WORDS)(_WRITTEN_ACRONYM.sub(" ", text))
    return written[0] if not tokenize(rest) else ""


def concepts_of(text: str) -> frozenset[str]:
    """Stemmed content words; an acronym and its long form count as one concept (the acronym)."""
    shorts = acronyms_in(text)
    abbreviated = abbreviate(text, shorts)
    # the words of each long form where it is written go (« maison de santé » → MSP); the same words elsewhere
    # stay (the « santé » of « projet de santé »)
    tokens = Counter(tokenize(text)) - (Counter(tokenize(fold(text))) - Counter(tokenize(abbreviated)))
    # the glossary reads the text without those long forms: « centre de santé » is the CDS, not an English
    # « centre » too
    extra = tokenize(f"{french_terms(abbreviated)} {funding_terms(abbreviated)}")
    return frozenset(tokens) | frozenset(extra) | frozenset(t for short in shorts for t in tokenize(short))


def _without(words: frozenset[str]) -> Callable[[str], str]:
    """A text without these (stemmed) words."""
    def without(text: str) -> str:
        return re.sub(r"[\wÀ-ÿ]+", lambda m: "" if set(tokenize(m.group())) <= words and tokenize(m.group())
                      else m.group(), text)
    return without


def name_words(text: str) -> tuple[str, ...]:
    """The words of a question that name something, as typed: capitalised words after its first (places,
    people: Québec, Auray) and the acronyms that are not the field's own (DPC, SCI), in order."""
    text = text.strip()
    found = [(m.start(), m.group(1)) for m in _NAME.finditer(text)]
    known = acronym_spans(text)  # the field's own, which a sheet may spell out rather than abbreviate
    found += [(m.start(), m.group(1)) for m in _ACRONYM_WORD.finditer(text)
              if not any(m.start() < end and start < m.end() for start, end in known) and not _ROMAN.fullmatch(m.group(1))]
    return tuple(word for _, word in sorted(found))


def _names(text: str) -> frozenset[str]:
    words = " ".join(m.group(1) for m in _CAPITALISED.finditer(text.strip()) if not _ENGLISH.fullmatch(m.group(1)))
    tokens = set(tokenize(words))
    for short in ACRONYMS:
        if re.search(rf"\b{re.escape(short)}\b", words):
            tokens |= set(tokenize(short))
    return frozenset(tokens)


def owner_of(text: str, acronyms: Sequence[str]) -> str:
    """The structure whose thing a definition question asks about: « le projet de santé d'une MSP », « le guichet
    unique offert par une ESS » ask what the projet de santé or the guichet is, the structure only says whose
    (« exercer en ESP », « l'ACI dont on parle pour les MSP » ask what the ESP or the ACI is)."""
    if not acronyms or acronyms[0] not in STRUCTURES:
        return ""
    structure = acronyms[0]
    folded = abbreviate(text, (structure,))
    return structure if re.search(_OWNED.format(re.escape(fold(structure))), folded, re.I) else ""


def analyse(text: str, history: Sequence[Turn] = ()) -> Question:
    """Analyse a question (already validated) in its conversation."""
    standalone = standalone_question(plain_typography(text), history)
    kinds = frozenset(asked_kinds(standalone))
    acronyms = tuple(acronyms_in(standalone))
    structures = tuple(a for a in acronyms if a in STRUCTURES)
    asked = answer_type(standalone, kinds, structures)
    if asked != YES_NO:
        kinds -= {"rule"}  # « combien faut-il… » asks for a number, not whether something is required
    if asked == QUANTITY:
        kinds |= {"figure"}  # « Quelle part de la population… ? » asks for one without naming it
    benefits = asked == LIST and bool(_BENEFITS.search(standalone))
    # « gagner » asks what something brings, not about money: the words that only ask for a gain go; « vu le
    # jour », « apparues » only ask when something began
    # « comment fonctionne… », « que veut dire… », « qu'entend-on par… » only ask what something is
    frame = (_without(_BENEFIT_WORDS) if benefits else _without(_ORIGIN_WORDS) if asked == DATE
             else _without(_DEFINITION_WORDS) if asked == DEFINITION else (lambda t: t))
    return Question(
        text=text,
        standalone=standalone,
        answer_type=asked,
        kinds=kinds,
        structures=structures,
        acronyms=acronyms,
        concepts=concepts_of(frame(standalone)),
        subject=concepts_of(strip_kind_words(frame(standalone))),
        names=_names(standalone),
        name_words=name_words(standalone),
        years=years_in(standalone),
        english_terms=tuple(m.group(1) for m in _ENGLISH.finditer(standalone)),
        search_text=expand(standalone),
        topic=frame(standalone),
        quantity=asks_quantity(standalone),
        counted=frozenset(tokenize(counted(standalone))) if asked == QUANTITY else frozenset(),
        counts=asked == QUANTITY and counts_things(standalone),
        variants=numbered_variants(standalone) if asked == QUANTITY else (),
        minimum=asked == QUANTITY and asks_minimum(standalone),
        average=(asked == QUANTITY or "duration" in kinds) and asks_average(standalone),
        when=asks_date(standalone),
        origin=asks_origin(standalone),
        benefits=benefits,
        members=asked == LIST and asks_members(standalone),
        helpers=asked == CONTACT and asks_helpers(standalone),
        action=asked_action(standalone) if asked == OTHER else frozenset(),
        expansion_of=expansion_asked(standalone) if asked == DEFINITION else "",
        owner=owner_of(standalone, acronyms) if asked == DEFINITION else "",
        choice=bool(_CHOICE.search(standalone)),
    )
