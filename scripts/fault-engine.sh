#!/usr/bin/env bash
# A private, disposable Docker Engine 26.1 (classic store) for fault tests: the test that starts
# it may kill it (SIGKILL) or stop it (SIGTERM) mid-load and mid-save, and starts it again.
# It uses the binaries scripts/engines.sh installed and that script's containerd (in a namespace
# of its own), and shares nothing else: its own socket, data root, exec root, pid file, log and
# bridge (never --bridge=none). The system Docker 20.10 and the shared engines are never touched.
#
# Usage: scripts/fault-engine.sh start|stop|kill|term|env NAME N
#   NAME  a label (letters, digits, dashes); N (1-99) picks the bridge hf<N> and 10.214.N.1/24
#   start  bring it up (installs and starts the shared containerd first if needed)
#   term   SIGTERM it (a graceful stop) and wait for it to exit; kill: SIGKILL
#   stop   term, then remove its bridge and data
#   env    HAUL_FAULT_HOST=unix://... and its log path
#
# Paths: sockets and pid files under /run/haul-fault/NAME, data and logs under
# /var/tmp/haul-fault/NAME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ENGINES_HOME=/var/tmp/haul-engines
PREFIX=$ENGINES_HOME/prefix
CONTAINERD_SOCK=/run/haul-engines/containerd/containerd.sock

cmd=${1:-} name=${2:-} n=${3:-}
[[ $name =~ ^[a-z0-9-]+$ && $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 99 ]] ||
    { echo "usage: $0 start|stop|kill|term|env NAME N(1-99)" >&2; exit 2; }
HOME_DIR=/var/tmp/haul-fault/$name
RUN_DIR=/run/haul-fault/$name
SOCK=$RUN_DIR/docker.sock
PIDFILE=$RUN_DIR/dockerd.pid
LOG=$HOME_DIR/dockerd.log
BRIDGE=hf$n
ADDR=10.214.$n.1/24

pid() { [[ -s $PIDFILE ]] && cat "$PIDFILE"; }
running() { local p; p=$(pid) && kill -0 "$p" 2>/dev/null; }
answers() {
    DOCKER_CONFIG=$ENGINES_HOME/docker-config timeout 10 docker -H "unix://$SOCK" version \
        --format '{{.Server.Version}}' >/dev/null 2>&1
}

start() {
    running && answers && return 0
    [[ -S $CONTAINERD_SOCK ]] || "$here/engines.sh" start docker26-classic >/dev/null
    mkdir -p "$HOME_DIR" "$RUN_DIR"
    if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link add "$BRIDGE" type bridge
        ip addr add "$ADDR" dev "$BRIDGE"
        ip link set "$BRIDGE" up
    fi
    local driver=overlay2
    [[ $(sed -n 's/^docker26-classic=//p' "$ENGINES_HOME/drivers" 2>/dev/null) == fuse-overlayfs ]] &&
        driver=fuse-overlayfs
    echo "{\"storage-driver\": \"$driver\"}" >"$HOME_DIR/daemon.json"
    rm -f "$RUN_DIR/exec/dockerd.pid" "$SOCK"
    echo "=== $(date -Is) start" >>"$LOG"
    setsid env PATH="$PREFIX/usr/bin:$PREFIX/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
        HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
        "$PREFIX/usr/sbin/dockerd" --config-file "$HOME_DIR/daemon.json" \
        --containerd "$CONTAINERD_SOCK" --containerd-namespace "haul-fault-$name" \
        --containerd-plugins-namespace "haul-fault-$name-plugins" \
        --data-root "$HOME_DIR/data" --exec-root "$RUN_DIR/exec" --pidfile "$RUN_DIR/exec.pid" \
        -H "unix://$SOCK" --bridge "$BRIDGE" --iptables=false --ip6tables=false \
        --ip-forward=false --ip-masq=false --userland-proxy=false \
        </dev/null >>"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    local end=$((SECONDS + 60))
    until answers; do
        ((SECONDS < end)) || { echo "fault engine $name did not start: see $LOG" >&2; exit 1; }
        sleep 0.2
    done
}

signal_and_wait() { # SIGNAL
    local p
    p=$(pid) || return 0
    kill "-$1" "$p" 2>/dev/null || return 0
    local end=$((SECONDS + 60))
    while kill -0 "$p" 2>/dev/null; do
        ((SECONDS < end)) || { kill -KILL "$p" 2>/dev/null; break; }
        sleep 0.1
    done
}

case $cmd in
    start) start ;;
    kill) signal_and_wait KILL ;;
    term) signal_and_wait TERM ;;
    stop)
        signal_and_wait TERM
        ip link del "$BRIDGE" 2>/dev/null || true
        # A killed engine leaves its layer mounts behind: unmount ours (under its own folders).
        awk -v a="$HOME_DIR/" -v b="$RUN_DIR/" 'index($2, a) == 1 || index($2, b) == 1 {print $2}' \
            /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
        rm -rf "$HOME_DIR" "$RUN_DIR"
        ;;
    env)
        echo "HAUL_FAULT_HOST=unix://$SOCK"
        echo "HAUL_FAULT_LOG=$LOG"
        ;;
    *) echo "usage: $0 start|stop|kill|term|env NAME N" >&2; exit 2 ;;
esac
