"""What kind of fact a question asks for (a phone number, an address, an amount) and whether a text holds one."""

from __future__ import annotations

import re

from .text import figures

PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.]?\d{2}){4}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:fr|org|com|net)\b")

# A price asked by its name (« Quel est le salaire d'un coordinateur ? », « Quels sont les tarifs… ? »): only a
# figure answers it, as for « combien ».
_PRICE = r"\b(?:prix|co[uû]ts?|tarifs?|salaires?|loyers?|budgets?)\b"

_ASKS = {
    "phone": re.compile(r"t[ée]l[ée]phone|\bnum[ée]ro\b|\bappeler\b|\bjoindre\b|\bphone\b|\bcall\b", re.I),
    "email": re.compile(r"\b(?:e-?)?mails?\b|courriel|adresse (?:mail|électronique)", re.I),
    "site": re.compile(r"(?<!plusieurs )(?<!même )(?<!seul )\bsites?\b(?! multi)|\bweb\b|\burl\b|\bwebsites?\b", re.I),
    "contact": re.compile(r"contact|qui (?:contacter|s'adresser|appeler)|interlocuteur|s'adresser|who (?:to|should)", re.I),
    "figure": re.compile(
        r"combien|montant|quel(?:le)? somme|nombre|pourcentage|taux|how (?:much|many)|amount|€|euros?|taille|"
        + _PRICE, re.I),
    # when something happened or happens (« depuis quand… », « en quelle année… », « quand… »)
    "date": re.compile(
        r"^\s*quand\b|\b(?:depuis|jusqu'à|à partir de|dès) quand\b|\b(?:quelle|depuis quelle|à partir de quelle) "
        r"(?:date|ann[ée]e|époque)\b|\bà quelle (?:date|époque)\b|\bdate limite\b|\bwhen\b|\bwhat year\b", re.I),
    # how long something lasts or takes (« quelle durée… », « dans quel délai… », « combien de temps… »)
    "duration": re.compile(
        r"\bd[ée]lais?\b|\bdur[ée]es?\b|\bcombien de temps\b|\bhow long\b|\bpendant combien\b|\bsous combien\b"
        r"|\bcombien (?:d'|d’|de )(?:ann[ée]es|ans|mois|semaines|jours)\b|\bhow many (?:years|months|weeks|days)\b", re.I),
    # whether something is required (« faut-il… », « est-ce obligatoire ? », « forcément »)
    "rule": re.compile(
        r"\bobligatoire\w*|\boblig[ée]\w*|\bfaut[- ]il\b|\bfaudra\w*|\bn[ée]cessaire\w*|\bforc[ée]ment\b|\bimpos[ée]\w*"
        r"|\bexig[ée]\w*|\brequis\b|\bmandatory\b|\brequired\b|\bmust\b", re.I),
}
# the words that say whether something is required, which both patterns below hold
_REQUIRED = (r"\boblig[ée]\w*|\bn[ée]cessaire\w*|\bfacultati\w+|\boptionnel\w*|\brequis\b|\bvolontai\w+"
             r"|\bpr[ée]requis\b")
# a text that states whether something is required or allowed
_RULE = re.compile(_REQUIRED + r"|\bobligatoire\w*|\bexig\w+|\bpossible\w*|\bpeu(?:t|vent)\b|\bpas de\b|\baucune?\b"
                   r"|\bsans\b|\bautoris\w+|\bsi\b", re.I)

# ...and one that states an obligation or its absence in so many words (« obligatoire », « pas forcément », « sur
# la base du volontariat », « dans un même lieu ou non », « SISA privilégiée »), not only what is allowed
_OBLIGATION = re.compile(_REQUIRED + r"|\bobligat\w+|\bexig[ée]\w*|\bforc[ée]ment\b|\bvolontariat\b|\bou non\b"
                         r"|\bimpos[ée]\w*|\bsyst[ée]matique\w*|\bprivil[ée]gi\w*|\bpr[ée]f[ée]rable\w*|\brecommand[ée]\w*", re.I)


def states_obligation(text: str) -> bool:
    """Whether a text says in so many words that something is or is not required."""
    return bool(_OBLIGATION.search(text))


# kinds that a question asks for explicitly: the answer must hold one, or say the sheets do not give one
SPECIFIC = frozenset({"phone", "email", "site"})


def asked_kinds(question: str) -> set[str]:
    """Kinds of fact a question asks for: phone, email, site, contact, figure, date, duration, rule."""
    return {kind for kind, pattern in _ASKS.items() if pattern.search(question)}


