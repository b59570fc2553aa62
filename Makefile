# Coordo — the two set-up commands are `make run` and `make test` (see README).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# llama.cpp's default build crashes on these CPUs (AMX path): build for AVX2 explicitly.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: install run test index clean browser postgresql

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet -e '.[llm,test]'
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
