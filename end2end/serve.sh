#!/usr/bin/env bash
# Starts the built server for Playwright on a fresh data directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
port="${1:-3100}"
data="$here/test-results/data"
rm -rf "$data" && mkdir -p "$data"
args=(--listen "127.0.0.1:$port" --data-dir "$data" --demo --demo-dir "$root/demo")
if [ -n "${MILLWRIGHT_LAB_H1_URI:-}" ]; then
  args+=(--host "Lab h1=$MILLWRIGHT_LAB_H1_URI")
fi
# Lab h2: the target of moves between hosts.
if [ -n "${MILLWRIGHT_LAB_H2_URI:-}" ]; then
  args+=(--host "Lab h2=$MILLWRIGHT_LAB_H2_URI")
fi
# A worktree building into a shared target directory points these at it.
export LEPTOS_SITE_ROOT="${MILLWRIGHT_E2E_SITE:-$root/target/site}"
export LEPTOS_ENV=PROD
exec "${MILLWRIGHT_E2E_BIN:-$root/target/debug/millwright}" "${args[@]}"
