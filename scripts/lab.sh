#!/usr/bin/env bash
# Millwright's libvirt test lab: two independent libvirt "hosts" on this one
# machine, each a `libvirtd --listen` (plus its own virtlogd) in a private mount
# namespace with private /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt. Loopback addresses only.
#
#   h1: qemu+tcp://127.0.0.2:16510/system   lxc+tcp://127.0.0.2:16510/system
#   h2: qemu+tcp://127.0.0.3:16511/system   lxc+tcp://127.0.0.3:16511/system
#
# Usage: scripts/lab.sh up|down|status|env|kill HOST|start HOST|clean
#   up      build the cached guest artifacts if missing, start both hosts
#           (idempotent: returns quickly if both already answer)
#   down    stop what the lab started, by pid: guests (QEMU, LXC), then
#           libvirtd, then virtlogd. Keeps host state and caches. Idempotent.
#   kill H  kill -9 host H's libvirtd only (a dying host); guests keep running
#   power-off H  kill -9 host H's guests (QEMU, LXC), libvirtd and virtlogd:
#           a power loss
#   start H start host H's daemons again with the same state; wait till it answers
#   status  one line per host: up/down and pids
#   env     print `export` lines for the tests (eval "$(scripts/lab.sh env)")
#   clean   down, then delete the host state (keeps the cache)
#
# LAB_DIR defaults to /var/lib/millwright-lab (one lab per machine: its
# addresses and ports are fixed anyway); override with MILLWRIGHT_LAB_DIR.
# It lives outside the clone because QEMU runs as libvirt-qemu and must reach
# the images, kernel and initrd: a clone in a 0700 home directory or under
# `mktemp -d` is not traversable by it. `up` checks this before starting.
# Needs root and the packages from `scripts/setup.sh apt`.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_DIR=${MILLWRIGHT_LAB_DIR:-/var/lib/millwright-lab}
case "$LAB_DIR" in /*) ;; *) LAB_DIR="$PWD/$LAB_DIR" ;; esac
CACHE="$LAB_DIR/cache"
IMAGES="$LAB_DIR/images"
HOSTS_DIR="$LAB_DIR/hosts"
NOKVM="$LAB_DIR/nokvm"
ALL_HOSTS=(h1 h2)

KERNEL="$CACHE/vmlinuz"          # bzImage from the Debian package
VMLINUX="$CACHE/vmlinux"         # uncompressed ELF (boots ~2x faster), if extractable
INITRD="$CACHE/initrd-v2.gz"    # busybox guest; mw.dhcp=1: takes a DHCP lease, mw.tick=1: counts seconds on its console
MODULES="$CACHE/modules"         # the guest's virtio-net driver chain, in load order
ROOTFS="$CACHE/rootfs"

START_TIMEOUT=${MILLWRIGHT_LAB_START_TIMEOUT:-20}   # seconds for a daemon to answer
STOP_TIMEOUT=${MILLWRIGHT_LAB_STOP_TIMEOUT:-10}     # seconds for processes to exit

log() { printf '\033[1;35m[lab]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[lab] error:\033[0m %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- hosts ----
host_index() {
  case "$1" in h1) echo 1 ;; h2) echo 2 ;; *) die "unknown host '$1' (expected: ${ALL_HOSTS[*]})" ;; esac
}
host_addr() { echo "127.0.0.$(( $(host_index "$1") + 1 ))"; }
host_port() { echo "$(( 16509 + $(host_index "$1") ))"; }
host_uri() { echo "qemu+tcp://$(host_addr "$1"):$(host_port "$1")/system"; }
host_lxc_uri() { echo "lxc+tcp://$(host_addr "$1"):$(host_port "$1")/system"; }
host_uuid() { printf '4d696c6c-7772-4967-8874-%012d\n' "$(host_index "$1")"; }
# Disjoint migration port ranges (h1 49152-49183, h2 49184-49215).
host_mig_min() { echo "$(( 49152 + ($(host_index "$1") - 1) * 32 ))"; }
host_mig_max() { echo "$(( $(host_mig_min "$1") + 31 ))"; }
# The hosts share one network stack: each allocates VNC/SPICE ports from its
# own range, or two guests started at once on h1 and h2 collide on 5900+.
host_display_min() { echo "$(( 5900 + ($(host_index "$1") - 1) * 200 ))"; }
host_display_max() { echo "$(( $(host_display_min "$1") + 199 ))"; }
host_dir() { echo "$HOSTS_DIR/$1"; }

# Private dir under the host dir -> real path it is bind-mounted over.
MOUNTS=(
  "etc:/etc/libvirt"
  "run:/run/libvirt"
  "lib:/var/lib/libvirt"
  "log:/var/log/libvirt"
  "cache:/var/cache/libvirt"
)

now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }

pid_of() { # host daemon -> pid from its pid file, or empty
  local f
  f="$(host_dir "$1")/$2.pid"
  [ -s "$f" ] && tr -dc '0-9' <"$f" || true
}

# Is pid alive and (when given) its comm equal to $2?
pid_alive() {
  local pid=$1 comm=${2:-}
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # A zombie counts as gone.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  [ -z "$comm" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]
}

pid_gone() { ! pid_alive "$1"; }

daemon_alive() { pid_alive "$(pid_of "$1" "$2")" "$2"; }

# Every process the lab starts runs in a private mount namespace, so a pid
# read from a lab pid file that lives in *our* mount namespace is not ours
# (the pid was reused): never signal it.
in_lab_ns() {
  local pid=$1 mine theirs
  mine=$(readlink /proc/self/ns/mnt) || return 1
  theirs=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null) || return 1
  [ "$mine" != "$theirs" ]
}

answers() { timeout 5 virsh -q -c "$(host_uri "$1")" version >/dev/null 2>&1; }

write_confs() { # host
  local h=$1 H addr
  H=$(host_dir "$h"); addr=$(host_addr "$h")
  cat >"$H/etc/libvirtd.conf" <<EOF
# Millwright lab host $h (generated by scripts/lab.sh)
listen_tls = 0
listen_tcp = 1
listen_addr = "$addr"
tcp_port = "$(host_port "$h")"
auth_tcp = "none"
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_group = "root"
unix_sock_rw_perms = "0770"
host_uuid = "$(host_uuid "$h")"
max_clients = 200
max_anonymous_clients = 100
log_outputs = "${MILLWRIGHT_LAB_LOG_LEVEL:-3}:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >"$H/etc/qemu.conf" <<EOF
# Millwright lab host $h (generated by scripts/lab.sh)
# QEMU runs as the packaged default user (libvirt-qemu): a root QEMU would see
# the hidden /dev/kvm as usable (root ignores its mode 000) and libvirt would
# re-probe QEMU on every capabilities lookup (~2 s per call).
remember_owner = 0
security_driver = "none"
namespaces = [ ]
stdio_handler = "file"
migration_address = "$addr"
migration_host = "$addr"
migration_port_min = $(host_mig_min "$h")
migration_port_max = $(host_mig_max "$h")
shared_filesystems = [ "$IMAGES" ]
vnc_listen = "127.0.0.1"
spice_listen = "127.0.0.1"
remote_display_port_min = $(host_display_min "$h")
remote_display_port_max = $(host_display_max "$h")
EOF
  cat >"$H/etc/lxc.conf" <<EOF
# Millwright lab host $h (generated by scripts/lab.sh)
security_driver = "none"
EOF
  cat >"$H/etc/virtlogd.conf" <<EOF
# Millwright lab host $h (generated by scripts/lab.sh)
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
EOF
}

prepare_host() { # host: private state dirs (first time: copies of the real ones)
  local h=$1 H m sub real
  H=$(host_dir "$h")
  mkdir -p "$H"
  for m in "${MOUNTS[@]}"; do
    sub=${m%%:*}; real=${m#*:}
    if [ ! -d "$H/$sub" ]; then
      mkdir -p "$H/$sub.tmp"
      if [ "$sub" = etc ] && [ -d "$real" ]; then
        cp -a "$real/." "$H/$sub.tmp/"
      elif [ -d "$real" ] && [ "$sub" != run ]; then
        # Directory skeleton only (same owners and modes): no state of the
        # real daemon leaks in.
        (cd "$real" && find . -mindepth 1 -type d -print0) | while IFS= read -r -d '' d; do
          mkdir -p "$H/$sub.tmp/$d"
          chown --reference="$real/$d" "$H/$sub.tmp/$d"
          chmod --reference="$real/$d" "$H/$sub.tmp/$d"
        done
      fi
      mv "$H/$sub.tmp" "$H/$sub"
    fi
    # The bind-mount target must exist (creates at most an empty /run/libvirt).
    [ -d "$real" ] || mkdir -p "$real"
  done
  mkdir -p "$H/run/qemu" "$H/run/lxc" "$H/log/qemu" "$H/log/lxc" "$H/cache/qemu"
  if [ ! -d "$H/lib/qemu" ]; then
    mkdir -p "$H/lib/qemu"
    if id libvirt-qemu >/dev/null 2>&1; then chown libvirt-qemu:libvirt-qemu "$H/lib/qemu"; fi
    chmod 0751 "$H/lib/qemu"
  fi
  # No autostarted networks (they would fight over the shared network namespace).
  rm -f "$H"/etc/qemu/networks/autostart/*.xml 2>/dev/null || true
  write_confs "$h"
  if [ ! -e "$NOKVM" ]; then : >"$NOKVM"; chmod 000 "$NOKVM"; fi
  mkdir -p "$IMAGES"
}

# Start one daemon of a host in a new private mount namespace, detached into
# its own session. The pid file is written by the namespace shell right before
# it execs the daemon (same pid), and again by the daemon itself.
spawn() { # host daemon args...
  local h=$1 d=$2 H; shift 2
  H=$(host_dir "$h")
  rm -f "$H/$d.pid"
  # shellcheck disable=SC2016
  setsid unshare -m --propagation private -- /bin/bash -c '
    set -e
    H=$1; NOKVM=$2; PIDF=$3; shift 3
    mount --bind "$H/etc" /etc/libvirt
    mount --bind "$H/run" /run/libvirt
    mount --bind "$H/lib" /var/lib/libvirt
    mount --bind "$H/log" /var/log/libvirt
    mount --bind "$H/cache" /var/cache/libvirt
    # Hybrid cgroup layout: the cgroup2 mount carries controllers LXC cannot use.
    if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
    # KVM does not work here and its presence makes libvirt re-probe QEMU.
    if [ -e /dev/kvm ]; then mount --bind "$NOKVM" /dev/kvm; fi
    echo $$ >"$PIDF"
    exec "$@"
  ' "lab-$h-$d" "$H" "$NOKVM" "$H/$d.pid" "$@" </dev/null >>"$H/log/$d.out" 2>&1 &
}

wait_until() { # timeout_s description command... (bounded poll)
  local t=$1 what=$2 deadline; shift 2
  deadline=$(( $(now_ms) + t * 1000 ))
  until "$@"; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

pidfile_written() { [ -s "$(host_dir "$1")/$2.pid" ]; }

start_virtlogd() { # host
  local h=$1 H
  H=$(host_dir "$h")
  daemon_alive "$h" virtlogd && [ -S "$H/run/virtlogd-sock" ] && return 0
  rm -f "$H/run/virtlogd-sock" "$H/run/virtlogd-admin-sock"
  log "$h: starting virtlogd"
  spawn "$h" virtlogd virtlogd --pid-file "$H/virtlogd.pid"
  if ! wait_until 10 "virtlogd socket" test -S "$H/run/virtlogd-sock"; then
    tail -n 20 "$H/log/virtlogd.out" "$H/log/virtlogd.log" 2>/dev/null >&2 || true
    die "$h: virtlogd did not come up within 10 s (logs: $H/log/virtlogd.{out,log})"
  fi
}

launch_libvirtd() { # host (does not wait for it to answer)
  local h=$1 H
  H=$(host_dir "$h")
  if daemon_alive "$h" libvirtd; then
    answers "$h" && return 0
    die "$h: libvirtd (pid $(pid_of "$h" libvirtd)) runs but does not answer; try: $0 kill $h && $0 start $h"
  fi
  log "$h: starting libvirtd on $(host_addr "$h"):$(host_port "$h")"
  spawn "$h" libvirtd libvirtd --listen --pid-file "$H/libvirtd.pid"
  wait_until 5 "pid file" pidfile_written "$h" libvirtd || die "$h: libvirtd launcher did not start (see $H/log/libvirtd.out)"
}

await_libvirtd() { # host t0_ms: bounded poll until it answers
  local h=$1 t0=$2 H pid deadline
  H=$(host_dir "$h")
  pid=$(pid_of "$h" libvirtd)
  deadline=$(( t0 + START_TIMEOUT * 1000 ))
  until answers "$h"; do
    if ! pid_alive "$pid" || [ "$(now_ms)" -ge "$deadline" ]; then
      {
        echo "--- $H/log/libvirtd.out"; tail -n 20 "$H/log/libvirtd.out" 2>/dev/null || true
        echo "--- $H/log/libvirtd.log"; tail -n 30 "$H/log/libvirtd.log" 2>/dev/null || true
      } >&2
      pid_alive "$pid" || die "$h: libvirtd (pid $pid) exited during startup"
      die "$h: libvirtd (pid $pid) did not answer on $(host_uri "$h") within ${START_TIMEOUT} s"
    fi
    sleep 0.2
  done
  log "$h: up $(host_uri "$h") (libvirtd pid $pid, $(( $(now_ms) - t0 )) ms)"
}

start_hosts() { # hosts... : all daemons first, then wait for each
  local h t0
  t0=$(now_ms)
  for h in "$@"; do prepare_host "$h"; start_virtlogd "$h"; done
  for h in "$@"; do launch_libvirtd "$h"; done
  for h in "$@"; do await_libvirtd "$h" "$t0"; done
}

# ------------------------------------------------------------- stopping ----
# Pids of a host's guests: QEMU and LXC pid files in its private run dir, plus
# the pids recorded in the domain status XML (the LXC container's init).
# (driver.pid is the daemon's own lock file: skip it; subdirectories hold the
# pid files of per-domain helpers such as dbus-daemon, passt, slirp.)
guest_pids() { # host
  local H f p
  H=$(host_dir "$1")
  {
    for f in "$H"/run/qemu/*.pid "$H"/run/qemu/*/*.pid "$H"/run/lxc/*.pid; do
      [ -s "$f" ] && [ "${f##*/}" != driver.pid ] && tr -dc '0-9' <"$f" && echo
    done
    for f in "$H"/run/qemu/*.xml "$H"/run/lxc/*.xml; do
      [ -f "$f" ] && sed -n "s/^<domstatus .* pid='\([0-9]*\)'.*/\1/p" "$f" | head -n1
    done
  } | while read -r p; do
    case "$(cat "/proc/$p/comm" 2>/dev/null)" in libvirtd|virtlogd) ;; *) echo "$p" ;; esac
  done
}

