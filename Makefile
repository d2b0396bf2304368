# sluice: the two commands first.
#   make demo   builds the host and the one plugin the demo uses, then runs a
#               real pipeline on the bundled replay provider into SQLite
#               (sluice.db), twice.
#   make test   runs every test, PostgreSQL ones included (it starts a
#               throwaway PostgreSQL from the local binaries when none runs).
#
# What this Makefile installs when missing: the Rust target wasm32-wasip2
# (rustup target add), for building plugins; for `make test`, the Debian
# packages prometheus (promtool) and chromium (apt-get install); and
# moto[server] from PyPI (pip, in a virtualenv under target/moto), the local
# S3-compatible server the export tests start.

CARGO      ?= cargo
PLUGINS    := football-data the-odds-api openfootball espn api-football thesportsdb sportmonks odds-maths team-aliases kickoff-in-season crm-scores
# What each demo loads: only these are built for it; `make plugins` builds all.
DEMO_PLUGINS       := football-data
BUNDESLIGA_PLUGINS := openfootball api-football
PLUGIN_DIR := target/plugins
WASM_DIR   := target/wasm32-wasip2/plugin
SLUICE     := target/debug/sluice

.PHONY: demo demo-bundesliga first-build-note test plugins test-plugins host lint bench bench-live wasm-target help tools-observability check-prometheus tools-s3 bench-crm bench-scale bench-generic

help:
	@echo "make demo     build the host and one plugin, run the demo pipeline (no network, no key)"
	@echo "make test     run every test"
	@echo "make demo-bundesliga  two providers of one league linked into canonical matches"
	@echo "make plugins  build the first-party plugins into $(PLUGIN_DIR)/"
	@echo "make lint     cargo fmt --check and clippy -D warnings"
	@echo "make bench    performance figures (release build; the limit test alone takes a minute)"
	@echo "make bench-live  live path under 500 simulated matches: missed/duplicate events, latency, peak RSS (PostgreSQL)"
	@echo "make bench-crm   CRM user features from 10M transactions: sluice against pandas, Polars, DuckDB (PostgreSQL)"
	@echo "make bench-generic  a 5M-row CSV and Parquet file into PostgreSQL: sluice against psql \\copy and dlt (rows/s, peak RSS)"
	@echo "make bench-scale  1, 2, 4 and 8 workers on one queue and one shared limit: throughput and utilisation (PostgreSQL)"

demo: first-build-note host
	@$(MAKE) --no-print-directory plugins PLUGINS="$(DEMO_PLUGINS)"
	@scripts/demo.sh $(SLUICE)

# Two providers, one league: openfootball and API-Football's Bundesliga
# 2023-24 linked into one canonical match per real match (bundesliga.db).
demo-bundesliga: first-build-note host
	@$(MAKE) --no-print-directory plugins PLUGINS="$(BUNDESLIGA_PLUGINS)"
	@scripts/demo-bundesliga.sh $(SLUICE)

# Measured on a 2-core machine from a fresh clone (7 min 43 s): the host (wasmtime
# included) and one plugin.
first-build-note:
	@[ -x $(SLUICE) ] || echo "First build: the host, with its WebAssembly runtime, and one plugin compile once; about 8 minutes on 2 cores, seconds afterwards."

# The PostgreSQL tests use the server scripts/postgres-for-tests.sh finds or
# starts (never skipped): the local one on 127.0.0.1:5432, or a throwaway
# cluster under target/postgres. `cargo test` builds the host binary the
# tests run, with the test build's features: a separate `cargo build` first
# would compile wasmtime twice. A test whose recording is missing fails:
# the developer's opt-out (SLUICE_ALLOW_MISSING_RECORDINGS) is unset here.
# The database-source tests read MariaDB through the server
# scripts/mariadb-for-tests.sh finds or starts.
test: tools-observability tools-s3 check-prometheus plugins test-plugins
	url="$$(scripts/postgres-for-tests.sh)" && mariadb="$$(scripts/mariadb-for-tests.sh)" && env -u SLUICE_ALLOW_MISSING_RECORDINGS SLUICE_TEST_POSTGRES="$$url" SLUICE_TEST_MARIADB="$$mariadb" $(CARGO) test --workspace

host:
	$(CARGO) build -p sluice

wasm-target:
	@rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

# Tools `make test` needs beyond Rust and PostgreSQL, installed from Debian
# when missing. apt-get update runs only when the install fails (package
# lists missing or stale).
APT_GET = $(if $(filter 0,$(shell id -u)),,sudo )apt-get
tools-observability:
	@command -v promtool >/dev/null || { \
		echo "installing Debian package prometheus (promtool checks docs/prometheus/alerts.yml) ..."; \
		$(APT_GET) install -y prometheus || { echo "apt-get install failed: updating the package lists and trying again"; \
			$(APT_GET) update && $(APT_GET) install -y prometheus; }; }
	@command -v chromium >/dev/null || { \
		echo "installing Debian package chromium (the headless browser the tests of the serve dashboard drive) ..."; \
		$(APT_GET) install -y chromium || { echo "apt-get install failed: updating the package lists and trying again"; \
			$(APT_GET) update && $(APT_GET) install -y chromium; }; }

