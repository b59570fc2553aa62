"""``coordo bench``: how fast and how big, measured on this machine, printed and written to JSON.

Each section runs in its own Python process, so its load time and peak memory are its own; the
parent only starts them, gathers their JSON and compares the numbers with the targets.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..config import Settings
from ..evals.metrics import percentile
from ..web.limits import RATE_LIMIT_SETTINGS
from ..web.server import free_port

# (section, metric, limit, unit): the targets of the performance issue, for a two-core laptop
TARGETS = (
    ("retrieval", "hybrid_p95_ms", 50.0, "ms"),
    ("answers", "extractive_p95_ms", 300.0, "ms"),
    ("llm", "first_token_p50_s", 4.0, "s"),
    ("llm", "total_p50_s", 12.0, "s"),
    ("cold_start", "ask_s", 5.0, "s"),
    ("scaling", "100000.hybrid_p95_ms", 200.0, "ms"),
)
QUESTIONS = Path(__file__).resolve().parents[2] / "evals" / "coordo-qa.jsonl"
# The question the browser test (tests/e2e/test_web_llm.py) times in Chromium; the LLM section asks it first,
# in the same state (model warmed up, nothing asked yet), and sets its timings beside the browser's.
BROWSER_QUESTION = "Combien une CPTS peut-elle percevoir au titre de l'ACI ?"
BROWSER_TIMINGS = Path(__file__).resolve().parents[2] / "artifacts" / "web-timings.json"


@dataclass(frozen=True)
class BenchOptions:
    sizes: tuple[int, ...] = (10_000, 100_000)
    llm_questions: int = 5
    llm: bool = True
    cold: bool = True
    load_levels: tuple[int, ...] = (1, 2, 4, 8, 16, 20)  # simulated physicians at once, extractive engine
    load_per_user: int = 5
    llm_load_users: int = 4  # 0 = no LLM load run
    workers_load_users: int = 20  # physicians on 1 then 2 workers sharing a throwaway PostgreSQL; 0 = not run


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _dist(values_s: list[float], name: str, scale: float = 1000.0, unit: str = "ms") -> dict:
    return {
        f"{name}_p50_{unit}": round(percentile([v * scale for v in values_s], 0.5), 2),
        f"{name}_p95_{unit}": round(percentile([v * scale for v in values_s], 0.95), 2),
    }


def _questions() -> list[str]:
    from ..evals.dataset import load_dataset

    return [case.question for case in load_dataset(QUESTIONS)]


def _timed(run: Callable[[str], object], questions: list[str]) -> list[float]:
    """Seconds each call of ``run`` took, one per question."""
    times = []
    for q in questions:
        t = time.perf_counter()
        run(q)
        times.append(time.perf_counter() - t)
    return times


# -- sections (each in a child process) ---------------------------------------------------------------

def _search_times(retriever, questions: list[str], settings: Settings) -> dict:
    """p50/p95 of BM25 alone, dense alone (query embedding + vector search) and the whole hybrid search
    (both, fusion and the coverage signals). Questions are analysed once beforehand, as the pipeline does."""
    from ..question import analyse

    questions = [analyse(q) for q in questions]
    retriever.search(questions[0], k=settings.top_k)  # first-query warm-up (lazy caches)
    runs = {
        "bm25": lambda q: retriever.bm25(q, settings.candidates),
        "dense": lambda q: retriever.dense(q, settings.candidates),
        "hybrid": lambda q: retriever.search(q, k=settings.top_k),
    }
    out = {}
    for name, run in runs.items():
        out.update(_dist(_timed(run, questions), name))
    return out


def section_build(settings: Settings) -> dict:
    from ..embeddings import load_embeddings
    from ..index import build_index

    t0 = time.perf_counter()
    embeddings, spec = load_embeddings(settings)
    loaded = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = build_index(settings, embeddings, spec, rebuild=True)
    seconds = time.perf_counter() - t1
    return {
        "passages": result.info.passages,
        "embedded": result.embedded,
        "model_load_s": round(loaded, 2),
        "build_s": round(seconds, 2),
        "passages_per_s": round(result.info.passages / seconds, 1),
        "peak_rss_mb": _peak_rss_mb(),
    }


def section_retrieval(settings: Settings) -> dict:
    from ..pipeline import Coordo

    t0 = time.perf_counter()
    coordo = Coordo(settings)
    retriever = coordo.retriever
    _ = coordo.engine
    loaded = time.perf_counter() - t0
    questions = _questions()
    out: dict = {"questions": len(questions), "load_s": round(loaded, 2)}
    out.update(_search_times(retriever, questions, settings))
    out["answers"] = _dist(_timed(coordo.ask, questions), "extractive")
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def section_llm(settings: Settings, count: int) -> dict:
    """First visible token and whole answer, as `coordo serve` gives them: the model loaded and warmed first.

    Per answer: prompt tokens (and how many llama.cpp reused from the previous question), the time to read
    the prompt and the time to write the reply, so a slow answer says where its time went.
    """
    from ..pipeline import Coordo
    from ..schema import Answer

    t0 = time.perf_counter()
    coordo = Coordo(settings.with_(engine="llm"))
    _ = coordo.retriever
    _ = coordo.engine
    loaded = time.perf_counter() - t0
    t1 = time.perf_counter()
    coordo.warm_up()
    warmed = time.perf_counter() - t1
    firsts, totals, rates, tokens, per_answer = [], [], [], [], []
    questions = [BROWSER_QUESTION] + [q for q in _questions()[:: max(1, 159 // max(count, 1))] if q != BROWSER_QUESTION]
    for q in questions[:count]:
        start = time.perf_counter()
        first = last = None
        pieces = 0
        answer = None
        for event in coordo.stream(q):
            if isinstance(event, str):
                now = time.perf_counter()
                first = first or now
                last = now
                pieces += 1
            elif isinstance(event, Answer):
                answer = event
        totals.append(time.perf_counter() - start)
        if answer is not None and answer.generation:
            per_answer.append({"question": q, "first_token_s": round(first - start, 2) if first else None,
                               "total_s": round(totals[-1], 2), **answer.generation})
        if first is not None and answer is not None and not answer.abstained:
            firsts.append(first - start)
            tokens.append(pieces)
            if pieces > 1 and last > first:
                rates.append((pieces - 1) / (last - first))
    generation = {
        f"{key}_p50": percentile([float(a[key]) for a in per_answer], 0.5) if per_answer else None
        for key in ("prompt_tokens", "cached_tokens", "prompt_ms", "decode_ms", "generated_tokens")
    }
    return {
        "model": getattr(coordo.engine.backend, "label", ""),
        "threads": settings.llm_threads or os.cpu_count(),
        "questions": len(totals),
        "load_s": round(loaded, 2),
        "warm_up_s": round(warmed, 2),
        **_dist(firsts, "first_token", 1.0, "s"),
        **_dist(totals, "total", 1.0, "s"),
        "tokens_per_answer_p50": percentile([float(t) for t in tokens], 0.5),
        "decode_tokens_per_s_p50": round(percentile(rates, 0.5), 2),
        **generation,
        "per_answer": per_answer,
        "peak_rss_mb": _peak_rss_mb(),
    }


def browser_comparison(llm: dict, timings_file: Path) -> dict | None:
    """The browser test's timings of :data:`BROWSER_QUESTION` beside this bench's, when the test has run here.

    Both are taken on this machine with the model warmed up and nothing asked before; the browser's include
    the web server, the page and Chromium (which shares the cores in the test, not in use). ``gap_*`` is the
    browser's time over the bench's, minus one: +0.20 means the browser saw it 20 % later.
    """
    ours = next((a for a in llm.get("per_answer", []) if a.get("question") == BROWSER_QUESTION), None)
    try:
        browser = json.loads(timings_file.read_text())["llm"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if ours is None or not isinstance(browser, dict) or browser.get("question", BROWSER_QUESTION) != BROWSER_QUESTION:
        return None
    pairs = {"first_token": (browser.get("first_token_visible_s"), ours.get("first_token_s")),
             "full_answer": (browser.get("full_answer_s"), ours.get("total_s"))}
    out: dict = {"question": BROWSER_QUESTION, "recorded": timings_file.name}
    for name, (seen, bench) in pairs.items():
        if isinstance(seen, (int, float)) and isinstance(bench, (int, float)) and bench > 0:
            out[name] = {"browser_s": seen, "bench_s": bench, "gap": round(seen / bench - 1, 3)}
    return out if len(out) > 2 else None


def section_scale(settings: Settings, size: int, work: Path) -> dict:
    import numpy as np

    from .. import __version__
    from ..embeddings import load_embeddings
    from ..index import CHUNKER_VERSION, FORMAT_VERSION, MANIFEST, IndexInfo, _text_key, _write, open_index
    from ..retrieval import HybridRetriever
    from .synthetic import synthetic_passages

    real = open_index(settings.index_dir, settings.chroma_url)
    got = real.collection.get(include=["embeddings", "metadatas"])
    by_id = {m["passage_id"]: e for m, e in zip(got["metadatas"], got["embeddings"])}
    base_vectors = np.array([by_id[p.id] for p in real.passages], dtype=np.float32)
    rss_before = _peak_rss_mb()
    t0 = time.perf_counter()
    passages, vectors = synthetic_passages(real.passages, base_vectors, size)
    directory = work / f"synthetic-{size}"
    shutil.rmtree(directory, ignore_errors=True)
    collection = f"synthetic_{size}"
    keys = [_text_key(p.text) for p in passages]
    _write(directory, collection, passages, vectors.tolist(), keys, [])
    info = IndexInfo(
        format_version=FORMAT_VERSION, coordo_version=__version__, chunker_version=CHUNKER_VERSION,
        embedding=real.info.embedding, collection=collection,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - t0, 2), passages=len(passages), sheets={},
    )
    (directory / MANIFEST).write_text(info.to_json(), encoding="utf-8")
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    index = open_index(directory)
    opened = time.perf_counter() - t1
    embeddings, _ = load_embeddings(settings)
    retriever = HybridRetriever(index, embeddings, candidates=settings.candidates, rrf_k=settings.rrf_k)
    out = {"passages": size, "store_build_s": round(build, 2), "open_s": round(opened, 2),
           "embedding_estimate_s": None, "disk_mb": round(_du(directory) / 2**20, 1)}
    out.update(_search_times(retriever, _questions(), settings))
    out["peak_rss_mb"] = _peak_rss_mb()
    out["rss_before_build_mb"] = rss_before
    shutil.rmtree(directory, ignore_errors=True)
    return out


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


SECTIONS: dict[str, Callable] = {
    "build": section_build, "retrieval": section_retrieval, "llm": section_llm, "scale": section_scale,
}


# -- the parent -----------------------------------------------------------------------------------------

def _child(section: str, settings: Settings, *args, timeout: float = 3600) -> dict:
    command = [sys.executable, "-m", "assistant.bench.run", section, *map(str, args)]
    done = subprocess.run(command, env=_env(settings), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        from ..errors import CoordoError

        raise CoordoError(f"Le banc « {section} » a échoué :\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env(settings: Settings) -> dict:
    return {**os.environ, "COORDO_INDEX_DIR": str(settings.index_dir), "COORDO_CORPUS_DIR": str(settings.corpus_dir)}


@contextmanager
def served(settings: Settings, data: Path, engine: str = "extractive", database_url: str = ""):
    """`coordo serve` in a child process on a free loopback port; yields (base URL, pid, seconds to ready)."""
    port = free_port()
    exe = str(Path(sys.executable).with_name("coordo"))
    t = time.perf_counter()
    # the load test plays many physicians from one address: the per-client rate limits would cut it short
    unlimited = {f"COORDO_{name.upper()}": "0" for name in RATE_LIMIT_SETTINGS}
    server = subprocess.Popen([exe, "serve", "--port", str(port), "--data-dir", str(data), "--engine", engine],
                              env={**_env(settings), **unlimited, "COORDO_DATABASE_URL": database_url},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            if server.poll() is not None or time.perf_counter() - t > 300:
                from ..errors import CoordoError

                raise CoordoError(f"coordo serve n'a pas démarré : {server.stderr.read()[-1000:] if server.stderr else ''}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", server.pid, time.perf_counter() - t
    finally:
        server.terminate()
        server.wait(timeout=30)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cold_starts(settings: Settings, runs: int = 3) -> dict:
    """Process start to printed answer (`coordo ask`), and to a web app that answers (`coordo serve`)."""
    exe = str(Path(sys.executable).with_name("coordo"))
    asks = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([exe, "ask", "Qu'est-ce qu'une CPTS ?"], env=_env(settings), capture_output=True, check=True,
                       timeout=300)
        asks.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as data:
        t = time.perf_counter()
        with served(settings, Path(data)) as (base, _, ready):
            from gradio_client import Client

            Client(base, verbose=False).predict("Qu'est-ce qu'une CPTS ?", "[]", "", api_name="/ask")
            answered = time.perf_counter() - t
    return {"ask_s": round(sorted(asks)[len(asks) // 2], 2), "ask_runs_s": [round(a, 2) for a in asks],
            "serve_ready_s": round(ready, 2), "serve_first_answer_s": round(answered, 2)}


def _measured_load(base, pid: int, questions: list[str], users: int, per_user: int, store) -> dict:
    """One load run, with the CPU the server (``pid``) and the simulated clients (this process) used."""
    from .load import run_load

    cpu0, mine0, t0 = _cpu_seconds(pid), _own_cpu_seconds(), time.perf_counter()
    row = run_load(base, questions, users, per_user, store).to_dict()
    wall = time.perf_counter() - t0
    row["server_cpu_cores"] = round((_cpu_seconds(pid) - cpu0) / wall, 2)
    row["clients_cpu_cores"] = round((_own_cpu_seconds() - mine0) / wall, 2)
    return row


def load_levels(settings: Settings, options: BenchOptions, say: Callable[[str], None]) -> dict:
    """Simulated physicians at growing concurrency (extractive), then a few with the LLM engine."""
    from ..web.store import Store

    questions = _questions()
    out: dict = {"per_user": options.load_per_user, "extractive": [], "llm": None}
    with tempfile.TemporaryDirectory() as data:
        with served(settings, Path(data)) as (base, pid, _):
            for users in options.load_levels:
                row = _measured_load(base, pid, questions, users, options.load_per_user, Store(Path(data)))
                out["extractive"].append(row)
                say(f"  {users:>3} médecins : p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                    f"{row['throughput_rps']} req/s, CPU serveur {row['server_cpu_cores']} / clients "
                    f"{row['clients_cpu_cores']} cœurs, erreurs {row['errors']}")
    base_p50 = out["extractive"][0]["p50_ms"] if out["extractive"] else 0
    out["latency_doubles_at_users"] = next(
        (r["users"] for r in out["extractive"] if base_p50 and r["p50_ms"] >= 2 * base_p50), None
    )
    if options.llm_load_users:
        with tempfile.TemporaryDirectory() as data:
            with served(settings, Path(data), engine="llm") as (base, pid, _):
                row = _measured_load(base, pid, questions[::17], options.llm_load_users, 1, Store(Path(data)))
                out["llm"] = row
                say(f"  LLM, {row['users']} médecins : p50 {row['p50_ms'] / 1000:.1f} s, p95 {row['p95_ms'] / 1000:.1f} s, "
                    f"erreurs {row['errors']}")
    return out


def load_workers(settings: Settings, options: BenchOptions, say: Callable[[str], None]) -> dict:
    """The same physicians on one worker, then split over two, every worker on one PostgreSQL (a throwaway cluster
    on loopback, a fresh database per run); both workers share this machine's cores."""
    from contextlib import ExitStack

    from ..web.store import Store
    from .postgres import create_cluster, destroy_cluster

    questions = _questions()
    users = options.workers_load_users
    out: dict = {"users": users, "per_user": options.load_per_user, "database": "postgresql", "runs": []}
    cluster = create_cluster()
    try:
        for workers in (1, 2):
            url = cluster.create_database()
            with tempfile.TemporaryDirectory() as data, ExitStack() as stack:
                servers = [stack.enter_context(served(settings, Path(data) / f"w{k}", database_url=url))
                           for k in range(workers)]
                store = stack.enter_context(_closing(Store(Path(data) / "observer", database_url=url)))
                cpu0, t0 = [_cpu_seconds(pid) for _, pid, _ in servers], time.perf_counter()
                row = run_load_on([base for base, _, _ in servers], questions, users, options.load_per_user, store)
                wall = time.perf_counter() - t0
                row["workers"] = workers
                row["servers_cpu_cores"] = round(
                    sum(_cpu_seconds(pid) - c for (_, pid, _), c in zip(servers, cpu0)) / wall, 2)
            out["runs"].append(row)
            say(f"  {workers} worker(s), {users} médecins, PostgreSQL : p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                f"{row['throughput_rps']} req/s, erreurs {row['errors']}, avis {row['feedback_stored']}/"
                f"{row['feedback_sent']}")
    finally:
        destroy_cluster(cluster)
    return out


