"""Sheets and their metadata: ``corpus/*.{txt,md,pdf}`` plus one row each in ``corpus/sheets.csv``."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from pathlib import Path
from urllib.parse import urlsplit

from .errors import CorpusError
from .schema import Sheet, SheetMeta

log = logging.getLogger(__name__)

METADATA_FILE = "sheets.csv"
SHEET_SUFFIXES = (".txt", ".md", ".pdf")
META_COLUMNS = ("id", "title", "publisher", "region", "date", "date_note", "url", "short_name")
REQUIRED_COLUMNS = ("id", "title", "publisher")
URL_SCHEMES = ("http", "https")


def read_metadata(corpus_dir: Path) -> dict[str, SheetMeta]:
    """The rows of ``sheets.csv`` by sheet id; a file that is not clean UTF-8 CSV is a :class:`CorpusError`."""
    path = corpus_dir / METADATA_FILE
    if not path.exists() and not path.is_symlink():
        log.warning("No %s in %s: every sheet will be indexed without metadata.", METADATA_FILE, corpus_dir)
        return {}
    if not _inside(path, corpus_dir.resolve()):
        raise CorpusError(
            f"{path} est un lien vers un fichier hors du dossier du corpus : refusé ; "
            f"copiez le fichier dans {corpus_dir}."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path} illisible ({exc.strerror or type(exc).__name__}).") from exc
    return parse_metadata(decode_metadata(raw, str(path)), str(path))


def decode_metadata(raw: bytes, name: str = METADATA_FILE) -> str:
    """The text of the metadata file; binary or non-UTF-8 content is refused with the line at fault."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(
            f"{name}, ligne {line} : octet nul, ce n'est pas un fichier texte ; "
            "enregistrez les métadonnées en CSV (UTF-8) avec les colonnes " + ", ".join(META_COLUMNS) + "."
        )
    try:
        return raw.decode("utf-8-sig")  # the BOM that spreadsheets write is accepted
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{name}, ligne {line} : texte qui n'est pas en UTF-8 (octet 0x{raw[exc.start]:02X}) ; "
            "enregistrez-le en CSV UTF-8 (LibreOffice : Enregistrer sous > Jeu de caractères Unicode (UTF-8))."
        ) from exc


def parse_metadata(text: str, name: str = METADATA_FILE) -> dict[str, SheetMeta]:
    """Rows of a metadata CSV by sheet id.

    Every problem that would silently shift or drop a field is an error naming its line: a quote
    opened and not closed, a field that runs over several lines, a row with too many or too few
    fields, an empty or repeated id, a link that is not http(s).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise CorpusError(f"{name}, ligne 1 : en-tête illisible ({_csv_problem(exc)}).") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CorpusError(f"{name} : colonnes manquantes {missing} (attendu : {', '.join(META_COLUMNS)}).")
    rows: dict[str, SheetMeta] = {}
    first_seen: dict[str, int] = {}
    end = reader.line_num
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CorpusError(f"{name}, ligne {start} : {_csv_problem(exc)}.") from exc
        end = reader.line_num
        if not any(field.strip() for field in record):
            continue  # a blank line
        where = f"{name}, ligne {start}"
        if end > start:
            raise CorpusError(
                f"{where} : un champ court sur les lignes {start} à {end} (guillemet \" non fermé ?) ; "
                "un champ ne peut pas contenir de retour à la ligne."
            )
        if len(record) != len(header):
            raise CorpusError(
                f"{where} : {len(record)} champs au lieu de {len(header)} ({', '.join(header)}) ; "
                "mettez entre guillemets un champ qui contient une virgule."
            )
        values = dict(zip(header, (field.strip() for field in record)))
        sheet_id = values.get("id", "")
        if not sheet_id:
            raise CorpusError(f"{where} : identifiant (id) vide.")
        if sheet_id in first_seen:
            raise CorpusError(
                f"{where} : l'identifiant {sheet_id} est déjà celui de la ligne {first_seen[sheet_id]} ; "
                "une seule ligne par fiche."
            )
        url = values.get("url", "")
        if url and not is_web_url(url):
            scheme = urlsplit(url).scheme if ":" in url else ""
            raise CorpusError(
                f"{where} : adresse (url) refusée"
                + (f" (schéma « {scheme[:20]}: »)" if scheme.isascii() and scheme.isalnum() else "")
                + " ; seules les adresses http:// ou https:// complètes sont acceptées (ou laissez le champ vide)."
            )
        first_seen[sheet_id] = start
        rows[sheet_id] = SheetMeta(**{k: values.get(k, "") for k in META_COLUMNS})
    return rows


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) address with a host and no space or control character."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.hostname)


def _csv_problem(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "guillemet \" ouvert et jamais fermé : le champ court jusqu'à la fin du fichier"
    if "expected after" in message:
        return "guillemet \" mal placé : un champ entre guillemets doit être suivi d'une virgule"
    if "field larger than field limit" in message:
        return "champ démesuré (guillemet \" non fermé ?)"
    return "ligne CSV mal formée"


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
    except OSError as exc:
        raise CorpusError(f"{path.name} illisible ({exc.strerror or type(exc).__name__}).") from exc


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, lies in the directory ``root`` (already resolved)."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop
        return False


def sheet_files(corpus_dir: Path) -> list[Path]:
    """The sheet files of ``corpus_dir``, sorted by name.

    A symbolic link is followed only when it ends inside the corpus directory: a link to
    ``/etc/passwd`` must not become a sheet shown to every physician. Links that leave the
    directory, and anything that is not a regular file, are skipped with a warning.
    """
    root = corpus_dir.resolve()
    files = []
    for path in sorted(corpus_dir.iterdir()):
        if path.suffix.lower() not in SHEET_SUFFIXES or path.name.startswith("."):
            continue
        if path.is_symlink() and not _inside(path, root):
            log.warning("%s is a symbolic link that leaves the corpus directory: skipped (copy the file instead).",
                        path.name)
            continue
        if not path.is_file():
            log.warning("%s is not a regular file: skipped.", path.name)
            continue
        files.append(path)
    return files


def large_sheets(sheets: list[Sheet], limit_mb: float) -> list[tuple[str, int]]:
    """(file name, bytes of text) of the sheets whose text is above ``limit_mb`` megabytes (10⁶ bytes)."""
    sizes = ((Path(s.path).name, len(s.text.encode("utf-8"))) for s in sheets)
    return [(name, size) for name, size in sizes if size > limit_mb * 1_000_000]


def load_corpus(corpus_dir: Path) -> list[Sheet]:
    """Every sheet in ``corpus_dir``, sorted by id. A sheet without metadata is kept, with a warning."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"Dossier du corpus introuvable : {corpus_dir} (réglez COORDO_CORPUS_DIR).")
    metadata = read_metadata(corpus_dir)
    sheets = []
    for path in sheet_files(corpus_dir):
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
