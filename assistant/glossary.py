"""English → French terms of the field, so that an English question finds the French sheets."""

from __future__ import annotations

import re

EN_FR: dict[str, str] = {
    "funding": "financement", "funded": "financement", "financing": "financement", "fund": "fonds",
    "amount": "montant", "paid": "rémunération", "payment": "rémunération", "remuneration": "rémunération",
    "receive": "percevoir", "get": "percevoir", "earn": "percevoir", "per year": "par an", "yearly": "par an",
    "annual": "annuelle", "grant": "aide", "start-up": "démarrage", "startup": "démarrage", "seed": "amorçage",
    "phone": "téléphone", "telephone": "téléphone", "number": "numéro nombre", "email": "mail", "e-mail": "mail",
    "website": "site internet", "site": "site", "contact": "contact", "who": "qui",
    "team": "équipe", "teams": "équipes", "health": "santé", "healthcare": "santé soins", "care": "soins",
    "primary care": "soins primaires premier recours", "coordinated": "coordonné", "coordination": "coordination",
    "centre": "centre", "center": "centre", "house": "maison", "home": "maison", "community": "communauté",
    "territorial": "territoriale", "territory": "territoire", "specialist": "spécialiste", "specialists": "spécialistes",
    "specialised": "spécialisés", "specialized": "spécialisés",
    "doctor": "médecin", "doctors": "médecins", "physician": "médecin", "physicians": "médecins",
    "general practitioner": "médecin généraliste", "general practitioners": "médecins généralistes",
    "gp": "médecin généraliste", "gps": "médecins généralistes", "gp's": "médecin généraliste", "nurse": "infirmier", "nurses": "infirmiers",
    "pharmacist": "pharmacien", "pharmacists": "pharmaciens", "salaried": "salariés", "employed": "salariés",
    "self-employed": "libéraux", "private practice": "libéral",
    "member": "membre", "members": "membres professionnels", "join": "rejoindre composition",
    "composition": "composition", "legal form": "forme juridique statut", "legal status": "forme juridique statut",
    "association": "association", "company": "société", "validation": "validation", "validated": "validé",
    "approved": "validation", "contract": "contrat", "years": "ans années", "year": "an année", "duration": "durée",
    "how many": "nombre combien", "count": "nombre", "region": "région", "regions": "régions",
    "population": "population", "coverage": "couverture", "mission": "mission", "missions": "missions",
    "project": "projet", "health project": "projet de santé", "size": "taille", "sizes": "tailles",
    "advantages": "avantages", "benefits": "avantages", "drawbacks": "points de vigilance",
    "risks": "points de vigilance risque", "pitfalls": "points de vigilance", "tools": "outils", "tool": "outil",
    "patient": "patient", "patients": "patients", "support": "appui accompagnement", "help": "accompagner",
    "complex": "complexes", "prevention": "prévention", "access": "accès", "unscheduled": "non programmés",
    "cardiology": "cardiologie", "cardiologists": "cardiologues", "union": "syndicat", "created": "créé création",
    "create": "créer création", "january": "janvier", "february": "février", "march": "mars", "april": "avril",
    "may": "mai", "june": "juin", "july": "juillet", "august": "août", "september": "septembre",
    "october": "octobre", "november": "novembre", "december": "décembre", "manage": "gère géré",
    "manages": "gère géré", "managed": "géré", "existed": "existait", "exist": "existe", "active": "activité", "set up": "créer mise en place", "what is": "qu'est-ce", "average": "moyenne",
    "practice": "exercice", "coordinated practice": "exercice coordonné", "work": "exercer travailler",
    "working": "exercer travailler", "alone": "seul isolement", "choose": "choisir",
    "validate": "valider validation", "validates": "valide validation", "finances": "finance financement",
    "runs": "gère gestionnaire", "run": "gère gestionnaire",
}

_PATTERN = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in EN_FR), key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def french_terms(text: str) -> str:
    """French equivalents of the English terms of a text (empty when there are none)."""
    return " ".join(EN_FR[m.group(1).lower()] for m in _PATTERN.finditer(text))


# French words that ask about money, mapped to the words the sheets use for it.
FUNDING_WORDS = re.compile(
    r"\b(per[çc]oi[tv]\w*|percevoir|touch\w+|vers[ée]\w*|re[çc]oi\w*|recevoir|pay\w+|gagn\w+|"
    r"montants?|sommes?|r[ée]mun[ée]r\w+|dotations?|subventions?|aides? financi\w+|argent)\b",
    re.IGNORECASE,
)


COUNT_WORDS = re.compile(r"\bcombien (?:de|d'|y a|existe|compte)|\bhow many\b|\bnombre\b", re.IGNORECASE)


def funding_terms(text: str) -> str:
    """The sheets' own words when a question asks about money or counts in other words."""
    extra = []
    if FUNDING_WORDS.search(text):
        extra.append("financement financements rémunération")
    if COUNT_WORDS.search(text):
        extra.append("nombre")
    return " ".join(extra)
