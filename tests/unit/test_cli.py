from click.testing import CliRunner

from assistant.cli import main


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
