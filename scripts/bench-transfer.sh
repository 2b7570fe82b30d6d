#!/usr/bin/env bash
# Compare haul with the docker CLI on the same files, in one run:
#   full load, delta load, load from a Deflate artifact zip, save; wall time and peak RSS.
#
# Usage: scripts/bench-transfer.sh [SIZE_MB]      (default 1024: a ~1 GB image)
#        scripts/bench-transfer.sh --engines [SIZE_MB]: per engine (Docker 20.10, Docker 26.1 with
#        the containerd and classic stores, Podman 4.3), delta and full load against
#        docker load -i (see scripts/bench-engines.sh)
# Env:   HAUL=path/to/haul (default: cargo build --release), RUNS=3, BENCH_DIR=/tmp/...,
#        TOP_MB=size of the new top layer for the delta case (default SIZE_MB/20)
# Needs: docker (daemon reachable), unzip, zip, /usr/bin/time (apt package `time`).
# It builds its own images (haul-bench/*) and removes them at the end.
set -euo pipefail

if [[ "${1:-}" == --engines ]]; then
    shift
    exec bash "$(dirname "$0")/bench-engines.sh" "$@"
fi

SIZE_MB=${1:-1024}
RUNS=${RUNS:-3}
TOP_MB=${TOP_MB:-$(( SIZE_MB / 20 ))}
BASE_MB=$(( SIZE_MB - TOP_MB ))
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d /tmp/haul-bench.XXXXXX)}
TAG=haul-bench-$$
BASE=haul-bench/base:$TAG
APP=haul-bench/app:$TAG

for tool in docker unzip zip /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

if [[ -z "${HAUL:-}" ]]; then
    echo "== building haul (release)" >&2
    (cd "$ROOT" && cargo build --release --quiet --bin haul)
    HAUL="${CARGO_TARGET_DIR:-$ROOT/target}/release/haul"
fi

cleanup() {
    docker rmi -f "$APP" "$BASE" >/dev/null 2>&1 || true
    if [[ -z "${BENCH_DIR:-}" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

rm_app()  { docker rmi "$APP" >/dev/null 2>&1 || true; }
rm_all()  { docker rmi "$APP" "$BASE" >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- images
# Layers are base64 of random bytes: Deflate shrinks them to about 3/4, like real binaries.
echo "== building a ${SIZE_MB} MB image: 3 base layers of $(( BASE_MB / 3 )) MB + a ${TOP_MB} MB top layer" >&2
mkdir -p "$WORK/ctx"
printf 'hello\n' > "$WORK/hello.txt"
tar -C "$WORK" -cf "$WORK/rootfs.tar" hello.txt
docker import "$WORK/rootfs.tar" "$BASE-root" >/dev/null
rand() { head -c $(( $1 * 1024 * 1024 * 3 / 4 )) /dev/urandom | base64 -w 0 > "$2"; }
for i in 1 2 3; do rand $(( BASE_MB / 3 )) "$WORK/ctx/base$i.bin"; done
printf 'FROM %s\nCOPY base1.bin /b1\nCOPY base2.bin /b2\nCOPY base3.bin /b3\n' "$BASE-root" > "$WORK/ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$BASE" "$WORK/ctx" >/dev/null 2>&1
docker rmi "$BASE-root" >/dev/null
rm "$WORK"/ctx/base*.bin
rand "$TOP_MB" "$WORK/ctx/top.bin"
printf 'FROM %s\nCOPY top.bin /top\nCMD ["/hello.txt"]\n' "$BASE" > "$WORK/ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$APP" "$WORK/ctx" >/dev/null 2>&1
rm -rf "$WORK/ctx"
docker save -o "$WORK/app.tar" "$APP"
docker save -o "$WORK/base.tar" "$BASE"
(cd "$WORK" && zip -q -6 app.zip app.tar)
echo "   app.tar $(du -m "$WORK/app.tar" | cut -f1) MB, app.zip $(du -m "$WORK/app.zip" | cut -f1) MB" >&2

# ---------------------------------------------------------------- timing
# measure NAME CMD...: run once, record wall seconds and peak RSS (kB) of the command.
declare -A WALL RSS
measure() {
    local name=$1; shift
    sync
    # A cold haul cache every time: an artifact is loaded once, its listing is not cached yet.
    rm -rf "$WORK/cache"; export HAUL_CACHE_DIR="$WORK/cache"
    /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/err.out" || {
        echo "bench: $name failed:" >&2; cat "$WORK/err.out" >&2; exit 1; }
    read -r wall rss < <(tail -n 1 "$WORK/time.out")
    WALL[$name]+="$wall "
    RSS[$name]=$(( ${RSS[$name]:-0} > rss ? ${RSS[$name]:-0} : rss ))
}
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for run in $(seq "$RUNS"); do
    echo "== run $run/$RUNS" >&2
    # Full load: nothing of the image in the daemon.
    rm_all; measure docker_load docker load -q -i "$WORK/app.tar"
    rm_all; measure haul_load "$HAUL" load -q "$WORK/app.tar"
    # Delta load: the base layers are in the daemon (base.tar), the top layer is new.
    rm_all; docker load -q -i "$WORK/base.tar" >/dev/null
    rm_app; measure docker_delta docker load -q -i "$WORK/app.tar"
    rm_app; measure haul_delta "$HAUL" load -q "$WORK/app.tar"
    # Load from a Deflate zip, nothing in the daemon.
    rm_all; measure unzip_then_load bash -c "unzip -q -o '$WORK/app.zip' -d '$WORK/unz' && docker load -q -i '$WORK/unz/app.tar'"
    rm -rf "$WORK/unz"
    rm_all; measure unzip_pipe_load bash -c "unzip -p '$WORK/app.zip' app.tar | docker load -q"
    rm_all; measure haul_zip "$HAUL" load -q --full "$WORK/app.zip"
    # Save.
    rm -f "$WORK/d.tar" "$WORK/h.tar"
    measure docker_save docker save -o "$WORK/d.tar" "$APP"
    measure haul_save "$HAUL" save -q "$APP" -o "$WORK/h.tar"
    rm -f "$WORK/d.tar" "$WORK/h.tar"
done

# ---------------------------------------------------------------- report
row() { # label haul docker
    local h d; h=$(median "${WALL[$2]}"); d=$(median "${WALL[$3]}")
    printf '%-40s %8.2fs %8.2fs %8.2f   %6d kB\n' "$1" "$h" "$d" "$(awk -v h="$h" -v d="$d" 'BEGIN{print (d>0)?h/d:0}')" "${RSS[$2]}"
}
echo
echo "image: $(du -m "$WORK/app.tar" | cut -f1) MB tar, $(du -m "$WORK/app.zip" | cut -f1) MB zip; median of $RUNS runs; ratio = haul / docker"
printf '%-40s %9s %9s %8s   %9s\n' "case" "haul" "docker" "ratio" "haul RSS"
row "full load vs docker load -i"            haul_load  docker_load
row "delta load vs docker load -i"           haul_delta docker_delta
row "zip load vs unzip + docker load -i"     haul_zip   unzip_then_load
row "zip load vs unzip -p | docker load"     haul_zip   unzip_pipe_load
row "save vs docker save -o"                 haul_save  docker_save
