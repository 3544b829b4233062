#!/usr/bin/env bash
# Every test, in tiers: lint, unit and store tests, integration against the
# real lab (two libvirtd hosts), then Playwright in Debian's Chromium against
# the real server. Called by `make test` after `scripts/setup.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy (server build, wasm build)"
cargo clippy --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and store tests"
cargo test

step "lab up"
started_lab=0
if ! bash scripts/lab.sh status >/dev/null 2>&1; then started_lab=1; fi
cleanup() { [ "$started_lab" = 1 ] && bash scripts/lab.sh down || true; }
trap cleanup EXIT
bash scripts/lab.sh up
eval "$(bash scripts/lab.sh env)"

step "integration tests on the lab"
cargo test --test lab --test fleet_lab --test fleet_change_lab --test storage_lab --test network_lab \
  --test history_lab --test trust_lab --test mobility_lab --test maintenance_lab --test failover_lab --test container_move_lab --test consolidation_lab -- --include-ignored --test-threads=1

step "build the site"
cargo leptos build

step "Playwright (with and without JavaScript)"
(cd end2end && npx playwright test)

step "release build: every page of it hydrates"
cargo leptos build --release --precompress
(cd end2end && MILLWRIGHT_E2E_BIN="$PWD/../target/release/millwright" \
  npx playwright test tests/rendering.spec.ts --project js -g "hydrates without errors")

step "all tests passed"
