#!/usr/bin/env bash
# Benchmark haul at scale: N images in the daemon, N*5/2 tarballs in a scan folder, N*3/2
# artifacts behind a stand-in GitHub API on 127.0.0.1 (so N=2000 gives 2,000 images, 5,000
# tarballs, 3,000 artifacts). For each N it prints:
#   - `haul images` vs `docker images` (hyperfine, three alternating rounds, medians);
#   - the daemon's CPU for 20 `docker tag`s in 10 s, without and with the TUI open
#     (from /proc/<dockerd pid>/stat);
#   - the TUI's first frame, the time until every list is filled, keystroke-to-redraw
#     latencies in each pane, and haul's peak memory (examples/bench_scale.rs drives it).
# Creates haul-bench/scale-<pid>-* images (`docker import` of tiny distinct tars) and removes
# exactly those at the end; other images are left alone.
#
#   scripts/bench-scale.sh                 # N = 300, then 2000
#   scripts/bench-scale.sh 30              # a quick check
#   HAUL=target/release/haul TARBALLS=5000 ARTIFACTS=3000 scripts/bench-scale.sh 2000
#   DOCKERD_PID=1234 scripts/bench-scale.sh   # when the daemon's pid cannot be found
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(300 2000)
if [[ -z "${HAUL:-}" ]]; then
  if [[ -x target/release/haul ]]; then HAUL=target/release/haul; else HAUL=target/debug/haul; fi
fi
HAUL=$(realpath "$HAUL")
docker version --format '{{.Server.Version}}' >/dev/null

