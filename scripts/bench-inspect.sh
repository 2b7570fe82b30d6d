#!/usr/bin/env bash
# Inspect speed: haul against `tar tvf` and `skopeo inspect` on the same ~1 GB `docker save`
# tarball, and the compressed pass against `zcat` / `zstd -dc`, medians of several runs.
# Usage: scripts/bench-inspect.sh [SIZE_MB] [RUNS]  (needs docker, skopeo, hyperfine, busybox-static, zstd)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
SIZE_MB=${1:-1024}
RUNS=${2:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/haul-bench-inspect.XXXXXX")
NAME="haul-bench/inspect-$$"
cleanup() { docker rmi -f "$NAME:app" "$NAME:base" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

cargo build --release --quiet
HAUL=$PWD/target/release/haul
echo "building a ${SIZE_MB} MB image..."
make_image "$NAME" "$SIZE_MB" 4 "$WORK"
docker save -o "$WORK/img.tar" "$NAME:app"
gzip -6 -c "$WORK/img.tar" > "$WORK/img.tar.gz"
zstd -q -3 -c "$WORK/img.tar" > "$WORK/img.tar.zst"
ls -l "$WORK"/img.tar* | awk '{print "  " $5 " bytes  " $9}'
export HAUL_CACHE_DIR="$WORK/cache"

# Millisecond commands get more runs: their medians are otherwise noise.
FAST_RUNS=$(( RUNS * 10 ))
t_haul=$(median_ms "$FAST_RUNS" "$HAUL" inspect "$WORK/img.tar")
t_tar=$(median_ms "$FAST_RUNS" tar tvf "$WORK/img.tar")
t_skopeo=$(median_ms "$FAST_RUNS" skopeo inspect "docker-archive:$WORK/img.tar")
t_gz=$(median_ms "$RUNS" "$HAUL" inspect --no-cache "$WORK/img.tar.gz")
t_zcat=$(median_ms "$RUNS" sh -c "zcat '$WORK/img.tar.gz' > /dev/null")
t_zst=$(median_ms "$RUNS" "$HAUL" inspect --no-cache "$WORK/img.tar.zst")
t_zstdc=$(median_ms "$RUNS" sh -c "zstd -q -dc '$WORK/img.tar.zst' > /dev/null")
"$HAUL" inspect "$WORK/img.tar.gz" >/dev/null
t_cached=$(median_ms "$FAST_RUNS" "$HAUL" inspect "$WORK/img.tar.gz")
rss_plain=$(peak_rss_mb "$HAUL" inspect "$WORK/img.tar")
rss_gz=$(peak_rss_mb "$HAUL" inspect --no-cache "$WORK/img.tar.gz")

echo
echo "medians in ms ($FAST_RUNS runs uncompressed, $RUNS compressed)   haul    other   ratio"
printf 'uncompressed: haul vs tar tvf                   %6s  %7s   %s (target <= 2.00)\n' "$t_haul" "$t_tar" "$(ratio "$t_haul" "$t_tar")"
printf 'uncompressed: skopeo inspect vs haul            %6s  %7s   %sx faster (target >= 4)\n' "$t_haul" "$t_skopeo" "$(ratio "$t_skopeo" "$t_haul")"
printf 'gzip: zcat time / haul time (throughput share)  %6s  %7s   %s (target >= 0.90)\n' "$t_gz" "$t_zcat" "$(ratio "$t_zcat" "$t_gz")"
printf 'zstd: zstd -dc time / haul time                 %6s  %7s   %s (target >= 0.90)\n' "$t_zst" "$t_zstdc" "$(ratio "$t_zstdc" "$t_zst")"
printf 'gzip, second inspect (cached)                   %6s\n' "$t_cached"
printf 'peak RSS: plain %s MB, gzip pass %s MB\n' "$rss_plain" "$rss_gz"
