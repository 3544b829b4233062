#!/usr/bin/env bash
# Property tests of the domain XML builder, every parser and the form
# checks (app/src/domxml/fuzz.rs) with many generated inputs: CASES per
# property (default 200,000; 7 properties), in a release build. Prints the
# inputs run and the rate. `cargo test` runs the same properties with 256.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-200000}
properties=7
cargo test --release -p app --features ssr --lib --no-run -q
start=$(date +%s.%N)
PROPTEST_CASES=$cases cargo test --release -p app --features ssr --lib -q -- domxml::fuzz
end=$(date +%s.%N)
awk -v n="$((cases * properties))" -v s="$start" -v e="$end" \
  'BEGIN { t = e - s; printf "fuzz: %d generated inputs in %.1f s (%.0f inputs/s), no panic, every value back unchanged\n", n, t, n / t }'
