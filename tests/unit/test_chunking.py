from pathlib import Path

import pytest

from assistant.chunking import chunk_sheet
from assistant.corpus import load_corpus
from assistant.text import clean_markup
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def corpus_passages():
    sheets = load_corpus(CORPUS)
    return sheets, {s.id: chunk_sheet(s) for s in sheets}


def test_every_span_points_at_its_text(corpus_passages):
    sheets, passages = corpus_passages
    for sheet in sheets:
        assert passages[sheet.id], sheet.id
        for p in passages[sheet.id]:
            raw = sheet.text[p.start : p.end]
            assert raw == raw.strip(), p.id
            assert clean_markup(raw) == p.body, p.id
            assert p.body in p.text or p.kind.startswith("table"), p.id


def test_passage_ids_carry_the_sheet_and_are_unique(corpus_passages):
    _, passages = corpus_passages
    ids = [p.id for ps in passages.values() for p in ps]
    assert len(ids) == len(set(ids))
    assert all(p.id.startswith(f"{p.sheet_id}#") for ps in passages.values() for p in ps)


def _find(passages, needle):
    return [p for p in passages if needle in p.body]


def test_table_cell_carries_row_and_column_headers(corpus_passages):
    _, passages = corpus_passages
    cell = _find(passages["occitanie-urps-ml-interet-exercice-coordonne"], "287 500")
    assert len(cell) == 1 and cell[0].kind == "table_cell"
    assert "CPTS Communauté Professionnelle Territoriale de Santé — Financements : ACI: 287 500" in cell[0].text
    msp = _find(passages["occitanie-urps-ml-interet-exercice-coordonne"], "80 105")[0]
    assert "MSP Maison de Santé Pluriprofessionnelle — Financements : ACI: 80 105 € en moyenne en 2022" in msp.text
    # the CPTS funding cell is its own passage: no neighbouring column in it
    assert "80 105" not in cell[0].text


def test_table_with_named_corner_uses_rows_as_entities(corpus_passages):
    _, passages = corpus_passages
    escap = _find(passages["nouvelle-aquitaine-urps-ml-exercice-coordonne"], "200€ par an")[0]
    assert escap.text.splitlines()[-1].startswith("ESCAP (Équipe de Soins Coordonnée Avec le Patient) — Financement : ")


def test_narrow_table_rows_keep_column_names(corpus_passages):
    _, passages = corpus_passages
    row = _find(passages["snc-tout-savoir-exercice-coordonne"], "Occitanie | 40")[0]
    assert row.kind == "table_row"
    assert "Région : Occitanie ; Nombre de CPTS : 40 ; Population : 2 899 688 ; Couverture : 47,68 %" in row.text
    assert "427 CPTS" in row.text  # the table's caption travels with each row


def test_page_furniture_is_dropped(corpus_passages):
    _, passages = corpus_passages
    bodies = [p.body for ps in passages.values() for p in ps]
    assert not any(b.strip() == "1" for b in bodies)
    assert not any(b.startswith("Illustration 1") for b in bodies)
    assert not any("....." in b for b in bodies)  # table of contents


def test_list_stays_with_its_introduction(corpus_passages):
    _, passages = corpus_passages
    intro = _find(passages["snc-tout-savoir-exercice-coordonne"], "Trois modalités de financement")[0]
    assert "Article 51" in intro.body and "fonds d'intervention régional" in intro.body


def test_synthetic_sheet(tiny_corpus):
    sheet = load_corpus(tiny_corpus)[0]
    passages = chunk_sheet(sheet)
    bodies = [p.body for p in passages]
    assert not any(b in ("2", "Actualité") or b.startswith("Illustration") for b in bodies)
    intro = _find(passages, "décrit notamment")[0]
    assert "le travail en équipe" in intro.body and intro.section == ("LES MAISONS DE SANTÉ",)
    cells = [p for p in passages if p.kind == "table_cell"]
    assert len(cells) == 4
    cpts = _find(cells, "287 500")[0]
    assert cpts.text.endswith(
        "CPTS Communauté territoriale — Financements : ACI: 287 500 € (taille 1) à 580 000 (taille 4) si résultats 100 %"
    )
    for p in passages:
        assert clean_markup(sheet.text[p.start : p.end]) == p.body


def test_no_content_line_is_lost():
    """Every line of every sheet is quoted by a passage or heads one, except titles, tables' header rows,
    tables of contents and table labels (whose words the passages carry in their context)."""
    import re

    from assistant.chunking import _is_furniture

    for sheet in load_corpus(CORPUS):
        passages = chunk_sheet(sheet)
        spans = [(p.start, p.end) for p in passages]
        sections = {h for p in passages for h in p.section}
        lines = sheet.text.splitlines(keepends=True)
        title = next(i for i, raw in enumerate(lines) if clean_markup(raw.strip()))
        lost, pos = [], 0
        for n, raw in enumerate(lines):
            start, pos = pos, pos + len(raw)
            text = clean_markup(raw.strip())
            if not text or _is_furniture(raw) or n == title or text in sections:
                continue
            previous = next((lines[i] for i in range(n - 1, -1, -1) if lines[i].strip()), "")
            if "\t" in raw and "\t" not in previous:
                continue  # a table's header row: in its passages' context, not quoted
            if re.search(r"\.{4,}|^TABLEAU \d", text):
                continue
            if not any(s < pos and e > start for s, e in spans):
                lost.append(text)
        assert lost == [], f"{sheet.id}: {lost}"


