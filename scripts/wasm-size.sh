#!/usr/bin/env bash
# Prints the size of the browser's WebAssembly and JavaScript as shipped
# (raw and gzip -9) from the last `cargo leptos build [--release]`.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=$((350 * 1024))
for f in target/site/pkg/millwright.wasm target/site/pkg/millwright.js; do
  [ -f "$f" ] || { echo "wasm-size: $f missing: build the site first" >&2; exit 1; }
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-34s %9d bytes  %8d gzip\n' "$f" "$raw" "$gz"
  if [ "${f##*.}" = wasm ]; then
    printf '%-34s %9s        %8d gzip budget (%s)\n' "" "" "$budget" \
      "$([ "$gz" -le "$budget" ] && echo within || echo "over by $((gz - budget))")"
  fi
done