# The local S3 server of the export tests (tests/it/export.rs starts
# target/moto/bin/moto_server on a free port), installed when missing.
MOTO_SERVER := target/moto/bin/moto_server
tools-s3:
	@[ -x $(MOTO_SERVER) ] || { \
		echo "installing moto[server] from PyPI into target/moto (the local S3 server the export tests start) ..."; \
		python3 -m venv target/moto && target/moto/bin/pip install --quiet 'moto[server]'; }
	@[ -x target/moto/bin/msoffcrypto-tool ] || { \
		echo "installing msoffcrypto-tool from PyPI into target/moto (encrypts a workbook for the file-source tests) ..."; \
		target/moto/bin/pip install --quiet msoffcrypto-tool; }

# The alerting rules parse, and fire (or stay quiet) as their unit tests say.
check-prometheus: tools-observability
	promtool check rules docs/prometheus/alerts.yml
	promtool test rules docs/prometheus/alerts_test.yml

# Each plugin ends as $(PLUGIN_DIR)/NAME.wasm with its manifest NAME.toml beside it.
plugins: wasm-target
	$(CARGO) build --target wasm32-wasip2 --profile plugin $(addprefix -p ,$(PLUGINS))
	@mkdir -p $(PLUGIN_DIR)
	@for p in $(PLUGINS); do \
		cp $(WASM_DIR)/$$(echo $$p | tr - _).wasm $(PLUGIN_DIR)/$$p.wasm; \
		cp plugins/$$p/manifest.toml $(PLUGIN_DIR)/$$p.toml; \
		echo "plugin $$p -> $(PLUGIN_DIR)/$$p.wasm"; \
	done

# Plugins that exist for the tests only: ones built against the earlier
# contract versions (sluice:plugin@0.1.0, 0.2.0, 0.3.0), which the host
# must keep running;
# one that misbehaves in every way the sandbox must contain; one built for a
# contract version the host does not accept; the trivial normalizer
# `make bench` times a plugin call with; a validator, a transformer and a
# scorer whose answers (and misbehaviour) the tests choose.
TEST_PLUGINS := legacy-v0-1 legacy-v0-2 legacy-v0-3 hostile future-contract trivial validator-probe transformer-probe scorer-probe
test-plugins: wasm-target
	$(CARGO) build --target wasm32-wasip2 --profile plugin $(addprefix -p ,$(TEST_PLUGINS))
	@mkdir -p target/test-plugins
	@for p in $(TEST_PLUGINS); do \
		cp $(WASM_DIR)/$$(echo $$p | tr - _).wasm target/test-plugins/$$p.wasm; \
		cp tests/plugins/$$p/manifest.toml target/test-plugins/$$p.toml; \
	done

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Figures, not pass/fail: extraction throughput and rate-limit utilisation.
bench: plugins test-plugins
	url="$$(scripts/postgres-for-tests.sh)" && SLUICE_TEST_POSTGRES="$$url" $(CARGO) bench -p sluice --bench plugins --bench extraction --bench backfill --bench odds_load --bench serve_history

# The live path under a simulated match day: 500 matches at once
# (SLUICE_BENCH_LIVE_MATCHES) at 60x (SLUICE_BENCH_LIVE_SPEED), polled by
# `sluice serve` into PostgreSQL, heard over SSE and LISTEN. Figures only.
bench-live: plugins
	url="$$(scripts/postgres-for-tests.sh)" && SLUICE_TEST_POSTGRES="$$url" $(CARGO) bench -p sluice --bench live

# Workers: throughput of 1, 2, 4 and 8 `sluice worker` processes against a
# 50 ms provider, with the shared limit high and then binding; then the
# queue and a limit row under 100 concurrent clients. Figures only.
bench-scale: plugins
	url="$$(scripts/postgres-for-tests.sh)" && SLUICE_TEST_POSTGRES="$$url" $(CARGO) bench -p sluice --bench scale

# CRM user features: SLUICE_BENCH_CRM_TRANSACTIONS (default 10,000,000) of
# SLUICE_BENCH_CRM_USERS (default 500,000) generated into PostgreSQL and as
# a Parquet file (one seed, checksums checked equal), then sluice (pushed
# into PostgreSQL, and from the Parquet file) against pandas, Polars and
# DuckDB reading that file with 2 threads each, outputs checked equal. The
# peers are installed from PyPI under target/bench-tools/crm.
bench-crm:
	$(CARGO) build --release -p sluice
	url="$$(scripts/postgres-for-tests.sh)" && scripts/bench-crm.sh target/release/sluice "$$url"

# Generic file loads: SLUICE_BENCH_GENERIC_ROWS (default 5,000,000) seeded
# rows as a CSV file and the same rows as Parquet (Snappy), loaded into
# PostgreSQL by psql \copy (the floor), by sluice's file source and by dlt's
# filesystem source, each a separate process; rows/s, ratios, peak RSS, and
# row counts checked equal. dlt is installed from PyPI under
# target/bench-tools/generic.
bench-generic:
	$(CARGO) build --release -p sluice
	url="$$(scripts/postgres-for-tests.sh)" && scripts/bench-generic.sh target/release/sluice "$$url"
