# Two commands for a newcomer: `make demo` and `make test`.  Only Python 3.11 and make needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint bench chaos clean translations screenshots

$(PY):
	@test -n "$(PYTHON)" || { echo "need python3.11 on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/cardchain demo --out demo-out

test: lint
	$(PY) -m pytest

# the unit and property tests alone (no cluster, simulator, crash or window tests): under
# a minute
test-fast: lint
	$(PY) -m pytest -m "not slow"

# a random schedule of every fault against four real validators under load, then the
# checker; a failure prints its replay command (SEED, MINUTES, RATE, FAULTS)
SEED    ?=
MINUTES ?= 5
RATE    ?= 100
FAULTS  ?=
chaos: $(STAMP)
	$(PY) -m tests.support.chaos $(if $(SEED),--seed $(SEED)) --minutes $(MINUTES) \
		--rate $(RATE) $(if $(FAULTS),--faults $(FAULTS))

# ruff and the layers (ui -> app -> node: pyproject.toml [tool.importlinter]); the code's
# shape (no import cycle, no module over 500 lines, no sleep used as a wait in tests/) is
# tests/test_shape.py, which `make test` and `make test-fast` run
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) bench/ledger_apply.py

translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete ui/*.py -ts resources/i18n/cardchain_zh_CN.ts -target-language zh_CN
	$(VENV)/bin/pyside6-lrelease resources/i18n/cardchain_zh_CN.ts -qm resources/i18n/cardchain_zh_CN.qm

# every screen again, headless, in English, Chinese and the dark palette, into
# docs/screenshots/ (English), docs/screenshots/zh_CN/ and docs/screenshots/dark/
screenshots: $(STAMP)
	rm -rf demo-out/screenshots
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/cardchain demo --out demo-out --headless
	cp demo-out/screenshots/en/*.png docs/screenshots/
	mkdir -p docs/screenshots/zh_CN docs/screenshots/dark
	cp demo-out/screenshots/zh_CN/*.png docs/screenshots/zh_CN/
	cp demo-out/screenshots/dark/*.png docs/screenshots/dark/

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache .hypothesis
