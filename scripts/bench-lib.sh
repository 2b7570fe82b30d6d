# Shared by the benchmark scripts: timing, medians, and a test image of a given size.
# Source it; it needs docker, python3, hyperfine and Debian's busybox-static.

# median_ms RUNS CMD...: median wall time of CMD in ms over RUNS runs (after one warm-up),
# measured by hyperfine without an intermediate shell, so millisecond commands are timed fairly.
median_ms() {
  local runs=$1; shift
  local json
  json=$(mktemp)
  local cmd
  cmd=$(printf '%q ' "$@")
  hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$json" "$cmd" >/dev/null 2>&1 \
    || { echo "command failed: $*" >&2; rm -f "$json"; return 1; }
  python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1000, 1))" "$json"
  rm -f "$json"
}

# ratio A B: A/B with two decimals.
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/max(b,0.001):.2f}')" "$1" "$2"; }

# make_image NAME SIZE_MB LAYERS WORKDIR: import a busybox rootfs as NAME:base, then build NAME:app
# with LAYERS layers of compressible random text (base64 of /dev/urandom) totalling SIZE_MB.
make_image() {
  local name=$1 size_mb=$2 layers=$3 work=$4
  mkdir -p "$work/rootfs/bin" "$work/ctx"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  ln -sf busybox "$work/rootfs/bin/sh"
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  docker import "$work/rootfs.tar" "$name:base" >/dev/null
  local per=$(( size_mb * 1024 * 1024 / layers ))
  printf 'FROM %s:base\n' "$name" > "$work/ctx/Dockerfile"
  for i in $(seq "$layers"); do
    head -c $(( per * 3 / 4 )) /dev/urandom | base64 -w 0 > "$work/ctx/layer$i.bin"
    printf 'COPY layer%s.bin /data/layer%s.bin\n' "$i" "$i" >> "$work/ctx/Dockerfile"
  done
  printf 'CMD ["/bin/sh"]\n' >> "$work/ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$name:app" "$work/ctx" >/dev/null
  rm -rf "$work/ctx" "$work/rootfs"
}

# peak_rss_mb CMD...: peak resident memory of CMD in MB (GNU time).
peak_rss_mb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {printf "%.1f\n", $2/1024}'
}
