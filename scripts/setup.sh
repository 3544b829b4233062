#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine lacks to build, run and test
# Millwright. Idempotent: each step checks first, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PKGS_BACKPORTS=(libvirt-dev libvirt-daemon libvirt-clients libvirt-daemon-driver-qemu
  libvirt-daemon-driver-lxc libvirt-daemon-driver-storage libvirt-daemon-driver-network
  qemu-system-x86 qemu-utils dnsmasq-base iptables)
APT_PKGS=(pkg-config chromium busybox-static cpio gzip util-linux procps curl)

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

backports_source() {
  local f=/etc/apt/sources.list.d/bookworm-backports.sources
  [ -f "$f" ] && return 0
  # Same mirror as the machine's existing Debian sources.
  local uri
  uri=$(grep -h -E '^URIs:.*debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -h -E '^deb .*debian/? bookworm ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri="http://deb.debian.org/debian"
  log "adding bookworm-backports ($uri)"
  $SUDO tee "$f" >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  APT_UPDATED=""
}

APT_UPDATED=""
apt_update_once() { [ -n "$APT_UPDATED" ] || { log "apt-get update"; $SUDO apt-get update -qq; APT_UPDATED=1; }; }

install_apt() {
  local bp plain
  if ! grep -q bookworm-backports /etc/apt/sources.list.d/* 2>/dev/null; then backports_source; fi
  bp=$(missing_pkgs "${APT_PKGS_BACKPORTS[@]}")
  plain=$(missing_pkgs "${APT_PKGS[@]}")
  if [ -n "$bp" ] || [ -n "$plain" ]; then
    apt_update_once
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    [ -z "$bp" ] || { log "apt (backports): $bp"; $SUDO apt-get install -y -qq -t bookworm-backports --no-install-recommends $bp; }
    # shellcheck disable=SC2086
    [ -z "$plain" ] || { log "apt: $plain"; $SUDO apt-get install -y -qq --no-install-recommends $plain; }
  fi
}

install_rust_tools() {
  if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
    log "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q '0.3.10'; then
    log "cargo install cargo-leptos 0.3.10 (about 12 minutes on 2 cores)"
    cargo install cargo-leptos --locked --version 0.3.10
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q '0.2.130'; then
    log "cargo install wasm-bindgen-cli 0.2.130"
    cargo install wasm-bindgen-cli --version 0.2.130 --force
  fi
}

# wasm-opt for release builds: cargo-leptos would download it from the
# internet otherwise (which fails here). npm's binaryen, not Debian's 108,
# whose output fails to hydrate.
BINARYEN_VERSION=132
install_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    log "npm install -g binaryen@$BINARYEN_VERSION (wasm-opt)"
    npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
  fi
}

install_npm() {
  if [ ! -d end2end/node_modules/@playwright/test ] && [ -f end2end/package.json ]; then
    log "npm ci (end2end)"
    # Playwright drives Debian's Chromium; it must never download a browser.
    (cd end2end && export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 &&
      { [ -f package-lock.json ] && npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
  fi
}

case "${1:-all}" in
  apt) install_apt ;;
  rust) install_rust_tools ;;
  npm) install_npm; install_wasm_opt ;;
  all) install_apt; install_rust_tools; install_npm; install_wasm_opt ;;
  *) echo "usage: $0 [all|apt|rust|npm]" >&2; exit 2 ;;
esac
log "ok"
