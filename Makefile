# The two set-up commands: `make run` and `make test`. Both install whatever
# a fresh Debian 12 machine lacks first (idempotent; seconds when present).
SHELL := /bin/bash
.DEFAULT_GOAL := run

.PHONY: run test setup build release lint unit lab-up lab-down e2e bench fuzz clean-data

setup:
	@bash scripts/setup.sh all

## Build and serve http://127.0.0.1:3000 with SQLite under ./data and the demo plant.
run: setup
	cargo leptos serve

## Every test: lint, unit and store tests, integration against the lab, Playwright.
test: setup
	@bash scripts/test.sh

build: setup
	cargo leptos build

## Optimised build: target/release/millwright plus target/site.
release: setup
	cargo leptos build --release --precompress

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

lab-up:
	@bash scripts/lab.sh up

lab-down:
	@bash scripts/lab.sh down

bench: setup
	cargo leptos build --release --precompress
	@node scripts/wasm-size.mjs
	cd end2end && node bench/tti.mjs
	cargo run --release -p millwright --bin bench-inventory
	cargo run --release -p millwright --bin bench-history
	cargo run --release -p millwright --bin bench-live
	cargo run --release -p millwright --bin bench-audit
	@bash scripts/fuzz.sh

## The property tests with 200,000 generated inputs each (see scripts/fuzz.sh).
fuzz: setup
	@bash scripts/fuzz.sh
