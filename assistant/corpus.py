"""Sheets and their metadata: ``corpus/*.{txt,md,pdf}`` plus one row each in ``corpus/sheets.csv``."""

from __future__ import annotations

import csv
import hashlib
import logging
from pathlib import Path

from .errors import CorpusError
from .schema import Sheet, SheetMeta

log = logging.getLogger(__name__)

METADATA_FILE = "sheets.csv"
SHEET_SUFFIXES = (".txt", ".md", ".pdf")
META_COLUMNS = ("id", "title", "publisher", "region", "date", "date_note", "url")


def read_metadata(corpus_dir: Path) -> dict[str, SheetMeta]:
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        log.warning("No %s in %s: every sheet will be indexed without metadata.", METADATA_FILE, corpus_dir)
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"id", "title", "publisher"} - set(reader.fieldnames or ())
        if missing:
            raise CorpusError(f"{path}: colonnes manquantes {sorted(missing)} (attendu : {', '.join(META_COLUMNS)}).")
        rows = {}
        for line_no, row in enumerate(reader, start=2):
            sheet_id = (row.get("id") or "").strip()
            if not sheet_id:
                raise CorpusError(f"{path}, ligne {line_no} : identifiant (id) vide.")
            rows[sheet_id] = SheetMeta(**{k: (row.get(k) or "").strip() for k in META_COLUMNS})
        return rows


def read_text(path: Path) -> str:
    """Text of one sheet file; PDFs are converted page by page."""
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(str(path))
            return "\n\n".join((page.extract_text() or "") for page in reader.pages)
        except Exception as exc:  # pypdf raises many kinds on broken files
            raise CorpusError(f"{path.name} : PDF illisible ({exc}).") from exc
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name} n'est pas un texte UTF-8 ; convertissez-le avant de l'indexer.") from exc


def load_corpus(corpus_dir: Path) -> list[Sheet]:
    """Every sheet in ``corpus_dir``, sorted by id. A sheet without metadata is kept, with a warning."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"Dossier du corpus introuvable : {corpus_dir} (réglez COORDO_CORPUS_DIR).")
    metadata = read_metadata(corpus_dir)
    sheets = []
    for path in sorted(corpus_dir.iterdir()):
        if path.suffix.lower() not in SHEET_SUFFIXES or path.name.startswith("."):
            continue
        text = read_text(path)
        if not text.strip():
            log.warning("%s is empty: skipped.", path.name)
            continue
        meta = metadata.get(path.stem)
        if meta is None:
            log.warning(
                "%s has no row in %s: indexed with its file name as title; add a row (id=%s) for proper citations.",
                path.name, METADATA_FILE, path.stem,
            )
            meta = SheetMeta(id=path.stem, title=path.stem, publisher="inconnu")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        sheets.append(Sheet(meta=meta, path=str(path), text=text, sha256=digest))
    for sheet_id in sorted(set(metadata) - {s.id for s in sheets}):
        log.warning("Metadata row %r has no sheet file in %s.", sheet_id, corpus_dir)
    if not sheets:
        raise CorpusError(f"Aucune fiche (.txt, .md, .pdf) dans {corpus_dir}.")
    return sheets
