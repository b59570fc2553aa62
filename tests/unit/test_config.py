from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import CoordoError


def test_env_then_overrides():
    env = {"COORDO_TOP_K": "7", "COORDO_ENGINE": "llm", "COORDO_INDEX_DIR": "/tmp/x", "XDG_CACHE_HOME": "/tmp/c"}
    s = Settings.from_env(env)
    assert s.top_k == 7 and s.engine == "llm" and s.index_dir == Path("/tmp/x")
    assert s.cache_dir == Path("/tmp/c/coordo")
    assert Settings.from_env(env, top_k=3).top_k == 3


def test_bad_number_is_a_clear_error():
    with pytest.raises(CoordoError, match="COORDO_TOP_K"):
        Settings.from_env({"COORDO_TOP_K": "beaucoup"})


def test_api_key_is_masked():
    assert Settings.from_env({"COORDO_LLM_API_KEY": "sk-123"}).describe()["llm_api_key"] == "***"
