# Herald's two contracts: `make demo` and `make test`. Each builds (or reuses) .venv from
# pyproject.toml + requirements.lock, so a fresh machine needs nothing but python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
N      ?= 200000

.PHONY: demo test lint bench serve clean lock

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p demo-run && cd demo-run && ../$(BIN)/herald demo

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check herald tests bench
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench.run --n $(N)

serve: $(STAMP)
	$(BIN)/herald serve

# Re-pin dependencies after editing pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) demo-run .pytest_cache