# The daemon's pid: DOCKERD_PID, else docker.pid beside the socket (/var/run/docker.pid for the
# default socket; scripts/engines.sh keeps NAME.pid beside NAME.sock).
dockerd_pid() {
  if [[ -n "${DOCKERD_PID:-}" ]]; then echo "$DOCKERD_PID"; return; fi
  local host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  local sock=${host#unix://}
  local pidfile=${sock%.sock}.pid
  [[ -r "$pidfile" ]] || { echo "cannot find the daemon's pid: set DOCKERD_PID" >&2; exit 1; }
  cat "$pidfile"
}
DOCKERD=$(dockerd_pid)

PREFIX="haul-bench/scale-$$"
WORK=$(mktemp -d -t haul-bench-scale.XXXXXX)
API_PID=
cleanup() {
  [[ -n "$API_PID" ]] && kill "$API_PID" 2>/dev/null || true
  docker images --filter "reference=$PREFIX-*" --format '{{.Repository}}:{{.Tag}}' \
    | xargs -r docker rmi >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The stand-in GitHub API: GET /repos/bench/scale/actions/artifacts?per_page=&page=, with
# total_count and a Link rel="next" header, as GitHub pages it.
cat >"$WORK/api.py" <<'PY'
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

N = int(sys.argv[1])

def artifact(i):
    day = 1 + i % 28
    return {"id": i, "node_id": "x", "name": f"build-{i}", "size_in_bytes": 1000 + i,
            "url": "u", "archive_download_url": "d", "expired": False,
            "created_at": f"2024-03-{day:02d}T10:20:30Z", "updated_at": "2024-03-01T10:20:30Z",
            "expires_at": "2099-01-01T00:00:00Z", "digest": None,
            "workflow_run": {"id": 7000 + i, "repository_id": 1, "head_repository_id": 1,
                             "head_branch": "main", "head_sha": "0123456789abcdef"}}

class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/repos/bench/scale/actions/artifacts":
            self.send_response(404); self.end_headers(); return
        q = urllib.parse.parse_qs(url.query)
        per = min(int(q.get("per_page", ["30"])[0]), 100)
        page = int(q.get("page", ["1"])[0])
        first = (page - 1) * per
        body = json.dumps({"total_count": N,
                           "artifacts": [artifact(i) for i in range(first + 1, min(first + per, N) + 1)]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        if first + per < N:
            host = self.headers.get("host")
            self.send_header("link", f'<http://{host}{url.path}?per_page={per}&page={page + 1}>; rel="next"')
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
PY

echo "binary: $HAUL"
echo "daemon: $(docker version --format '{{.Server.Version}}') (pid $DOCKERD)"
cargo build --quiet --example bench_scale
DRIVER=target/debug/examples/bench_scale
MADE=0

for N in "${SIZES[@]}"; do
  TARBALLS_N=${TARBALLS:-$((N * 5 / 2))}
  ARTIFACTS_N=${ARTIFACTS:-$((N * 3 / 2))}
  echo
  echo "== $N images, $TARBALLS_N tarballs, $ARTIFACTS_N remote artifacts"
  if ((MADE < N)); then
    echo "creating images $((MADE + 1))..$N ($PREFIX-img-K:1)..."
    export PREFIX
    seq $((MADE + 1)) "$N" | xargs -P 4 -I{} sh -c \
      'd=$(mktemp -d); echo "{}" >"$d/seed"; tar -C "$d" -c . | docker import - "$PREFIX-img-{}:1" >/dev/null; rm -rf "$d"'
    MADE=$N
  fi

  SCAN="$WORK/scan-$N" HOME_DIR="$WORK/home-$N"
  mkdir -p "$SCAN" "$HOME_DIR/config" "$HOME_DIR/data" "$HOME_DIR/cache"
  docker save "$PREFIX-img-1:1" -o "$WORK/t.tar"
  for i in $(seq 1 "$TARBALLS_N"); do
    dir="$SCAN/dir-$((i / 100))"
    mkdir -p "$dir"
    cp "$WORK/t.tar" "$dir/t-$i.tar"
  done
  printf 'scan_defaults = false\nscan_folders = ["."]\nscan_depth = 2\nrepo = "bench/scale"\n' \
    >"$HOME_DIR/config/config.toml"

  rm -f "$WORK/port"
  python3 "$WORK/api.py" "$ARTIFACTS_N" "$WORK/port" &
  API_PID=$!
  for _ in $(seq 50); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done

  echo "-- haul images vs docker images (3 alternating rounds of 10 runs)"
  docker_ms=() haul_ms=()
  for round in 1 2 3; do
    hyperfine -N --style none --warmup 2 --runs 10 --export-json "$WORK/h.json" \
      "docker images" "$HAUL images" >/dev/null
    read -r d h < <(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(round(r[0]['median']*1e3,1), round(r[1]['median']*1e3,1))" "$WORK/h.json")
    docker_ms+=("$d") haul_ms+=("$h")
  done
  python3 - "${docker_ms[*]}" "${haul_ms[*]}" <<'PY'
import statistics, sys
d = [float(x) for x in sys.argv[1].split()]
h = [float(x) for x in sys.argv[2].split()]
md, mh = statistics.median(d), statistics.median(h)
print(f"docker images: {md:.1f} ms (rounds {d}); haul images: {mh:.1f} ms (rounds {h}); "
      f"ratio {mh / md:.2f} (target <= 1.5)")
PY
  layers=$(hyperfine -N --style none --runs 3 --export-json "$WORK/h.json" "$HAUL images --layers" >/dev/null \
    && python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['median']*1e3,1))" "$WORK/h.json")
  echo "haul images --layers (one inspect per image): $layers ms"

  echo "-- TUI"
  GITHUB_API_URL="http://127.0.0.1:$(cat "$WORK/port")" GH_TOKEN=bench-token \
    "$DRIVER" "$HAUL" "$SCAN" "$HOME_DIR" "$N" "$TARBALLS_N" "$ARTIFACTS_N" \
    "$PREFIX-img-1:1" "$PREFIX" "$DOCKERD"
  # The tags the driver made are images of this run's prefix: removed with the rest, but
  # untag them now so the next size starts from N images.
  docker images --filter "reference=$PREFIX-tag-*" --format '{{.Repository}}:{{.Tag}}' \
    | xargs -r docker rmi >/dev/null
  kill "$API_PID" 2>/dev/null || true
  wait "$API_PID" 2>/dev/null || true
  API_PID=
  rm -rf "$SCAN"
done