_QUANTITY = re.compile(r"\bcombien\b|\bnombre\b|\bmontant\b|pourcentage|how (?:much|many)|\bamount\b"
                       r"|\bquel(?:le)?s? (?:est|sont) (?:le |la |les |l')?(?:\w+ )?" + _PRICE
                       + r"|\bquel(?:le)? (?:part|proportion)\b", re.I)


# A question that only a date can answer (« depuis quand… », « en quelle année… »); a bare « quand » may ask in
# which case (« Quand l'exercice coordonné risque-t-il de… »).
_WHEN = re.compile(
    r"\b(?:depuis|jusqu'à|à partir de|dès) quand\b|\bquelle (?:date|ann[ée]e|époque)\b|\bà quelle (?:date|époque)\b"
    r"|\bdate limite\b|\bsince when\b|\bwhat year\b", re.I)
# A date, or the period a thing dates from (« 22 juin 2024 », « 01/11/2025 », « 2007 », « après-guerre »); « loi
# 1901 » names a kind of association, not a date.
_DATE = re.compile(
    r"(?<![Ll]oi )\b(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
    r"octobre|novembre|décembre)\b|\bapr[èe]s[- ]guerre\b|\bsi[èe]cle\b", re.I)


# A length of time (« 5 années », « sur 3 ans », « dans les 24 heures », « une année complète »); « 200 € par an »
# is a rate, not a length.
_DURATION = re.compile(
    r"(?<!par )\b(?:\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|trente)\s+"
    r"(?:jours?|semaines?|mois|ans|années?|heures?)\b", re.I)


# A question on when something began (« depuis quand… existe », « quand… créés », « en quelle année… vu le jour »)
_ASKS_ORIGIN = re.compile(
    r"\bdepuis quand\b|\bnée?s?\b|\bnaissance\b|\bapparu\w*|\bapparition\b|\bvu le jour\b|\bcr[ée]{2}\w*|"
    r"\bcr[ée]ation\b|\bexist\w*|\blanc[ée]\w*|\binstaur\w+|\bmis\w* en place\b|\bsince when\b|\bcreated\b", re.I)
# A text that dates a beginning: the date comes with what began then (« Naissance : 2007 », « lancée début 2022 »,
# « Introduite dans la loi du 24 juillet 2019 », « en vigueur depuis le 22 juin 2024 »); « il existait en novembre
# 2022 132 DAC » or « 80 105 € en moyenne en 2022 » dates a count, not a beginning.
_STATES_ORIGIN = re.compile(
    r"\bnaissance\b|\bnée?s?\b|\bderni[èe]re-n[ée]e\b|\bcr[ée]{2}\w*|\bcr[ée]ation\b|\bintrodui\w+|\blanc[ée]\w*|"
    r"\bapparu\w*|\binstaur\w+|\bp[ée]rennis\w+|\bint[ée]gr[ée]\w*|\ben vigueur\b|\bdepuis\b|\bvu le jour\b|"
    r"\bmis\w* en place\b|\bloi\b|\binstruction\b|\bconvention\b|\bcahier des charges\b|\bd[ée]cret\b|\barr[êe]t[ée]\b",
    re.I)


def asks_origin(question: str) -> bool:
    """Whether a question asks when something began (was created, appeared, exists since): only a date of that
    beginning answers it, even asked with a bare « quand »."""
    return bool(_ASKS["date"].search(question)) and bool(_ASKS_ORIGIN.search(question))


def dates_origin(text: str) -> bool:
    """Whether a text holds a date together with what began then."""
    return carries("date", text) and bool(_STATES_ORIGIN.search(text))


def asks_date(question: str) -> bool:
    """Whether the question can only be answered by a date (since when, which year, the deadline)."""
    return bool(_WHEN.search(question))


def asks_quantity(question: str) -> bool:
    """Whether the question can only be answered by a number (how many, how much, which amount)."""
    return bool(_QUANTITY.search(question))


# What a "how many / how much" question counts or measures (« combien de centres de santé… », « le nombre de
# CPTS… », « le montant de la cotisation… », « le taux de couverture… »); a count of times or of lengths of time
# (« en combien de versements », « combien d'années ») counts no thing.
_COUNTED = re.compile(
    r"\b(?:combien|nombre) (?:de |d'|d’|des )(?P<thing>[\wÀ-ÿ-]+)|\bhow many (?P<english>[\w-]+)"
    r"|\b(?:montant|somme|taux|pourcentage|part|proportion)s?"
    r"(?: (?:annuel|total|moyen|global|mensuel|maximal|minimal)(?:le|e)?s?)?"
    r" (?:de la |de l'|de l’|du |des |de |d'|d’)(?P<measured>[\wÀ-ÿ-]+)|(?P<price>" + _PRICE + ")", re.I)