def test_table_cell_fields_name_entity_attribute_and_headers(corpus_passages):
    _, by_sheet = corpus_passages
    passages = [p for ps in by_sheet.values() for p in ps]
    cell = _find(passages, "287 500")[0]
    assert cell.kind == "table_cell"
    assert cell.entity.startswith("CPTS") and cell.attribute == "Financements"
    assert cell.column_header == cell.entity and cell.row_header == "Financements"


def test_table_row_fields_hold_its_cells_with_their_headers(corpus_passages):
    _, by_sheet = corpus_passages
    passages = [p for ps in by_sheet.values() for p in ps]
    row = _find(passages, "Occitanie | 40")[0]
    assert row.entity == "Occitanie"
    assert ("Nombre de CPTS", "40") in row.cells and ("Couverture", "47,68 %") in row.cells


def test_a_list_cut_by_a_blank_line_keeps_one_span_and_its_introduction(corpus_passages):
    _, by_sheet = corpus_passages
    passages = [p for ps in by_sheet.values() for p in ps]
    first = _find(passages, "1. Améliorer la qualité")[0]
    last = _find(passages, "10. Travailler dans un cadre attractif")[0]
    assert first.list_span == last.list_span and first.list_intro == last.list_intro
    text = (CORPUS / "occitanie-urps-ml-interet-exercice-coordonne.txt").read_text(encoding="utf-8")
    intro = text[slice(*first.list_intro)]
    assert intro.startswith("L'exercice coordonné présente de nombreux avantages") and intro.endswith(":")
    assert "10. Travailler" in text[slice(*first.list_span)]


def test_previous_line_points_at_the_line_above(corpus_passages):
    _, by_sheet = corpus_passages
    passages = [p for ps in by_sheet.values() for p in ps]
    passage = _find(passages, "Ce site propose une cartographie")[0]
    text = (CORPUS / "snc-tout-savoir-exercice-coordonne.txt").read_text(encoding="utf-8")
    above = text[slice(*passage.previous_line)]
    assert above.strip() and "\n" not in above and passage.start > passage.previous_line[1]


def test_a_sources_list_is_one_references_passage_and_labels_head_nothing():
    """« Sources : » then one reference a line (short lines that look like subtitles) is one passage of kind
    "references"; « Source : DGOS avril 2023 » and « Mots clés : … » label the sheet and head no section."""
    from assistant.schema import Sheet, SheetMeta

    text = ("Fiche test\n\nLES CPTS\n\nOn compte 427 CPTS en activité.\n\nSource : DGOS avril 2023\n\n"
            "Plus d'informations sur le site sante.gouv.fr\n\nMots clés: #CPTS #MSP\n\nSources:\n\n"
            "Convention médicale 2024\n\nArticle L.6323-3 du CSP relatif aux maisons de santé\n\n"
            "LES MSP\n\nLes MSP réunissent des professionnels de santé.\n")
    sheet = Sheet(meta=SheetMeta(id="t", title="Fiche test", publisher="Test"), path="t.txt", text=text, sha256="x")
    passages = chunk_sheet(sheet)
    assert all("Source" not in h and "Mots clés" not in h for p in passages for h in p.section)
    references = [p for p in passages if p.kind == "references"]
    assert len(references) == 1
    assert references[0].body.startswith("Sources:") and "Article L.6323-3" in references[0].body
    assert "Convention médicale 2024" in references[0].body and references[0].section == ("LES CPTS",)
    after = _find(passages, "Les MSP réunissent")[0]
    assert after.kind == "prose" and after.section == ("LES MSP",)  # a main title ends the references


def test_a_title_states_a_fact_by_its_figures_not_by_its_section_number(corpus_passages):
    """« ON COMPTE AUJOURD'HUI 427 CPTS… » is a title and a passage that answers; « 2 – Quelques points de vigilance
    à prendre en compte » only heads what follows: quoted alone, it was given as an answer."""
    from assistant.chunking import states_fact

    assert states_fact("ON COMPTE AUJOURD'HUI 427 CPTS EN ACTIVITÉ, COUVRANT PRÈS DE 55 % DE LA POPULATION")
    assert not states_fact("2 – Quelques points de vigilance à prendre en compte")
    assert not states_fact("III. Quels interlocuteurs pour mon projet ?")
    _, passages = corpus_passages
    bodies = [p.body.strip() for p in passages["occitanie-urps-ml-interet-exercice-coordonne"]]
    assert "2 – Quelques points de vigilance à prendre en compte" not in bodies
    assert any(b.startswith("ON COMPTE AUJOURD'HUI 427 CPTS") for p in passages.values() for b in (x.body for x in p))
