# The course in two commands: `make course` and `make test`.
# Every target creates or reuses .venv; torch is installed first so that pip
# takes the CPU wheel and never pulls a multi-GB CUDA build.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT := $(CURDIR)

# Keep every cache and config inside ignored folders of the repo, and never
# reach for the network: nothing writes into $HOME.
export AIENG_HOME := $(ROOT)/.aieng
export JUPYTER_CONFIG_DIR := $(ROOT)/.cache/jupyter/config
export JUPYTER_DATA_DIR := $(ROOT)/.cache/jupyter/data
export JUPYTER_RUNTIME_DIR := $(ROOT)/.cache/jupyter/runtime
export JUPYTER_PLATFORM_DIRS := 1
export IPYTHONDIR := $(ROOT)/.cache/ipython
export MPLCONFIGDIR := $(ROOT)/.cache/matplotlib
export HF_HOME := $(ROOT)/.cache/huggingface
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export XDG_CACHE_HOME := $(ROOT)/.cache/xdg
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: course test lab bench setup lint clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	@mkdir -p $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(IPYTHONDIR) $(MPLCONFIGDIR) $(HF_HOME) $(AIENG_HOME)
	@touch $(STAMP)

setup: $(STAMP)

course: $(STAMP)
	$(BIN)/aieng course

test: $(STAMP)
	$(BIN)/ruff check aieng tests bench
	$(BIN)/ruff format --check aieng tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser curriculum/README.md

bench: $(STAMP)
	$(BIN)/aieng bench

lint: $(STAMP)
	$(BIN)/ruff format aieng tests bench
	$(BIN)/ruff check --fix aieng tests bench

clean:
	rm -rf .cache .aieng .grading .pytest_cache
