# Baton: `make run` sets up and runs the product; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
GUMROAD ?= ../shared/eval/gumroad-help-center
export PORT

AXE_CORE ?= 4.14.1
AXE_JS := var/npm/axe-core-$(AXE_CORE)/node_modules/axe-core/axe.min.js
export BATON_AXE_JS := $(CURDIR)/$(AXE_JS)

.PHONY: run test setup lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || (rm -rf $(VENV) && scripts/system-deps.sh venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	scripts/system-deps.sh run
	scripts/ensure-redis.sh
	$(BIN)/flask --app webhook setup

run: setup
	@echo ""
	@echo "  Baton is starting: open http://127.0.0.1:$(PORT)/ and click the chat bubble."
	@echo "  (Ctrl-C stops web, worker and cron.)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

$(AXE_JS):
	npm install --no-save --no-audit --no-fund --prefix var/npm/axe-core-$(AXE_CORE) axe-core@$(AXE_CORE)

test: $(VENV)/.installed-dev
	scripts/system-deps.sh test
	$(MAKE) --no-print-directory $(AXE_JS)
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(VENV)/.installed
	$(BIN)/python -m bench.retrieval --docs $(GUMROAD)/articles --questions $(GUMROAD)/qa_pairs_extracted.jsonl
	$(BIN)/python -m bench.retrieval --docs $(GUMROAD)/articles --questions bench/data/paraphrased_questions_2.jsonl
	$(BIN)/python -m bench.answers --docs $(GUMROAD)/articles --questions $(GUMROAD)/qa_pairs_extracted.jsonl
	$(BIN)/python -m bench.answers --docs $(GUMROAD)/articles --questions bench/data/paraphrased_questions_2.jsonl
	$(BIN)/python -m bench.escalation --cases bench/data/escalation_holdout4.csv
	$(BIN)/python -m bench.escalation --bitext
	$(BIN)/python -m bench.live_latency
	$(BIN)/python -m bench.load --shoppers 50 --messages 3 --rounds 3
	$(BIN)/python -m bench.topics --messages bench/data/topics_dev3.csv
	$(BIN)/python -m bench.topics --messages bench/data/topics_blind.csv

clean:
	rm -rf $(VENV) data var .pytest_cache .ruff_cache