# Signal the given pids (only live ones in a lab namespace), wait (bounded),
# then SIGKILL whatever is left and wait again.
stop_pids() { # label pids...
  local label=$1 p left=(); shift
  for p in "$@"; do
    [ -n "$p" ] && pid_alive "$p" && in_lab_ns "$p" && left+=("$p")
  done
  [ ${#left[@]} -gt 0 ] || return 0
  log "stopping $label: ${left[*]}"
  kill -TERM "${left[@]}" 2>/dev/null || true
  all_gone() { local q; for q in "${left[@]}"; do pid_alive "$q" && return 1; done; return 0; }
  if ! wait_until "$STOP_TIMEOUT" "$label exit" all_gone; then
    log "$label still running after ${STOP_TIMEOUT} s: SIGKILL"
    for p in "${left[@]}"; do pid_alive "$p" && kill -KILL "$p" 2>/dev/null || true; done
    wait_until 5 "$label exit" all_gone || die "$label did not exit: ${left[*]}"
  fi
}

stop_daemon() { # host daemon
  local h=$1 d=$2 pid
  pid=$(pid_of "$h" "$d")
  if pid_alive "$pid" "$d"; then stop_pids "$h $d" "$pid"; fi
  rm -f "$(host_dir "$h")/$d.pid"
}

# libvirt's cgroup of each domain in a host's status XML: machine/<type>-<id>-<name>.libvirt-<type>
# (for LXC the id is the controller's pid). Also those of the live guest pids.
guest_cgroups() { # host pids...
  local H f t id name p path; H=$(host_dir "$1"); shift
  {
    for f in "$H"/run/qemu/*.xml "$H"/run/lxc/*.xml; do
      [ -f "$f" ] || continue
      t=$(sed -n "s/^ *<domain type='\([a-z]*\)' id='\([0-9]*\)'.*/\1 \2/p" "$f" | head -n1)
      name=$(sed -n 's/^ *<name>\(.*\)<\/name>.*/\1/p' "$f" | head -n1)
      [ -n "$t" ] && [ -n "$name" ] || continue
      id=${t#* }; t=${t%% *}
      echo "$t-$id-$name.libvirt-$t"
    done
    for p in "$@"; do
      [ -r "/proc/$p/cgroup" ] || continue
      while IFS=: read -r _ _ path; do
        case "$path" in
          /machine/*.libvirt-qemu*|/machine/*.libvirt-lxc*) path=${path#/machine/}; echo "${path%%/*}" ;;
        esac
      done <"/proc/$p/cgroup"
    done
  } | sort -u
}

cgroup_dirs() { # cgroup names... -> existing dirs in every hierarchy
  local c d
  for c in "$@"; do
    for d in /sys/fs/cgroup/*/machine/"$c" /sys/fs/cgroup/machine/"$c"; do
      [ -d "$d" ] && echo "$d"
    done
  done
  true
}

stop_guests() { # host
  local h=$1 d pids=() cgs=() dirs=() ctr=()
  mapfile -t pids < <(guest_pids "$h" | sort -un)
  mapfile -t cgs < <(guest_cgroups "$h" "${pids[@]}")
  mapfile -t dirs < <(cgroup_dirs "${cgs[@]}")
  # Container tasks live in the container's cgroup (machine/lxc-*); a pid
  # namespace's init ignores SIGTERM, and they outlive a controller killed
  # while libvirtd is down. They are killed outright (like `virsh destroy`).
  for d in "${dirs[@]}"; do
    case "$d" in
      *.libvirt-lxc) mapfile -t -O "${#ctr[@]}" ctr < <(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null) ;;
    esac
  done
  stop_pids "$h guests" "${pids[@]}"
  if [ ${#ctr[@]} -gt 0 ]; then
    mapfile -t ctr < <(printf '%s\n' "${ctr[@]}" | sort -un)
    kill_now "$h container tasks" "${ctr[@]}"
  fi
  # Leftover empty cgroups (libvirtd cleans them itself when it is running).
  for d in "${dirs[@]}"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

kill_now() { # label pids...: SIGKILL lab processes, wait (bounded)
  local label=$1 p left=(); shift
  for p in "$@"; do
    [ -n "$p" ] && pid_alive "$p" && in_lab_ns "$p" && left+=("$p")
  done
  [ ${#left[@]} -gt 0 ] || return 0
  log "killing $label: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
  all_gone() { local q; for q in "${left[@]}"; do pid_alive "$q" && return 1; done; return 0; }
  wait_until 5 "$label exit" all_gone || die "$label did not exit: ${left[*]}"
}

cmd_down() {
  local h
  [ -d "$HOSTS_DIR" ] || { log "nothing to stop"; return 0; }
  for h in "${ALL_HOSTS[@]}"; do [ -d "$(host_dir "$h")" ] && stop_guests "$h"; done
  for h in "${ALL_HOSTS[@]}"; do [ -d "$(host_dir "$h")" ] && stop_daemon "$h" libvirtd; done
  for h in "${ALL_HOSTS[@]}"; do [ -d "$(host_dir "$h")" ] && stop_daemon "$h" virtlogd; done
  log "down"
}

# ------------------------------------------------------------ artifacts ----
build_rootfs() {
  [ -x "$ROOTFS/bin/busybox" ] && [ -e "$ROOTFS/bin/sh" ] && return 0
  log "building LXC rootfs $ROOTFS"
  local tmp="$ROOTFS.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"/{bin,sbin,etc,proc,sys,dev,tmp,usr/bin,usr/sbin}
  chmod 1777 "$tmp/tmp"
  cp /bin/busybox "$tmp/bin/busybox"
  chroot "$tmp" /bin/busybox --install -s
  echo "root:x:0:0:root:/:/bin/sh" >"$tmp/etc/passwd"
  echo "root:x:0:" >"$tmp/etc/group"
  rm -rf "$ROOTFS"; mv "$tmp" "$ROOTFS"
}

build_initrd() {
  [ -s "$INITRD" ] && return 0
  log "building guest initramfs $INITRD"
  local tmp="$CACHE/initrd.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"/{bin,sbin,dev,proc,sys,tmp,usr/bin,usr/sbin}
  cp /bin/busybox "$tmp/bin/busybox"
  ln -s busybox "$tmp/bin/sh"
  mknod -m 600 "$tmp/dev/console" c 5 1
  mknod -m 666 "$tmp/dev/null" c 1 3
  cat >"$tmp/init" <<'EOF'
#!/bin/busybox sh
# Millwright lab guest: mount proc/sys, print the marker, then idle (or burn
# CPU when the kernel command line has mw.busy=1). PID 1 never exits.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
echo MILLWRIGHT-GUEST-UP
if grep -q 'mw.tick=1' /proc/cmdline; then
  # A heartbeat that survives a live migration: the count goes on.
  ( n=0; while :; do n=$((n+1)); echo "MILLWRIGHT-TICK $n"; sleep 1; done ) &
fi
if grep -q 'mw.dhcp=1' /proc/cmdline; then
  for m in $(cat /lib/modules/order); do insmod "/lib/modules/$m"; done
  ip link set lo up
  ip link set eth0 up
  udhcpc -i eth0 -x hostname:mw-guest -s /bin/mw-dhcp -t 30 -T 1 -A 1 -b
fi
if grep -q 'mw.busy=1' /proc/cmdline; then
  while :; do :; done
fi
while :; do sleep 3600; done
EOF
  chmod 755 "$tmp/init"
  cat >"$tmp/bin/mw-dhcp" <<'EOF'
#!/bin/busybox sh
# udhcpc's event script: configure eth0 and report the address on the console.
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    echo "MILLWRIGHT-GUEST-IP $ip" ;;
esac
EOF
  chmod 755 "$tmp/bin/mw-dhcp"
  mkdir -p "$tmp/lib/modules"
  cp "$MODULES"/*.ko "$MODULES/order" "$tmp/lib/modules/"
  (cd "$tmp" && find . -print0 | cpio -0 -o -H newc -R 0:0 --quiet | gzip -9) >"$INITRD.tmp"
  mv "$INITRD.tmp" "$INITRD"
  rm -rf "$tmp"
}

newest_kernel_pkg() {
  apt-cache pkgnames linux-image-6.1.0- 2>/dev/null \
    | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n1
}

# Uncompressed vmlinux from a bzImage (like the kernel's scripts/extract-vmlinux).
extract_vmlinux() { # bzImage out
  local img=$1 out=$2 magic tool off
  for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08' 'lz4:\x02\x21\x4c\x18'; do
    tool=${magic%%:*}
    command -v "$tool" >/dev/null || continue
    for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$img" 2>/dev/null | cut -d: -f1 | head -n 5); do
      tail -c "+$((off + 1))" "$img" | "$tool" -dc >"$out.tmp" 2>/dev/null || true
      if [ "$(head -c 4 "$out.tmp" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
        mv "$out.tmp" "$out"; return 0
      fi
    done
  done
  rm -f "$out.tmp"; return 1
}

build_kernel() {
  if [ ! -s "$KERNEL" ] || [ ! -s "$MODULES/order" ]; then
    local pkg tmp deb
    pkg=$(newest_kernel_pkg)
    if [ -z "$pkg" ]; then apt-get update -qq; pkg=$(newest_kernel_pkg); fi
    [ -n "$pkg" ] || die "no linux-image-6.1.0-*-amd64 package in apt-cache"
    tmp="$CACHE/kernel.tmp"
    rm -rf "$tmp"; mkdir -p "$tmp"
    log "downloading $pkg"
    if ! (cd "$tmp" && apt-get download -qq "$pkg" 2>&1); then
      log "apt-get download failed; apt-get update once and retry"
      apt-get update -qq
      pkg=$(newest_kernel_pkg)
      (cd "$tmp" && apt-get download -qq "$pkg") || die "apt-get download $pkg failed"
    fi
    deb=$(ls "$tmp"/*.deb | head -n1)
    # Only ./boot and the virtio-net driver chain are needed (all modules
    # would be ~400 MB on disk).
    local mods=(drivers/virtio/virtio_ring drivers/virtio/virtio
      drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev
      drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover
      drivers/net/virtio_net) m pats=('./boot/vmlinuz-*')
    for m in "${mods[@]}"; do pats+=("./lib/modules/*/kernel/$m.ko"); done
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "${pats[@]}"
    rm -rf "$MODULES.tmp"; mkdir -p "$MODULES.tmp"
    for m in "${mods[@]}"; do
      cp "$tmp"/lib/modules/*/kernel/"$m".ko "$MODULES.tmp/"
      basename "$m.ko" >>"$MODULES.tmp/order"
    done
    rm -rf "$MODULES"; mv "$MODULES.tmp" "$MODULES"
    cp "$tmp"/boot/vmlinuz-* "$KERNEL.tmp"
    mv "$KERNEL.tmp" "$KERNEL"
    basename "$deb" >"$CACHE/kernel-package"
    rm -rf "$tmp"
  fi
  if [ ! -s "$VMLINUX" ] && [ ! -e "$VMLINUX.none" ]; then
    extract_vmlinux "$KERNEL" "$VMLINUX" || : >"$VMLINUX.none"
  fi
}

# The kernel the tests should boot: the uncompressed ELF if we have one.
lab_kernel() { if [ -e "$VMLINUX.none" ]; then echo "$KERNEL"; else echo "$VMLINUX"; fi; }

build_artifacts() {
  mkdir -p "$CACHE"
  build_rootfs
  build_kernel
  build_initrd
}

# QEMU runs as this user (the packaged default; see write_confs).
QEMU_USER=libvirt-qemu

# Can QEMU's user read the guest's kernel and initrd and create files in the
# images directory? Every directory above them must be traversable by it.
check_qemu_access() {
  id "$QEMU_USER" >/dev/null 2>&1 || die "user $QEMU_USER not found: run scripts/setup.sh apt"
  local f d bad=()
  for f in "$(lab_kernel)" "$INITRD"; do
    runuser -u "$QEMU_USER" -- test -r "$f" || bad+=("$f")
  done
  runuser -u "$QEMU_USER" -- test -x "$IMAGES" || bad+=("$IMAGES")
  [ ${#bad[@]} -eq 0 ] && return 0
  for f in "${bad[@]}"; do
    d=$f
    while [ "$d" != / ]; do
      d=$(dirname "$d")
      runuser -u "$QEMU_USER" -- test -x "$d" || { log "$QEMU_USER cannot enter $d ($(stat -c '%A %U' "$d"))"; break; }
    done
  done
  die "QEMU (user $QEMU_USER) cannot reach the lab's files under $LAB_DIR: ${bad[*]}.
      Put the lab where every directory above it is traversable, e.g. unset
      MILLWRIGHT_LAB_DIR (default /var/lib/millwright-lab) or chmod o+x the directory named above."
}

# ------------------------------------------------------------- commands ----
need_root() { [ "$(id -u)" -eq 0 ] || die "the lab needs root (mount namespaces, libvirtd)"; }
need_tools() {
  local t
  for t in libvirtd virtlogd virsh qemu-system-x86_64 unshare setsid cpio gzip; do
    command -v "$t" >/dev/null || die "$t not found: run scripts/setup.sh apt"
  done
  [ -x /bin/busybox ] || die "/bin/busybox not found: run scripts/setup.sh apt (busybox-static)"
}

cmd_up() {
  need_root; need_tools
  local h all=1
  for h in "${ALL_HOSTS[@]}"; do
    daemon_alive "$h" virtlogd && daemon_alive "$h" libvirtd && answers "$h" || all=0
  done
  if [ "$all" = 1 ] && [ -s "$INITRD" ] && [ -s "$KERNEL" ] && [ -x "$ROOTFS/bin/busybox" ]; then
    check_qemu_access
    log "already up"; return 0
  fi
  build_artifacts
  mkdir -p "$IMAGES"
  check_qemu_access
  start_hosts "${ALL_HOSTS[@]}"
}

cmd_start() { # host
  need_root; need_tools
  host_index "$1" >/dev/null
  start_hosts "$1"
}

cmd_kill() { # host
  local h=$1 pid
  host_index "$h" >/dev/null
  pid=$(pid_of "$h" libvirtd)
  if ! pid_alive "$pid" libvirtd || ! in_lab_ns "$pid"; then log "$h: libvirtd not running"; return 0; fi
  log "$h: kill -9 libvirtd (pid $pid)"
  kill -KILL "$pid"
  wait_until 5 "libvirtd exit" pid_gone "$pid" || die "$h: libvirtd (pid $pid) survived kill -9"
}

cmd_power_off() { # host: a power loss — its guests and daemons killed at once
  local h=$1 pids=()
  host_index "$h" >/dev/null
  mapfile -t pids < <(guest_pids "$h" | sort -un)
  kill_now "$h guests" "${pids[@]}"
  cmd_kill "$h"
  kill_now "$h virtlogd" "$(pid_of "$h" virtlogd)"
}

cmd_status() {
  local h rc=0 lp vp
  for h in "${ALL_HOSTS[@]}"; do
    lp=$(pid_of "$h" libvirtd); vp=$(pid_of "$h" virtlogd)
    pid_alive "$lp" libvirtd || lp=""
    pid_alive "$vp" virtlogd || vp=""
    if [ -n "$lp" ] && answers "$h"; then
      echo "$h up libvirtd=$lp virtlogd=${vp:--} $(host_uri "$h")"
    else
      rc=1
      echo "$h down libvirtd=${lp:--} virtlogd=${vp:--} $(host_uri "$h")"
    fi
  done
  return "$rc"
}

cmd_env() {
  local h n
  for h in "${ALL_HOSTS[@]}"; do
    n=${h^^}
    echo "export MILLWRIGHT_LAB_${n}_URI=$(host_uri "$h")"
    echo "export MILLWRIGHT_LAB_${n}_LXC_URI=$(host_lxc_uri "$h")"
  done
  echo "export MILLWRIGHT_LAB_KERNEL=$(lab_kernel)"
  echo "export MILLWRIGHT_LAB_INITRD=$INITRD"
  echo "export MILLWRIGHT_LAB_ROOTFS=$ROOTFS"
  echo "export MILLWRIGHT_LAB_IMAGES=$IMAGES"
  echo "export MILLWRIGHT_LAB_DIR=$LAB_DIR"
}

cmd_clean() {
  cmd_down
  rm -rf "$HOSTS_DIR"
  log "host state removed (cache kept in $CACHE)"
}

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

case "${1:-}" in
  up) cmd_up ;;
  down) need_root; cmd_down ;;
  kill) [ $# -eq 2 ] || usage; need_root; cmd_kill "$2" ;;
  power-off) [ $# -eq 2 ] || usage; need_root; cmd_power_off "$2" ;;
  start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  clean) need_root; cmd_clean ;;
  *) usage ;;
esac
