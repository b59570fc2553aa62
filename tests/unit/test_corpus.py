import logging

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
