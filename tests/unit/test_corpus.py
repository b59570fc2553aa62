import logging
from pathlib import Path

import pytest

from assistant.corpus import load_corpus
from assistant.errors import CorpusError
from tests.conftest import CORPUS


def test_shipped_corpus_has_metadata_for_every_sheet(caplog):
    with caplog.at_level(logging.WARNING):
        sheets = load_corpus(CORPUS)
    assert len(sheets) == 5 and not caplog.records
    by_id = {s.id: s.meta for s in sheets}
    assert by_id["occitanie-urps-ml-interet-exercice-coordonne"].date == "septembre 2025"
    assert "med-in-occ.org" in by_id["occitanie-urps-ml-interet-exercice-coordonne"].url
    assert by_id["nouvelle-aquitaine-urps-ml-exercice-coordonne"].date == "01/11/2025"
    assert by_id["cpts-pays-auray-gqi-exercice-coordonne"].date == "17 juin 2025"
    assert by_id["snc-tout-savoir-exercice-coordonne"].date == "avril 2023"
    ars = by_id["ars-formes-exercice-coordonne"]
    assert ars.date == "" and ars.date_label == "non datée"


def test_an_answer_names_a_publisher_by_its_short_name_when_the_sheet_has_one(tiny_corpus):
    """« (URPS ML Occitanie, septembre 2025) » after each quote, the full name in the citation; the column is
    optional, and a metadata file without it names the publisher in full."""
    from assistant.answer.base import source_label

    by_id = {s.id: s.meta for s in load_corpus(CORPUS)}
    occitanie = by_id["occitanie-urps-ml-interet-exercice-coordonne"]
    assert occitanie.publisher == "URPS Médecins Libéraux Occitanie"
    assert source_label(occitanie) == "URPS ML Occitanie, septembre 2025"
    assert source_label(by_id["ars-formes-exercice-coordonne"]) == "ARS, non datée"
    (meta,) = [s.meta for s in load_corpus(tiny_corpus)]  # its sheets.csv has no short_name column
    assert meta.short_name == "" and source_label(meta) == f"{meta.publisher}, {meta.date_label}"


def test_sheet_without_metadata_is_indexed_with_a_warning(tiny_corpus, caplog):
    (tiny_corpus / "nouvelle-fiche.md").write_text("# Titre\n\nLes CPTS ont 4 tailles.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        sheets = load_corpus(tiny_corpus)
    assert [s.id for s in sheets] == ["fiche-test", "nouvelle-fiche"]
    assert any("nouvelle-fiche.md has no row" in r.getMessage() for r in caplog.records)


def test_pdf_sheet_is_read(tiny_corpus):
    (tiny_corpus / "fiche-pdf.pdf").write_bytes(_minimal_pdf("Les DAC appuient les professionnels."))
    sheets = {s.id: s for s in load_corpus(tiny_corpus)}
    assert "Les DAC appuient les professionnels." in sheets["fiche-pdf"].text


def test_broken_inputs_are_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="introuvable"):
        load_corpus(tmp_path / "absent")
    (tmp_path / "vide").mkdir()
    with pytest.raises(CorpusError, match="Aucune fiche"):
        load_corpus(tmp_path / "vide")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "latin1.txt").write_bytes("Fiche en latin-1 : é".encode("latin-1"))
    with pytest.raises(CorpusError, match="UTF-8"):
        load_corpus(bad)


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of Helvetica text, written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# -- D7, D8, D13, D14: a corpus that would silently lose or leak something is refused or skipped, loudly ---------


HEADER = "id,title,publisher,region,date,date_note,url"


def _csv_lines(corpus) -> list[str]:
    return (corpus / "sheets.csv").read_text(encoding="utf-8").splitlines()


def _write_csv(corpus, lines: list[str]) -> None:
    (corpus / "sheets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_d7_stray_quote_is_an_error_with_its_line(real_corpus):
    """The probe's attack: one `"` before a title made the rest of the file that sheet's title, exit 0."""
    lines = _csv_lines(real_corpus)
    sheet_id, rest = lines[2].split(",", 1)
    _write_csv(real_corpus, lines[:2] + [f'{sheet_id},"{rest}'] + lines[3:])
    with pytest.raises(CorpusError, match=r"sheets\.csv, ligne 3 : .*guillemet") as caught:
        load_corpus(real_corpus)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "row, expected",
    [
        ('fiche-test,Titre,URPS,Test,2025,,"https://exemple.fr', r"ligne 2 : guillemet \" ouvert et jamais fermé"),
        ('fiche-test,"Titre" mal cité,URPS,Test,2025,,', r"ligne 2 : guillemet \" mal placé"),
        ("fiche-test,Titre, avec virgule,URPS,Test,2025,,", r"ligne 2 : 8 champs au lieu de 7"),
        ("fiche-test,Titre,URPS", r"ligne 2 : 3 champs au lieu de 7"),
        (",Titre,URPS,Test,2025,,", r"ligne 2 : identifiant \(id\) vide"),
    ],
    ids=["quote-never-closed", "quote-then-text", "unquoted-comma", "missing-fields", "empty-id"],
)
def test_d7_malformed_rows_name_the_line_and_the_problem(tiny_corpus, row, expected):
    _write_csv(tiny_corpus, ["id,title,publisher,region,date,date_note,url", row])
    with pytest.raises(CorpusError, match=expected):
        load_corpus(tiny_corpus)


