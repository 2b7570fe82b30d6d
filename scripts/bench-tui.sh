#!/usr/bin/env bash
# Benchmark the TUI: first frame with 300 images in the daemon and 200 tarballs in the scan
# folder, keystroke-to-redraw latency during a 1 GB load, idle CPU.
# Creates haul-bench/tui-<pid>-* images and removes exactly those at the end (other
# haul-bench images, e.g. another benchmark's, are left alone).
#
#   scripts/bench-tui.sh            # uses target/release/haul if built, else target/debug/haul
#   HAUL=path/to/haul N_IMAGES=300 N_TARBALLS=200 BIG_MB=1024 scripts/bench-tui.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N_IMAGES=${N_IMAGES:-300}
N_TARBALLS=${N_TARBALLS:-200}
BIG_MB=${BIG_MB:-1024}
if [[ -z "${HAUL:-}" ]]; then
  if [[ -x target/release/haul ]]; then HAUL=target/release/haul; else HAUL=target/debug/haul; fi
fi
HAUL=$(realpath "$HAUL")
docker version --format '{{.Server.Version}}' >/dev/null

PREFIX="haul-bench/tui-$$"
WORK=$(mktemp -d -t haul-bench.XXXXXX)
cleanup() {
  docker images --filter "reference=$PREFIX-*" --format '{{.Repository}}:{{.Tag}}' \
    | xargs -r docker rmi --force >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/scan" "$WORK/home/config" "$WORK/seed"
printf 'scan_defaults = false\nscan_folders = ["."]\n' >"$WORK/home/config/config.toml"

echo "creating $N_IMAGES images ($PREFIX-img-N:1)..."
export PREFIX
seq 1 "$N_IMAGES" | xargs -P 4 -I{} sh -c \
  'd=$(mktemp -d); echo {} >"$d/seed"; tar -C "$d" -c . | docker import - "$PREFIX-img-{}:1" >/dev/null; rm -rf "$d"'

echo "writing $N_TARBALLS tarballs..."
docker save "$PREFIX-img-1:1" -o "$WORK/scan/t-1.tar"
for i in $(seq 2 "$N_TARBALLS"); do
  mkdir -p "$WORK/scan/dir-$((i % 10))"
  cp "$WORK/scan/t-1.tar" "$WORK/scan/dir-$((i % 10))/t-$i.tar"
done

echo "making a ${BIG_MB} MB image..."
mkdir -p "$WORK/big"
head -c "${BIG_MB}M" /dev/urandom >"$WORK/big/blob"
tar -C "$WORK/big" -c . | docker import - "$PREFIX-big:1" >/dev/null
rm -rf "$WORK/big"
docker save "$PREFIX-big:1" -o "$WORK/scan/big-image.tar"
docker rmi "$PREFIX-big:1" >/dev/null

echo "binary: $HAUL"
cargo build --quiet --example bench_tui
target/debug/examples/bench_tui "$HAUL" "$WORK/scan" "$WORK/home" big-image.tar