_NOT_A_THING = re.compile(
    r"(?:fois|versements?|tranches?|temps|ann[ée]es?|ans|mois|semaines?|jours?|heures?|times|years?|months?)$", re.I)


def counts_things(question: str) -> bool:
    """Whether a "how many" question counts things (« combien de MSP… », « how many DAC… »), not an amount or a
    share (« le montant de l'ACI », « la part de la population »)."""
    match = _COUNTED.search(question)
    return bool(match and (match.group("thing") or match.group("english"))) and bool(counted(question))


def counted(question: str) -> str:
    """The thing a "how many / how much" question counts or measures, as written (« centres », « cotisation »),
    or "" when it counts none."""
    match = _COUNTED.search(question)
    thing = next((group for group in match.groups() if group), "") if match else ""
    return "" if not thing or _NOT_A_THING.match(thing) else thing


# A numbered variant a question asks about (« une CPTS de taille 3 », « le secteur 2 »): a word, then a number
# that is not part of a date or an amount.
_VARIANT = re.compile(r"\b([a-zà-ÿ]{4,}) (\d{1,2})\b(?![/.,:]\d|\s?(?:%|€|k€|000))", re.I)


def numbered_variants(question: str) -> tuple[str, ...]:
    """The numbered variants a question asks about (« taille 3 »), as written."""
    return tuple(f"{word} {number}" for word, number in _VARIANT.findall(question))


def names_variant(text: str, variant: str) -> bool:
    """Whether a text names this numbered variant (« taille 3 », « Taille 3 », « tailles 3 »)."""
    word, number = variant.rsplit(" ", 1)
    return bool(re.search(rf"\b{re.escape(word)}s? {number}\b(?![/.,]\d)", text, re.I))


# A question for the least (« au minimum », « au moins combien… »), and a text that states one (« Minimum trois
# professionnels », « au moins deux médecins », « à partir de 3 », « > 2500 »).
_ASKS_MINIMUM = re.compile(r"\bau minimum\b|\bminimum\b|\bau moins\b|\bminima\b|\bminimal\w*|\bat least\b", re.I)
_STATES_MINIMUM = re.compile(
    r"\bau minimum\b|\bminimum\b|\bau moins\b|\bminima\b|\bminimal\w*|\bà partir de\b|\bplus de\b|>\s?\d|≥", re.I)


def asks_minimum(question: str) -> bool:
    """Whether a question asks for the least number or amount (« combien… au minimum ? »)."""
    return bool(_ASKS_MINIMUM.search(question))


def states_minimum(text: str) -> bool:
    """Whether a text states a least number or amount."""
    return bool(_STATES_MINIMUM.search(text))


# A question for an average (« en moyenne », « le montant moyen »), and a text that states one.
_AVERAGE = re.compile(r"\ben moyenne\b|\bmoyen(?:ne)?s?\b|\bon average\b|\baverage\b", re.I)


def asks_average(question: str) -> bool:
    """Whether a question asks for an average (« Combien touche en moyenne une MSP ? »)."""
    return bool(_AVERAGE.search(question))


def states_average(text: str) -> bool:
    """Whether a text states an average (« 80 105 € en moyenne en 2022 »)."""
    return bool(_AVERAGE.search(text))


# How near an average's word must be to a length of time to be that length's average (« 18 mois en moyenne »).
_AVERAGE_REACH = 20


def states_average_duration(text: str) -> bool:
    """Whether a text states an average length of time (« en moyenne 18 mois »), not an average amount beside a
    length (« 80 105 € en moyenne en 2022 FIR : 50 000 € en 2 fois sur 2 ans »)."""
    lengths = [m.span() for m in _DURATION.finditer(text)]
    return any(start - _AVERAGE_REACH <= m.end() and m.start() <= end + _AVERAGE_REACH
               for m in _AVERAGE.finditer(text) for start, end in lengths)


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def years_in(text: str) -> tuple[str, ...]:
    """The years a text names (« 2022 », « au 31.12.2022 », « 01/11/2025 »), in order."""
    return tuple(_YEAR.findall(text))


