#!/usr/bin/env bash
# The engine matrix haul's tests run on, beside the machine's Docker Engine 20.10
# (classic store, /var/run/docker.sock, never touched here):
#
#   docker26-containerd  Docker Engine 26.1.5, containerd image store (snapshotter: see STORE_DRIVER)
#   docker26-classic     Docker Engine 26.1.5, classic store (graph driver: see STORE_DRIVER)
#   podman43             Podman 4.3.1's Docker-compatible API (storage driver: see STORE_DRIVER)
#
# Docker 26.1.5, containerd 1.7.24 and docker-buildx 0.13.1 come from Debian trixie (apt-get download
# with a private source list, dpkg-deb -x into a private prefix; the system's apt sources stay
# bookworm). trixie's runc needs glibc 2.38, so the dockerds use bookworm's runc (/usr/sbin/runc).
# Podman comes from bookworm (apt-get install podman).
#
# Usage: scripts/engines.sh install|start|stop|status|env [ENGINE...]
#   install  fetch what the engines need (idempotent; start does it too)
#   start    bring the engines up (idempotent, locked: parallel callers wait for one start)
#   stop     stop what this script started (its pid files), remove its bridges
#   status   one line per engine
#   env      shell assignments: HAUL_ENGINE_<NAME>=unix:///... and the paths tests need
#
# Paths (fixed): sockets, pid files, exec roots under /run/haul-engines; downloads, the prefix,
# data roots and logs under /var/tmp/haul-engines (logs/<engine>.log).
set -euo pipefail

HOME_DIR=/var/tmp/haul-engines
RUN_DIR=/run/haul-engines
PREFIX=$HOME_DIR/prefix
LOGS=$HOME_DIR/logs
DOCKER_CFG=$HOME_DIR/docker-config
CONTAINERD_SOCK=$RUN_DIR/containerd/containerd.sock
PODMAN_CONF=$HOME_DIR/podman/containers.conf
PODMAN_STORAGE_CONF=$HOME_DIR/podman/storage.conf
SYSTEM_DOCKER=unix:///var/run/docker.sock
NO_NET=http://127.0.0.1:9
ENGINES=(docker26-containerd docker26-classic podman43)
TRIXIE_PACKAGES=(docker.io containerd docker-buildx tini)
SYSTEM_PACKAGES=(podman uidmap fuse-overlayfs iproute2 util-linux)
STAMP=$HOME_DIR/installed-v1

sock() { echo "$RUN_DIR/$1.sock"; }
pidfile() { echo "$RUN_DIR/$1.pid"; }
bridge() { case $1 in docker26-containerd) echo haul26c0 ;; docker26-classic) echo haul26k0 ;; esac; }
bridge_addr() { case $1 in docker26-containerd) echo 10.213.27.1/24 ;; docker26-classic) echo 10.213.26.1/24 ;; esac; }
say() { echo "engines: $*" >&2; }
die() { say "$*"; exit 1; }

# Kernel overlayfs where it mounts here (it does in this sandbox, as root); else fuse-overlayfs
# (classic store, Podman) and the native snapshotter (containerd store).
overlay_works() {
    local t
    t=$(mktemp -d "$HOME_DIR/ovl.XXXXXX")
    mkdir -p "$t"/{l,u,w,m}
    if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
        umount "$t/m"; rm -rf "$t"; return 0
    fi
    rm -rf "$t"; return 1
}
store_driver() { # ENGINE -> driver name, decided once and remembered
    local f=$HOME_DIR/drivers
    if [[ ! -s $f ]]; then
        if overlay_works; then
            printf 'docker26-containerd=overlayfs\ndocker26-classic=overlay2\npodman43=overlay\n' >"$f"
        else
            printf 'docker26-containerd=native\ndocker26-classic=fuse-overlayfs\npodman43=fuse-overlayfs\n' >"$f"
        fi
    fi
    sed -n "s/^$1=//p" "$f"
}

apt_private() {
    local a=$HOME_DIR/apt
    apt-get -q -o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts="$a/sources.list.d" \
        -o Dir::Etc::Preferences="$a/preferences" -o Dir::Etc::PreferencesParts="$a/preferences.d" \
        -o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache" -o Dir::State::Status=/dev/null \
        -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false "$@"
}

