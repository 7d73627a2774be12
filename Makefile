# `make run` and `make test` do all the set-up themselves on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint try validate bench locales

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## run the bot (needs QUIZBOT_TOKEN; SQLite file quizbot.db by default)
	$(BIN)/quizbot run

test: $(STAMP)  ## the whole test suite
	$(BIN)/pytest

lint: $(STAMP)  ## ruff, mypy and hadolint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

try: $(STAMP)  ## take a quiz in the terminal, no Telegram needed
	$(BIN)/quizbot try

validate: $(STAMP)  ## check the shipped banks
	$(BIN)/quizbot validate questions/*.yaml

bench: $(STAMP)  ## the benchmark: quiz bot vs a bare PTB bot, /leaderboard, import, memory, reminders (~10 min)
	$(BIN)/python -m bench

# Keywords: bot/i18n.py's t(message, ...), nt(singular, plural, n, ...) and N_(message).
BABEL := $(BIN)/pybabel
BABEL_KEYWORDS := -k t -k nt:1,2 -k N_
locales: $(STAMP)  ## after changing a text: extract it, update the catalogs (.po), compile them (.mo, committed)
	$(BABEL) extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-output --no-wrap \
		--project quizbot -o bot/locales/messages.pot .
	$(BABEL) update -i bot/locales/messages.pot -d bot/locales --no-wrap --ignore-obsolete
	$(BABEL) compile -d bot/locales --statistics
