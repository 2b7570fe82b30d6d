#!/usr/bin/env bash
# Per engine: haul load against docker load -i, on the same archive, in alternating pairs.
#   delta: the base image is in the engine, the child is not (haul leaves the base's layers out)
#   full:  nothing of the image is in the engine (haul load --full, the engine's native route)
# Medians of RUNS pairs; each pair runs in alternating order (docker first on odd runs). Both
# sides end with the same image in the engine; haul's result is checked (ID and layers) and, on
# Docker engines, its top file read from a container's filesystem.
#
# Usage: scripts/bench-engines.sh [SIZE_MB]    (or: scripts/bench-transfer.sh --engines [SIZE_MB])
# Env:   HAUL=path/to/haul (default: cargo build --release), RUNS=3 (at least 3),
#        TOP_MB=size of the child's own layer (default SIZE_MB/20, at least 1),
#        BENCH_ENGINES=docker20,docker26-containerd,... (default: the four of scripts/engines.sh),
#        BENCH_DIR=/tmp/... (kept when given)
# Needs: docker CLI, python3, scripts/engines.sh (it starts the engines it needs).
# The archives are written here (random bytes no engine has seen); images haul-bench/<pid>/...
# are removed from each engine at the end.
set -euo pipefail

SIZE_MB=${1:-1024}
RUNS=${RUNS:-3}
(( RUNS >= 3 )) || { echo "bench: RUNS must be at least 3" >&2; exit 1; }
TOP_MB=${TOP_MB:-$(( SIZE_MB / 20 ))}
(( TOP_MB >= 1 )) || TOP_MB=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d /tmp/haul-bench-engines.XXXXXX)}
PREFIX=haul-bench/$$
APP=$PREFIX/app:bench
BASE=$PREFIX/base:bench

if [[ -z "${HAUL:-}" ]]; then
    echo "== building haul (release)" >&2
    (cd "$ROOT" && cargo build --release --quiet --bin haul)
    HAUL="${CARGO_TARGET_DIR:-$ROOT/target}/release/haul"
fi

declare -A HOST
while IFS='=' read -r key value; do
    case $key in
        HAUL_ENGINE_DOCKER20) HOST[docker20]=$value ;;
        HAUL_ENGINE_DOCKER26_CONTAINERD) HOST[docker26-containerd]=$value ;;
        HAUL_ENGINE_DOCKER26_CLASSIC) HOST[docker26-classic]=$value ;;
        HAUL_ENGINE_PODMAN43) HOST[podman43]=$value ;;
        HAUL_ENGINES_DOCKER_CONFIG) export DOCKER_CONFIG=$value ;;
    esac
done < <(bash "$ROOT/scripts/engines.sh" env)
IFS=',' read -r -a ENGINES <<<"${BENCH_ENGINES:-docker20,docker26-containerd,docker26-classic,podman43}"
for engine in "${ENGINES[@]}"; do
    [[ -n "${HOST[$engine]:-}" ]] || { echo "bench: unknown engine $engine" >&2; exit 1; }
    if [[ $engine != docker20 ]]; then bash "$ROOT/scripts/engines.sh" start "$engine" >&2; fi
done

cleanup() {
    for engine in "${ENGINES[@]}"; do
        DOCKER_HOST=${HOST[$engine]} docker rmi -f "$APP" "$BASE" >/dev/null 2>&1 || true
    done
    if [[ -z "${BENCH_DIR:-}" ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== writing a ${SIZE_MB} MB archive (3 base layers, a ${TOP_MB} MB top layer) and its base" >&2
read -r APP_CONFIG APP_MANIFEST < <(python3 "$ROOT/scripts/bench-mkarchive.py" "$WORK" "$SIZE_MB" "$TOP_MB" "$PREFIX")

now() { date +%s.%N; }
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
quiet() { "$@" >/dev/null 2>"$WORK/err.out" || { echo "bench: $* failed:" >&2; cat "$WORK/err.out" >&2; exit 1; }; }
rm_app() { docker rmi "$APP" >/dev/null 2>&1 || true; }
rm_all() { docker rmi "$APP" "$BASE" >/dev/null 2>&1 || true; }

declare -A T
# pair CASE RESET HAUL_ARGS...: RUNS alternating pairs of docker load -i / haul load.
pair() {
    local case=$1 reset=$2; shift 2
    local run start
    for run in $(seq "$RUNS"); do
        for side in $( (( run % 2 )) && echo "docker haul" || echo "haul docker"); do
            $reset
            sync
            start=$(now)
            if [[ $side == docker ]]; then
                quiet docker load -q -i "$WORK/app.tar"
            else
                quiet "$HAUL" load -q "$@" "$WORK/app.tar"
            fi
            T[$ENGINE/$case/$side]+="$(awk -v a="$start" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}') "
        done
    done
}

# check: haul's image is the archive's (ID, layers), and on Docker engines its top file reads back.
check() {
    local id want
    id=$(docker image inspect --format '{{.Id}}' "$APP")
    want=$APP_CONFIG
    [[ $ENGINE == docker26-containerd ]] && want=$APP_MANIFEST
    [[ $id == "$want" ]] || { echo "bench: $ENGINE: $APP is $id, not $want" >&2; exit 1; }
    if [[ $ENGINE != podman43 ]]; then
        local c size
        c=$(docker create "$APP")
        size=$(docker cp "$c:/data/top.bin" - | tar -tvf - | awk '{print $3}')
        docker rm "$c" >/dev/null
        (( size == TOP_MB * 1024 * 1024 )) || { echo "bench: $ENGINE: top.bin is $size bytes" >&2; exit 1; }
    fi
}

declare -A MODE
for ENGINE in "${ENGINES[@]}"; do
    export DOCKER_HOST=${HOST[$ENGINE]}
    echo "== $ENGINE" >&2
    rm_all
    pair full rm_all --full
    MODE[$ENGINE/full]=$(rm_all; "$HAUL" load --json --full "$WORK/app.tar" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mode"])')
    check
    rm_all
    quiet docker load -q -i "$WORK/base.tar"
    pair delta rm_app
    MODE[$ENGINE/delta]=$(rm_app; "$HAUL" load --json "$WORK/app.tar" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["mode"] + (" (fallback)" if r.get("fallback") else ""))')
    check
    rm_all
done

echo
echo "archive: $(du -m "$WORK/app.tar" | cut -f1) MB (base $(du -m "$WORK/base.tar" | cut -f1) MB, top ${TOP_MB} MB); median of $RUNS alternating pairs; speedup = docker / haul"
printf '%-21s %-24s %9s %9s %8s  %s\n' engine case haul docker speedup "haul mode"
for ENGINE in "${ENGINES[@]}"; do
    for case in delta full; do
        h=$(median "${T[$ENGINE/$case/haul]}"); d=$(median "${T[$ENGINE/$case/docker]}")
        label="delta vs docker load -i"; [[ $case == full ]] && label="full vs docker load -i"
        printf '%-21s %-24s %8.2fs %8.2fs %7.1fx  %s\n' "$ENGINE" "$label" "$h" "$d" \
            "$(awk -v h="$h" -v d="$d" 'BEGIN{print (h>0)?d/h:0}')" "${MODE[$ENGINE/$case]}"
    done
done
