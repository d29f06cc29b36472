# Herald's two contracts: `make demo` and `make test`. Each builds (or reuses) .venv from
# pyproject.toml + requirements.lock, so a fresh machine needs nothing but python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
N      ?= 200000

PURE_TESTS := tests/rules tests/content tests/contacts/test_normalize.py tests/contacts/test_encoding.py \
              tests/contacts/test_numbertype.py tests/contacts/test_plainparse.py tests/contacts/test_prefixes.py \
              tests/contacts/test_countries.py \
              tests/segments/test_dsl.py tests/campaigns/test_pure.py \
              tests/autotag/test_rules.py tests/autotag/test_keywords.py tests/scores/test_labels.py tests/test_storable.py \
              tests/providers/configured/test_accounts.py tests/providers/configured/test_senders.py tests/providers/incoming/test_callbacks.py tests/providers/incoming/test_receipts.py tests/providers/adapters/test_letters.py tests/providers/adapters/test_unsubscribe.py tests/providers/smpp/test_pdu.py tests/providers/smpp/test_parts.py tests/dispatch/test_retry.py tests/dispatch/test_circuit.py tests/dispatch/test_pacing.py \
              tests/tracking/replies/test_intents.py tests/providers/incoming/test_inbound.py tests/tracking/clicks/test_agents.py tests/providers/incoming/test_bounces.py tests/providers/incoming/test_notices.py tests/tracking/replies/test_sentiment.py \
              tests/access/test_permissions.py tests/access/test_chain.py tests/access/test_totp.py tests/access/test_limits.py tests/access/test_actors.py tests/access/test_throttle.py tests/access/sealing/test_cipher.py tests/analytics/abtests/test_experiments.py tests/analytics/alerting/test_rules.py tests/analytics/reports/test_months.py tests/scores/test_sendtime.py tests/campaigns/abtests/test_experiment.py
PURE_COV   := --cov=herald.rules --cov=herald.content.sms --cov=herald.content.render --cov=herald.content.codegen \
              --cov=herald.content.lint --cov=herald.content.whatsapp --cov=herald.content.channels \
              --cov=herald.content.approval --cov=herald.content.locales --cov=herald.content.pricing \
              --cov=herald.content.composer --cov=herald.content.vendors \
              --cov=herald.contacts.addresses.normalize --cov=herald.contacts.importing.encoding --cov=herald.contacts.addresses.numbertype \
              --cov=herald.contacts.addresses.plainparse --cov=herald.contacts.addresses.prefixes --cov=herald.contacts.addresses.countries --cov=herald.segments.dsl --cov=herald.segments.tokens --cov=herald.segments.nodes \
              --cov=herald.campaigns.planning.assign --cov=herald.campaigns.planning.schedule --cov=herald.campaigns.states \
              --cov=herald.campaigns.rollout --cov=herald.campaigns.deadends --cov=herald.autotag.rules --cov=herald.autotag.keywords \
              --cov=herald.scores.labels --cov=herald.storable --cov=herald.providers.configured.accounts --cov=herald.providers.configured.kinds --cov=herald.providers.configured.values --cov=herald.providers.configured.senders --cov=herald.providers.incoming.callbacks --cov=herald.providers.incoming.receipts --cov=herald.providers.adapters.letters --cov=herald.providers.adapters.unsubscribe --cov=herald.providers.smpp.pdu --cov=herald.providers.smpp.parts --cov=herald.dispatch.retry --cov=herald.dispatch.pacing --cov=herald.dispatch.circuit \
              --cov=herald.tracking.replies.intents --cov=herald.providers.incoming.inbound --cov=herald.tracking.clicks.agents --cov=herald.providers.incoming.bounces --cov=herald.providers.incoming.notices --cov=herald.tracking.replies.sentiment \
              --cov=herald.access.permissions --cov=herald.access.chain --cov=herald.access.totp --cov=herald.access.limits --cov=herald.access.actors --cov=herald.access.throttle --cov=herald.access.sealing.cipher --cov=herald.analytics.abtests.experiments --cov=herald.analytics.alerting.rules --cov=herald.analytics.reports.months --cov=herald.scores.sendtime --cov=herald.campaigns.abtests.experiment --cov=herald.campaigns.overrides

.PHONY: demo test browser lint pure-coverage bench chaos serve clean lock

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p demo-run && cd demo-run && ../$(BIN)/herald demo

test: $(STAMP) browser lint pure-coverage
	$(BIN)/python -m pytest

# The browser tests drive Debian's chromium (never a downloaded browser); the screenshots need CJK fonts.
browser:
	@command -v chromium >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

# The pure modules (rules, normalization, SMS encoding, the segment language, rendering) are table-tested
# to full branch coverage; this keeps them there.
pure-coverage: $(STAMP)
	PYTEST_ADDOPTS= $(BIN)/python -m pytest $(PURE_TESTS) $(PURE_COV) --cov-branch --cov-report=term-missing:skip-covered \
		--cov-fail-under=100 -q

lint: $(STAMP)
	$(BIN)/ruff check herald tests bench
	$(BIN)/ruff format --check herald tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.run --n $(N)

# A worker killed with SIGKILL twenty times during a 10,000-message campaign, on SQLite (and PostgreSQL
# when HERALD_BENCH_POSTGRES_URL is set): nothing received twice, every planned message accounted for.
chaos: $(STAMP)
	$(BIN)/python -m bench.chaos

serve: $(STAMP)
	$(BIN)/herald serve

# Re-pin dependencies after editing pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) demo-run .pytest_cache
