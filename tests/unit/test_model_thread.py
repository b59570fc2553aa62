"""The model's own thread: every call on one thread, pieces streamed back, errors and early stops carried."""

import threading

import pytest

from assistant.answer.model_thread import ModelThread


def test_every_call_runs_on_the_same_thread_whoever_asks():
    worker = ModelThread("test-model")
    seen = []

    def reply():
        for piece in ("a", "b"):
            seen.append(threading.get_ident())
            yield piece

    seen.append(worker.call(threading.get_ident))
    out = []
    callers = [threading.Thread(target=lambda: out.append("".join(worker.stream(reply)))) for _ in range(3)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert out == ["ab"] * 3
    assert len(set(seen)) == 1 and seen[0] != threading.get_ident()


def test_the_reply_is_produced_ahead_of_its_reader():
    worker = ModelThread()
    produced = threading.Event()

    def reply():
        yield "first"
        yield "second"
        produced.set()

    stream = worker.stream(reply)
    assert next(stream) == "first"
    assert produced.wait(5)  # the reader has taken one piece; the model went on without waiting for it
    assert list(stream) == ["second"]


def test_an_error_reaches_the_reader_after_the_pieces_before_it():
    worker = ModelThread()

    def reply():
        yield "début"
        raise RuntimeError("le modèle a échoué")

    stream = worker.stream(reply)
    assert next(stream) == "début"
    with pytest.raises(RuntimeError, match="le modèle a échoué"):
        next(stream)
    assert worker.call(lambda: "suivant") == "suivant"  # the thread is still there for the next question


def test_a_reader_that_leaves_stops_the_reply_and_frees_the_thread():
    worker = ModelThread()
    gate, closed = threading.Event(), threading.Event()
    written = []

    def reply():
        try:
            for n in range(1000):
                written.append(n)
                yield n
                gate.wait(5)  # one piece at a time, after the reader has left
        finally:
            closed.set()

    stream = worker.stream(reply)
    assert next(stream) == 0
    stream.close()  # the visitor left
    gate.set()
    assert closed.wait(5)  # the underlying reply was closed (a llama.cpp stream frees its context there)
    assert worker.call(lambda: "suivant") == "suivant"
    assert len(written) < 1000
