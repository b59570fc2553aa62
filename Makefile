# Coordo — the two set-up commands are `make run` and `make test` (see README).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# llama.cpp is compiled once for this CPU's vector units, never with GGML_NATIVE (its default build crashes
# on these CPUs, AMX path): AVX2, plus AVX-512 with VNNI when the CPU has it (the prompt is read ~1.5x faster).
# The wheel is kept per variant in the user's cache, so a fresh clone reuses it instead of compiling again.
LLAMA_VERSION    := 0.3.36
LLAMA_AVX512     := $(shell for f in avx512f avx512_vnni avx512vbmi avx512_bf16; do grep -qw $$f /proc/cpuinfo 2>/dev/null || exit 0; done; echo 1)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
ifeq ($(LLAMA_AVX512),1)
LLAMA_CMAKE_ARGS += -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON
endif
LLAMA_WHEELS     := $(HOME)/.cache/coordo/wheels/llama-cpp-python-$(LLAMA_VERSION)-$(if $(LLAMA_AVX512),avx512,avx2)

.PHONY: install run test index clean browser postgresql

$(VENV)/.installed: pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	@ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || { \
	  echo "Compilation de llama.cpp pour ce processeur ($(notdir $(LLAMA_WHEELS)), une seule fois, ~10 min)…"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) wheel --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python \
	    -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION); }
	$(PIP) install --quiet --find-links $(LLAMA_WHEELS) -e '.[llm,test]'
	$(PIP) install --quiet --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	touch $@

install: $(VENV)/.installed

index: install
	$(VENV)/bin/coordo index

run: index
	$(VENV)/bin/coordo serve

# The browser tests drive Debian's Chromium (Playwright's own browser download fails on these machines).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installation de Chromium (paquet Debian)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The store's tests run on SQLite and on a real PostgreSQL: a throwaway cluster made with Debian's binaries
# (initdb, pg_ctl; no system service is started or needed).
postgresql:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installation de PostgreSQL (paquet Debian)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

test: install browser postgresql
	bash scripts/run-tests

clean:
	rm -rf $(VENV) index index.tmp-* index.old-*