def run_load_on(bases: list[str], questions: list[str], users: int, per_user: int, store) -> dict:
    from .load import run_load

    return run_load(bases, questions, users, per_user, store).to_dict()


@contextmanager
def _closing(store):
    try:
        yield store
    finally:
        store.close()


def run_bench(settings: Settings, out: Path, options: BenchOptions, say: Callable[[str], None]) -> dict:
    """All sections, in a scratch copy of the index (the live one is never touched)."""
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "engine_embeddings": settings.embedding_backend,
    }
    with tempfile.TemporaryDirectory(prefix="coordo-bench-") as scratch:
        work = Path(scratch)
        bench_settings = settings.with_(index_dir=work / "index")
        say("Construction de l'index du corpus (depuis zéro, encodage compris)…")
        results["index_build"] = _child("build", bench_settings)
        say("Recherche (BM25, dense, hybride) et réponses extractives sur les questions d'évaluation…")
        retrieval = _child("retrieval", bench_settings)
        results["answers"] = retrieval.pop("answers")
        results["retrieval"] = retrieval
        if options.llm:
            say(f"Moteur LLM local sur {options.llm_questions} questions…")
            results["llm"] = _child("llm", bench_settings, options.llm_questions)
            results["llm"]["browser"] = browser_comparison(results["llm"], BROWSER_TIMINGS)
        if options.cold:
            say("Démarrages à froid (coordo ask, coordo serve)…")
            results["cold_start"] = cold_starts(bench_settings)
        if options.load_levels:
            say("Charge : médecins simulés en même temps, par l'API du chat web…")
            results["load"] = load_levels(bench_settings, options, say)
        if options.workers_load_users:
            say(f"Charge : {options.workers_load_users} médecins sur 1 puis 2 workers partageant un PostgreSQL…")
            results["load_workers"] = load_workers(bench_settings, options, say)
        rate = results["index_build"]["passages_per_s"]
        results["scaling"] = {}
        for size in options.sizes:
            say(f"Corpus synthétique de {size} passages…")
            scaled = _child("scale", bench_settings, size, work)
            scaled["embedding_estimate_s"] = round(size / rate, 0)
            results["scaling"][str(size)] = scaled
    results["targets"] = check_targets(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def check_targets(results: dict) -> list[dict]:
    rows = []
    for section, metric, limit, unit in TARGETS:
        value = results.get(section, {})
        for part in metric.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        rows.append({"section": section, "metric": metric, "target": limit, "unit": unit, "value": value,
                     "met": None if value is None else value <= limit})
    return rows


def render_table(results: dict) -> str:
    lines = ["", "Cible                               mesuré        objectif   ", "-" * 62]
    for row in results["targets"]:
        mark = {True: "atteint", False: "MANQUÉ", None: "non mesuré"}[row["met"]]
        value = "—" if row["value"] is None else f"{row['value']:.2f} {row['unit']}"
        lines.append(f"{row['section'] + '.' + row['metric']:<36}{value:>12}   ≤ {row['target']:g} {row['unit']:<3} {mark}")
    b, r = results["index_build"], results["retrieval"]
    lines += [
        "",
        f"Index : {b['passages']} passages en {b['build_s']} s ({b['passages_per_s']} passages/s), "
        f"mémoire max {b['peak_rss_mb']} Mo",
        f"Recherche p50/p95 : BM25 {r['bm25_p50_ms']}/{r['bm25_p95_ms']} ms, dense {r['dense_p50_ms']}/"
        f"{r['dense_p95_ms']} ms, hybride {r['hybrid_p50_ms']}/{r['hybrid_p95_ms']} ms",
    ]
    llm = results.get("llm")
    if llm and llm.get("per_answer"):
        lines.append(f"LLM ({llm['model']}, {llm['threads']} fils) : chargé en {llm['load_s']} s, préchauffé en "
                     f"{llm['warm_up_s']} s ; par réponse :")
        for a in llm["per_answer"]:
            lines.append(f"  invite {a['prompt_tokens']} jetons (dont {a['cached_tokens']} en cache) lue en "
                         f"{a['prompt_ms'] / 1000:.1f} s, {a['generated_tokens']} jetons écrits en "
                         f"{a['decode_ms'] / 1000:.1f} s ; premier jeton {a['first_token_s']} s, total {a['total_s']} s")
        browser = llm.get("browser")
        if browser:
            seen = " ; ".join(f"{label} {browser[key]['browser_s']} s dans Chromium contre {browser[key]['bench_s']} s "
                              f"ici ({browser[key]['gap']:+.0%})"
                              for key, label in (("first_token", "premier jeton"), ("full_answer", "réponse complète"))
                              if key in browser)
            lines.append(f"  Test navigateur ({browser['recorded']}), même question « {browser['question']} » : {seen}")
    load = results.get("load")
    if load:
        for row in load["extractive"]:
            lines.append(f"Charge {row['users']:>3} médecins (extractif) : p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                         f"{row['throughput_rps']} req/s, erreurs {row['errors']}, avis {row['feedback_stored']}/"
                         f"{row['feedback_sent']}, CPU serveur {row['server_cpu_cores']} / clients {row['clients_cpu_cores']} cœurs")
        lines.append(f"La latence p50 double à partir de {load['latency_doubles_at_users']} médecins simultanés.")
        if load.get("llm"):
            row = load["llm"]
            lines.append(f"Charge {row['users']} médecins (LLM) : p50 {row['p50_ms'] / 1000:.1f} s, p95 "
                         f"{row['p95_ms'] / 1000:.1f} s, erreurs {row['errors']}, avis {row['feedback_stored']}/"
                         f"{row['feedback_sent']}")
    for row in results.get("load_workers", {}).get("runs", []):
        lines.append(f"Charge {row['users']} médecins sur {row['workers']} worker(s), PostgreSQL : p50 {row['p50_ms']} ms, "
                     f"p95 {row['p95_ms']} ms, {row['throughput_rps']} req/s, erreurs {row['errors']}, avis "
                     f"{row['feedback_stored']}/{row['feedback_sent']}, CPU serveurs {row['servers_cpu_cores']} cœurs")
    for size, s in results.get("scaling", {}).items():
        lines.append(
            f"{int(size):>7} passages : magasin construit en {s['store_build_s']} s (+ ~{s['embedding_estimate_s']:.0f} s "
            f"d'encodage estimés), hybride p50/p95 {s['hybrid_p50_ms']}/{s['hybrid_p95_ms']} ms, "
            f"mémoire max {s['peak_rss_mb']} Mo, disque {s['disk_mb']} Mo"
        )
    return "\n".join(lines)


def _main(argv: list[str]) -> None:
    section, args = argv[0], argv[1:]
    settings = Settings.from_env()
    if section == "llm":
        result = section_llm(settings, int(args[0]))
    elif section == "scale":
        result = section_scale(settings, int(args[0]), Path(args[1]))
    else:
        result = SECTIONS[section](settings)
    print(json.dumps(result))


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.WARNING)
    _main(sys.argv[1:])