def test_d7_duplicate_id_is_an_error_naming_both_lines(real_corpus):
    """A repeated id used to keep the last row silently."""
    lines = _csv_lines(real_corpus)
    copy = lines[3].replace(",", ",Autre titre ", 1)
    _write_csv(real_corpus, lines + [copy])
    sheet_id = lines[3].split(",", 1)[0]
    expected = rf"ligne {len(lines) + 1} : l'identifiant {sheet_id} est déjà celui de la ligne 4"
    with pytest.raises(CorpusError, match=expected):
        load_corpus(real_corpus)


def test_d7_well_formed_quotes_and_blank_lines_still_load(tiny_corpus):
    _write_csv(tiny_corpus, [
        "\ufeffid,title,publisher,region,date,date_note,url",
        "",
        'fiche-test,"Titre, avec ""guillemets""",URPS,Test,2025,"Note, avec virgule",https://exemple.fr/a?b=1',
        "",
    ])
    meta = load_corpus(tiny_corpus)[0].meta
    assert meta.title == 'Titre, avec "guillemets"' and meta.date_note == "Note, avec virgule"


@pytest.mark.parametrize(
    "content, expected",
    [
        ("id,title,publisher\nfiche-test,Fiche café,Éditeur\n".encode("latin-1"),
         r"ligne 2 : texte qui n'est pas en UTF-8 \(octet 0xE9\)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
         r"ligne 3 : octet nul, ce n'est pas un fichier texte"),
        (bytes(range(128, 256)) * 4, r"ligne 1 : texte qui n'est pas en UTF-8"),
    ],
    ids=["latin-1", "png", "random-bytes"],
)
def test_d8_metadata_not_utf8_or_binary_is_one_line(tiny_corpus, content, expected):
    (tiny_corpus / "sheets.csv").write_bytes(content)
    with pytest.raises(CorpusError, match=expected) as caught:
        load_corpus(tiny_corpus)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//exemple.fr/fiche",
        "https://",
        "exemple.fr/fiche",
    ],
    ids=["javascript", "mixed-case", "tab-inside", "data", "vbscript", "file", "protocol-relative", "no-host",
         "no-scheme"],
)
def test_d13_non_http_url_is_refused_at_indexing(tiny_corpus, url):
    quoted = '"' + url.replace('"', '""') + '"'
    _write_csv(tiny_corpus, [HEADER, f"fiche-test,Titre,URPS,Test,2025,,{quoted}"])
    with pytest.raises(CorpusError, match=r"ligne 2 : adresse \(url\) refusée.*http"):
        load_corpus(tiny_corpus)


def test_d13_http_and_https_urls_and_none_are_kept(tiny_corpus):
    for url in ("https://exemple.fr/fiche.pdf#page=2", "HTTP://exemple.fr", ""):
        _write_csv(tiny_corpus, [HEADER, f"fiche-test,Titre,URPS,Test,2025,,{url}"])
        assert load_corpus(tiny_corpus)[0].meta.url == url


def test_d14_symlink_out_of_the_corpus_is_refused_with_a_warning(tiny_corpus, tmp_path, caplog):
    """The probe's attack: `passwd.txt → /etc/passwd` was indexed and shown in « Fiches »."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (tiny_corpus / "passwd.txt").symlink_to("/etc/passwd")
    (tiny_corpus / "secret.txt").symlink_to(secret)
    (tiny_corpus / "relative.md").symlink_to(Path("..") / "secret.txt")
    with caplog.at_level(logging.WARNING):
        sheets = load_corpus(tiny_corpus)
    assert [s.id for s in sheets] == ["fiche-test"]
    warned = [r.getMessage() for r in caplog.records if "symbolic link that leaves the corpus" in r.getMessage()]
    assert len(warned) == 3 and not any("root" in w for w in warned)


def test_d14_symlink_inside_the_corpus_and_odd_entries(tiny_corpus, caplog):
    (tiny_corpus / "alias.txt").symlink_to("fiche-test.txt")
    (tiny_corpus / "dossier.txt").mkdir()
    (tiny_corpus / "boucle.txt").symlink_to("boucle.txt")
    with caplog.at_level(logging.WARNING):
        sheets = load_corpus(tiny_corpus)
    assert [s.id for s in sheets] == ["alias", "fiche-test"]
    assert any("dossier.txt is not a regular file" in r.getMessage() for r in caplog.records)


def test_d14_metadata_file_linked_out_of_the_corpus_is_refused(tiny_corpus, tmp_path):
    outside = tmp_path / "meta.csv"
    (tiny_corpus / "sheets.csv").rename(outside)
    (tiny_corpus / "sheets.csv").symlink_to(outside)
    with pytest.raises(CorpusError, match="hors du dossier du corpus"):
        load_corpus(tiny_corpus)
