"""One thread for every call into a local model.

llama.cpp computes with a team of OpenMP threads that belongs to the thread calling it. Called from
a new thread for each question (as a web server does: each request, or each piece of a streamed
answer, may come on another worker thread), it computes with a cold team while the warm one sits idle,
and the two fight for the cores: on two cores the reply was written 30 to 40 % slower than from the
thread that warmed the model (CPU use 165-180 % instead of 198 %). A :class:`ModelThread` runs the
load, the warm-up and every generation on the same thread, whoever asks, and streams the pieces back.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
_END = object()


class _Raised:
    """An exception from the model's thread, carried to the reader to be raised there."""

    def __init__(self, exc: BaseException):
        self.exc = exc


class ModelThread:
    """A single worker thread: calls run one at a time, in the order they were made."""

    def __init__(self, name: str = "coordo-model"):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """``fn(*args, **kwargs)`` on the model's thread; its result, or its exception raised here."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def stream(self, events: Callable[[], Iterable[T]]) -> Iterator[T]:
        """The events of ``events()``, produced on the model's thread as fast as they come.

        An exception raised while producing is raised to the reader at its place in the sequence. When
        the reader stops early (the visitor left, the generator was closed), the producer stops at its
        next event and closes its iterator, which frees what it holds, without finishing the reply.
        Until then, a later call waits for its turn.
        """
        pending: queue.Queue = queue.Queue()
        stop = threading.Event()

        def produce() -> None:
            try:
                iterator = iter(events())
                try:
                    for event in iterator:
                        if stop.is_set():
                            break
                        pending.put(event)
                finally:
                    close = getattr(iterator, "close", None)
                    if close is not None:
                        close()
            except BaseException as exc:  # noqa: BLE001 — carried to the reader, raised there
                pending.put(_Raised(exc))
                return
            pending.put(_END)

        self._executor.submit(produce)
        try:
            while True:
                event = pending.get()
                if event is _END:
                    return
                if isinstance(event, _Raised):
                    raise event.exc
                yield event
        finally:
            stop.set()
