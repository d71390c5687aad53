# PagePulse: `make run` and `make test` are the whole set-up on a fresh machine.
# Every tool step installs only what is missing, so re-running is cheap.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.8
# The newest on crates.io; formats Leptos 0.8's `view!` and builds with rustc 1.95.
LEPTOSFMT_VERSION := 0.1.33
# Must equal the wasm-bindgen crate in Cargo.lock (pinned in Cargo.toml).
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TERM_COLOR := never

.PHONY: help tools tool-rust tool-cargo-leptos tool-leptosfmt tool-wasm-bindgen tool-npm tool-chromium \
        vendor tracker assets data build run test lint test-rust test-e2e tool-wrk bench-ingest bench-geo bench-dashboard bench-api bench-delete clean

help:
	@echo "make run    install what is missing, build, serve on http://localhost:8000 (SQLite)"
	@echo "make test   install what is missing, run every check and test"
	@echo "make build  release build (server + wasm + CSS) into target/"

## ---- tools --------------------------------------------------------------

tools: tool-rust tool-cargo-leptos tool-leptosfmt tool-wasm-bindgen tool-npm tool-chromium

tool-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

# `no_downloads`: cargo-leptos must find every tool on PATH instead of fetching it.
tool-cargo-leptos:
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)$$" \
	  || cargo install cargo-leptos@$(CARGO_LEPTOS_VERSION) --locked --features no_downloads

tool-leptosfmt:
	@leptosfmt --version 2>/dev/null | grep -q " $(LEPTOSFMT_VERSION)$$" \
	  || cargo install leptosfmt@$(LEPTOSFMT_VERSION) --locked

# Without --locked: its lockfile wants a crate version the registry lacks.
tool-wasm-bindgen:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "wasm-bindgen missing from Cargo.lock"; exit 1; }
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" \
	  || cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION) --force
	@wasm-bindgen --version | grep -q " $(WASM_BINDGEN_VERSION)$$" \
	  || { echo "wasm-bindgen CLI does not match Cargo.lock ($(WASM_BINDGEN_VERSION))"; exit 1; }

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

tool-npm: node_modules/.package-lock.json

tool-chromium:
	@command -v chromium >/dev/null \
	  || { $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# ECharts is served from our own origin, never a CDN: built from the npm
# package's modules with only what the dashboard's chart uses.
vendor: tool-npm public/vendor/echarts.js

public/vendor/echarts.js: frontend/charts/echarts.mjs node_modules/.package-lock.json
	@mkdir -p public/vendor
	@rm -f public/vendor/echarts.min.js
	esbuild $< --bundle --minify --format=iife --target=es2019 --log-level=warning --outfile=$@

# The tracker: one hand-written source (server/tracker/p.js) built into our p.js and
# every Plausible-compatible variant (public/js/plausible/), minified, precompressed
# (.gz, .br) and held to its size budget: the build fails past it and prints the sizes.
# It rewrites only what changed, so running it every time stays cheap.
tracker: tool-npm
	node server/tracker/build.mjs public/js

assets: vendor tracker

# The crawler list the server embeds, from the npm package pinned in
# package.json; the result is committed, so a build never needs it.
data: tool-npm
	python3 src/ingest/data/update.py

## ---- build and run ------------------------------------------------------

build: tool-rust tool-cargo-leptos tool-wasm-bindgen tool-npm assets
	cargo leptos build --release --precompress

run: build
	LEPTOS_SITE_ROOT=target/site ./target/release/pagepulse serve

## ---- tests --------------------------------------------------------------

test: tools assets lint test-rust test-e2e
	@echo "make test: all checks passed"

# DATABASE_URL names no database: the build must not depend on one
# (SQLX_OFFLINE in .cargo/config.toml), and this proves it stays so.
# leptosfmt formats the `view!` bodies (leptosfmt.toml), rustfmt the rest; both must
# agree, so fix with `leptosfmt app/src frontend/src && cargo fmt --all`. leptosfmt
# exits 0 on a file it cannot parse (printing ❌), so that fails here too.
LEPTOSFMT_DIRS := app/src frontend/src
lint: export DATABASE_URL := sqlite:///nonexistent-pagepulse-build-check.db
lint: tool-leptosfmt
	cargo fmt --all --check
	@out=$$(leptosfmt --check $(LEPTOSFMT_DIRS) 2>&1) && ! grep -q '❌' <<<"$$out" \
	  || { grep -v '^✅' <<<"$$out"; echo "leptosfmt: run 'leptosfmt $(LEPTOSFMT_DIRS) && cargo fmt --all'"; exit 1; }
	@echo "leptosfmt --check $(LEPTOSFMT_DIRS): ok"
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# Integration suites run on SQLite and on the PostgreSQL server of the machine
# (PAGEPULSE_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
PG_TEST_URL := $(or $(PAGEPULSE_TEST_POSTGRES_URL),postgres://postgres@127.0.0.1:5432/test)
test-rust:
	@if pg_isready -q -d "$(PG_TEST_URL)" 2>/dev/null; then \
	  echo "PostgreSQL answers at $(PG_TEST_URL): integration suites run on SQLite and PostgreSQL"; \
	elif [ "$${PAGEPULSE_REQUIRE_POSTGRES:-0}" = 1 ]; then \
	  echo "PostgreSQL is required (PAGEPULSE_REQUIRE_POSTGRES=1) but $(PG_TEST_URL) does not answer"; exit 1; \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!  No PostgreSQL at $(PG_TEST_URL): SKIPPING the PostgreSQL half of the suites"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi
	cargo test --workspace --exclude frontend

# The server binary as `cargo test` builds it (no second compile) plus the hydrate
# bundle, driven in Debian's Chromium.
test-e2e:
	cargo test --workspace --exclude frontend --no-run
	cargo leptos build --frontend-only
	cd end2end && playwright test

## ---- benchmarks (numbers, not pass/fail) --------------------------------

tool-wrk:
	@command -v wrk >/dev/null \
	  || { $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }

# Durable ingest throughput against the release server; see docs/benchmarks.md.
bench-ingest: tool-npm tool-wrk tracker
	cargo build --release -p server --bin pagepulse
	server/bench/ingest.sh

# GeoIP lookup cost per event and the database's memory; see docs/benchmarks.md.
bench-geo: tool-npm
	cargo run --release -p server --example geo_lookup

# Analytics API latency on a seeded site; see docs/benchmarks.md.
bench-dashboard:
	cargo build --release -p server --bin pagepulse
	server/bench/dashboard.sh

# Stats API (v1 and v2) latency on a seeded, rolled-up site; see docs/benchmarks.md.
bench-api:
	cargo build --release -p server --bin pagepulse
	server/bench/api.sh

# Beacon latency for one site while another site of a million events is deleted;
# see docs/benchmarks.md.
bench-delete: tool-wrk
	cargo build --release -p server --bin pagepulse
	server/bench/delete.sh

clean:
	cargo clean
	rm -rf node_modules public/vendor public/js
