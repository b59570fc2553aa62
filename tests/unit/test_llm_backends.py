import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from assistant.answer.llm import OpenAICompatibleBackend
from assistant.answer.model_files import MODEL_FILE, ensure_model_file, resolve_model_path
from assistant.errors import LLMServerError, ModelError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down_is_a_clear_error():
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{free_port()}/v1", "m", timeout=2)
    with pytest.raises(LLMServerError, match="injoignable"):
        list(backend.generate([{"role": "user", "content": "x"}], 5))


class _ChatHandler(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible endpoint that streams a fixed reply (loopback only)."""

    requests = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _ChatHandler.requests.append((self.path, self.headers.get("Authorization"), body))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ("Une CPTS ", "perçoit 287 500 € [1]."):
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


def test_openai_compatible_server_streams_the_reply():
    server = HTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        backend = OpenAICompatibleBackend(f"http://127.0.0.1:{server.server_port}/v1", "qwen", "secret", timeout=5)
        pieces = list(backend.generate([{"role": "user", "content": "Q"}], 50))
    finally:
        server.shutdown()
    assert "".join(pieces) == "Une CPTS perçoit 287 500 € [1]."
    path, auth, body = _ChatHandler.requests[-1]
    assert path == "/v1/chat/completions" and auth == "Bearer secret"
    assert body["model"] == "qwen" and body["temperature"] == 0.0 and body["stream"] is True


def test_corrupted_model_file_is_refused(tmp_path):
    target = tmp_path / "models" / MODEL_FILE
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a gguf")
    with pytest.raises(ModelError, match="SHA-256"):
        ensure_model_file(tmp_path)


def test_configured_model_path_must_exist(tmp_path):
    with pytest.raises(ModelError, match="introuvable"):
        resolve_model_path(str(tmp_path / "absent.gguf"), tmp_path)