def strip_kind_words(question: str) -> str:
    """The question without the words that only say which kind of fact is wanted ("téléphone", "combien")."""
    # every pattern reads the question as written: « combien » alone must not hide « pendant combien de temps »
    spans = [m.span() for pattern in _ASKS.values() for m in pattern.finditer(question)]
    kept = [c if not any(s <= i < e for s, e in spans) else " " for i, c in enumerate(question)]
    return "".join(kept)


def carries(kind: str, text: str) -> bool:
    """Whether ``text`` holds a fact of this kind."""
    if kind == "phone":
        return bool(PHONE.search(text))
    if kind == "email":
        return bool(EMAIL.search(text))
    if kind == "site":
        return bool(URL.search(text))
    if kind == "contact":
        return bool(PHONE.search(text) or EMAIL.search(text) or URL.search(text))
    if kind == "figure":
        return has_quantity(text)
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "rule":
        return bool(_RULE.search(text))
    if kind == "duration":
        return bool(_DURATION.search(text))
    return False


_NUMBER_WORDS = re.compile(
    r"\b(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|vingt|trente|cent|mille|aucune?)\b", re.I
)


# « un », « une » are mostly articles: a number only after a word that counts (« au moins un médecin »)
_COUNTED_ONE = re.compile(r"\b(?:au moins|au minimum|minimum|au plus|seul(?:e|ement)?|exactement)\s+une?\b", re.I)


def states_number(text: str) -> bool:
    """Digits, a number in words other than « un »/« une » (« trois professionnels »), or « un » that counts
    (« au moins un médecin »): a text that can answer "how many"."""
    return (bool(re.search(r"\d", text)) or bool(_COUNTED_ONE.search(text))
            or any(m.group().lower() not in ("un", "une") for m in _NUMBER_WORDS.finditer(text)))


# A number and the word it counts (« 313 MSP », « deux médecins », « 1 paramédical »); a unit, a rate or a length
# after it (« 80 000 € », « 55 % », « 3 ans », « 2 fois ») counts no thing.
_COUNT = re.compile(
    r"(?<![\d,./])(?!(?:19|20)\d\d\b)(?:\d[\d  ]*|\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|vingt|trente|cent|mille))"
    r"\s+(?!(?:€|k€|%|euros?|ans?|années?|mois|semaines?|jours?|heures?|fois|versements?|tranches?)\b)"
    r"([A-Za-zÀ-ÿ]{3,})")


def _counted_things(text: str, stems) -> list[set[str]]:
    """What each number of a text counts, as stems (``stems`` reads a word: « MSP » → msp, maison…)."""
    return [t for t in (set(stems(word)) for word in _COUNT.findall(text)) if t]


def counts_only_others(text: str, counted: frozenset[str], stems) -> bool:
    """Whether every number of a text that counts a thing counts another thing than ``counted`` (« Au moins 2
    médecins généralistes et 1 paramédical » for « combien de MSP… ? »)."""
    things = _counted_things(text, stems)
    return bool(things) and not any(t & counted for t in things)


# A number that may be a count: not an amount, a rate, a length, a year or a piece of a date (« 2251 en
# fonctionnement », « Nombre de CPTS : 40 »; not « 80 105 € », « 55 % », « 2 ans », « 31.12.2022 »).
_UNITS_AFTER = r"(?:€|%|(?:k€|euros?|ans?|années?|mois|semaines?|jours?|heures?|fois|versements?|tranches?)\b)"
_BARE_NUMBER = re.compile(
    r"(?<![\d,./])(?!(?:19|20)\d\d\b)\d[\d  ]*(?:,\d+)?(?![\d  ]*(?:,\d+)?\s*" + _UNITS_AFTER + r")(?![\d  ]*[/.,]\d)")


def gives_count(text: str, counted: frozenset[str], stems) -> bool:
    """Whether a text may give a count of ``counted``: a number with it (« 313 MSP »), or a number that is no
    amount, rate, length or date and counts nothing else (« Nombre (au 31.12.2022) : 2251 en fonctionnement »).
    « ACI : 80 105 € en moyenne en 2022 » counts no MSP."""
    return counts(text, counted, stems) or (bool(_BARE_NUMBER.search(text))
                                            and not counts_only_others(text, counted, stems))


def counts(text: str, counted: frozenset[str], stems) -> bool:
    """Whether a number of a text counts ``counted`` (« 313 MSP » for « combien de maisons de santé… ? »)."""
    return any(t & counted for t in _counted_things(text, stems))


def has_quantity(text: str) -> bool:
    """Digits or a number written in words ("trois professionnels")."""
    return bool(re.search(r"\d", text)) or bool(_NUMBER_WORDS.search(text))