install() {
    local missing=() p
    for p in "${SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    if ((${#missing[@]})); then
        say "installing (bookworm): ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    [[ -e $STAMP ]] && return 0
    say "fetching Docker 26.1, containerd 1.7, buildx 0.13 from Debian trixie into $PREFIX"
    local a=$HOME_DIR/apt
    mkdir -p "$a/sources.list.d" "$a/preferences.d" "$a/lists/partial" "$a/cache/archives/partial" "$HOME_DIR/debs"
    echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
        >"$a/sources.list"
    apt_private update -qq
    rm -f "$HOME_DIR"/debs/*.deb
    (cd "$HOME_DIR/debs" && apt_private -o APT::Sandbox::User=root download -qq "${TRIXIE_PACKAGES[@]}")
    rm -rf "$PREFIX.new"
    mkdir -p "$PREFIX.new"
    for p in "$HOME_DIR"/debs/*.deb; do dpkg-deb -x "$p" "$PREFIX.new"; done
    "$PREFIX.new/usr/sbin/dockerd" --version >/dev/null || die "trixie's dockerd does not run here"
    "$PREFIX.new/usr/bin/containerd" --version >/dev/null || die "trixie's containerd does not run here"
    rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
    mkdir -p "$DOCKER_CFG/cli-plugins"
    ln -sfn "$PREFIX/usr/libexec/docker/cli-plugins/docker-buildx" "$DOCKER_CFG/cli-plugins/docker-buildx"
    [[ -e $DOCKER_CFG/config.json ]] || echo '{}' >"$DOCKER_CFG/config.json"
    touch "$STAMP"
}

alive() { # PIDFILE -> the pid is running and is one of ours (a daemon whose arguments name our folders)
    local pid
    [[ -s $1 ]] && pid=$(cat "$1") && [[ $pid =~ ^[0-9]+$ ]] &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -e "$RUN_DIR" -e "$HOME_DIR"
}
answers() { # ENGINE -> its API answers
    DOCKER_CONFIG=$DOCKER_CFG timeout 10 docker -H "unix://$(sock "$1")" version --format '{{.Server.Version}}' \
        >/dev/null 2>&1
}
spawn() { # NAME CMD... : detached, in its own session, log appended to logs/NAME.log
    local name=$1; shift
    echo "=== $(date -Is) start: $*" >>"$LOGS/$name.log"
    # Registry traffic (a pull the tests never mean to make) goes to a closed loopback port.
    setsid env PATH="$PREFIX/usr/bin:$PREFIX/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
        HTTP_PROXY=$NO_NET HTTPS_PROXY=$NO_NET http_proxy=$NO_NET https_proxy=$NO_NET NO_PROXY= no_proxy= "$@" \
        </dev/null >>"$LOGS/$name.log" 2>&1 9>&- &
    echo $! >"$(pidfile "$name")"
}
wait_for() { # WHAT SECONDS TEST...
    local what=$1 secs=$2; shift 2
    local end=$((SECONDS + secs))
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 0.2
    done
}

start_containerd() {
    alive "$(pidfile containerd)" && [[ -S $CONTAINERD_SOCK ]] && return 0
    mkdir -p "$HOME_DIR/containerd" "$RUN_DIR/containerd"
    cat >"$HOME_DIR/containerd/config.toml" <<EOF
version = 2
root = "$HOME_DIR/containerd/root"
state = "$RUN_DIR/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$HOME_DIR/containerd/opt"
EOF
    rm -f "$CONTAINERD_SOCK" "$CONTAINERD_SOCK.ttrpc"
    spawn containerd "$PREFIX/usr/bin/containerd" --config "$HOME_DIR/containerd/config.toml"
    wait_for containerd 30 test -S "$CONTAINERD_SOCK" || die "containerd did not start: see $LOGS/containerd.log"
}

start_dockerd() { # ENGINE
    local e=$1 br addr
    alive "$(pidfile "$e")" && answers "$e" && return 0
    br=$(bridge "$e") addr=$(bridge_addr "$e")
    if ! ip link show "$br" >/dev/null 2>&1; then
        ip link add "$br" type bridge
        ip addr add "$addr" dev "$br"
        ip link set "$br" up
    fi
    mkdir -p "$HOME_DIR/$e" "$RUN_DIR/$e"
    rm -f "$RUN_DIR/$e/dockerd.pid" # stale after a machine restart; dockerd refuses a live-looking one
    local features='{}'
    [[ $e == docker26-containerd ]] && features='{"containerd-snapshotter": true}'
    cat >"$HOME_DIR/$e/daemon.json" <<EOF
{"storage-driver": "$(store_driver "$e")", "features": $features}
EOF
    # Its own config file (never /etc/docker/daemon.json), data root, exec root, pid file, socket,
    # bridge; no iptables; the containerd above, in a namespace of its own.
    spawn "$e" "$PREFIX/usr/sbin/dockerd" --config-file "$HOME_DIR/$e/daemon.json" \
        --containerd "$CONTAINERD_SOCK" --containerd-namespace "haul-$e" \
        --containerd-plugins-namespace "haul-$e-plugins" \
        --data-root "$HOME_DIR/$e/data" --exec-root "$RUN_DIR/$e/exec" \
        --pidfile "$RUN_DIR/$e/dockerd.pid" -H "unix://$(sock "$e")" \
        --bridge "$br" --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
        --userland-proxy=false
}

start_podman() {
    alive "$(pidfile podman43)" && answers podman43 && return 0
    mkdir -p "$HOME_DIR/podman" "$RUN_DIR/podman"
    cat >"$PODMAN_STORAGE_CONF" <<EOF
[storage]
driver = "$(store_driver podman43 | sed 's/fuse-overlayfs/overlay/')"
graphroot = "$HOME_DIR/podman/root"
runroot = "$RUN_DIR/podman/runroot"
EOF
    if [[ $(store_driver podman43) == fuse-overlayfs ]]; then
        printf '[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n' >>"$PODMAN_STORAGE_CONF"
    fi
    cat >"$PODMAN_CONF" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$HOME_DIR/podman/events.log"
tmp_dir = "$RUN_DIR/podman/tmp"
static_dir = "$HOME_DIR/podman/root/libpod"
volume_path = "$HOME_DIR/podman/root/volumes"
EOF
    rm -f "$(sock podman43)"
    spawn podman43 env CONTAINERS_CONF="$PODMAN_CONF" CONTAINERS_STORAGE_CONF="$PODMAN_STORAGE_CONF" \
        podman system service --time=0 "unix://$(sock podman43)"
}

selected() { # ENGINE... -> the engines asked for (default: all)
    local e
    if (($#)); then
        for e in "$@"; do [[ " ${ENGINES[*]} " == *" $e "* ]] || die "unknown engine $e (${ENGINES[*]})"; done
        echo "$@"
    else
        echo "${ENGINES[@]}"
    fi
}

start() {
    install
    local e failed=()
    mkdir -p "$LOGS"
    for e in $(selected "$@"); do
        case $e in
            podman43) start_podman ;;
            *) start_containerd && start_dockerd "$e" ;;
        esac
    done
    for e in $(selected "$@"); do
        wait_for "$e" 60 answers "$e" || failed+=("$e")
    done
    if ((${#failed[@]})); then
        for e in "${failed[@]}"; do say "$e did not come up: see $LOGS/$e.log"; done
        exit 1
    fi
}

stop_pid() { # NAME
    local f pid
    f=$(pidfile "$1")
    alive "$f" || { rm -f "$f"; return 0; } # never signal a pid that is not ours
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
    wait_for "$1" 30 bash -c "! test -d /proc/$pid" || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
}

stop() {
    local e br
    for e in $(selected "$@"); do
        stop_pid "$e"
        br=$(bridge "$e")
        [[ -n $br ]] && ip link show "$br" >/dev/null 2>&1 && ip link del "$br"
    done
    if (($# == 0)); then
        stop_pid containerd
    fi
    # containers/storage bind-mounts Podman's overlay folder on itself; leave no mount behind.
    if [[ " $(selected "$@") " == *" podman43 "* ]] && mountpoint -q "$HOME_DIR/podman/root/overlay"; then
        umount "$HOME_DIR/podman/root/overlay" || true
    fi
    return 0
}

status() {
    local e v
    v=$(timeout 10 docker -H "$SYSTEM_DOCKER" version --format '{{.Server.Version}}' 2>/dev/null) || v=down
    echo "docker20 $SYSTEM_DOCKER $v (system, not managed here)"
    for e in "${ENGINES[@]}"; do
        v=$(DOCKER_CONFIG=$DOCKER_CFG timeout 10 docker -H "unix://$(sock "$e")" version \
            --format '{{.Server.Version}}' 2>/dev/null) || v=down
        echo "$e unix://$(sock "$e") $v driver=$(store_driver "$e" 2>/dev/null || echo '?') log=$LOGS/$e.log"
    done
}

env_lines() {
    echo "HAUL_ENGINE_DOCKER20=$SYSTEM_DOCKER"
    echo "HAUL_ENGINE_DOCKER26_CONTAINERD=unix://$(sock docker26-containerd)"
    echo "HAUL_ENGINE_DOCKER26_CLASSIC=unix://$(sock docker26-classic)"
    echo "HAUL_ENGINE_PODMAN43=unix://$(sock podman43)"
    echo "HAUL_ENGINES_DOCKER_CONFIG=$DOCKER_CFG"
    echo "HAUL_ENGINES_CONTAINERS_CONF=$PODMAN_CONF"
    echo "HAUL_ENGINES_CONTAINERS_STORAGE_CONF=$PODMAN_STORAGE_CONF"
    echo "HAUL_ENGINES_LOGS=$LOGS"
}

locked() { # run "$@" holding the engines lock (parallel test processes start the engines once)
    mkdir -p "$HOME_DIR" "$RUN_DIR"
    exec 9>"$RUN_DIR/lock"
    flock 9
    "$@"
}

cmd=${1:-}
shift || true
case $cmd in
    install) locked install ;;
    start) locked start "$@" ;;
    stop) locked stop "$@" ;;
    status) status ;;
    env) env_lines ;;
    *) die "usage: $0 install|start|stop|status|env [ENGINE...]" ;;
esac
