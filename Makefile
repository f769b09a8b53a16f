# The two commands of the README: `make run` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app pdservice
DEV := PDSERVICE_ENV=development

.PHONY: run test test-components setup lint format i18n-extract i18n-missing i18n-check clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python -m pdservice.i18n_tools compile

run: setup
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) seed demo --if-empty
	$(DEV) $(BIN)/python -m pdservice.devserver

# Test-only components in Node (the OpenID provider the sign-in tests start), pinned by
# tests/oidc/provider/package-lock.json and installed from the npm registry.
OIDC_PROVIDER := tests/oidc/provider
NODE_STAMP := $(OIDC_PROVIDER)/node_modules/.installed

$(NODE_STAMP): $(OIDC_PROVIDER)/package.json $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

test-components: $(NODE_STAMP)

PYTEST_ARGS ?= -n 2

# Each xdist worker and each process a test starts imports the whole project: let Python keep
# its compiled modules (__pycache__/, ignored by git) even where the environment says not to.
test: setup test-components
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

i18n-extract: $(STAMP)
	$(DEV) $(FLASK) i18n extract

# The untranslated strings as JSON to fill in: make -s i18n-missing > new.json
i18n-missing: $(STAMP)
	@$(BIN)/python tools/fill_translations.py --missing

i18n-check: $(STAMP)
	$(DEV) $(FLASK) i18n check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(OIDC_PROVIDER)/node_modules
