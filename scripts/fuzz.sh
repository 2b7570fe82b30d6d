#!/usr/bin/env bash
# The long fuzz run: the seeded mutation fuzzer of tests/harden_fuzz.rs, in release mode,
# over several seeds. Usage: scripts/fuzz.sh [CASES_PER_SEED] [SEEDS] [CORPUS_DIR]
#   CASES_PER_SEED  default 50000
#   SEEDS           default 8 (seeds 1..SEEDS; a failure names its seed and case)
#   CORPUS_DIR      optional folder of real image tars (docker save outputs) added to the corpus
# A failing case is kept in target/tmp/fuzz-failures/; turn it into a regression test by
# copying it into tests/fuzz-regressions/ (tests/harden_fuzz_regressions.rs reads them all).
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-50000}
seeds=${2:-8}
if [ -n "${3:-}" ]; then export HAUL_FUZZ_CORPUS="$3"; fi
cargo test --release --test harden_fuzz --no-run
for seed in $(seq 1 "$seeds"); do
  HAUL_FUZZ_SEED=$seed HAUL_FUZZ_CASES=$cases \
    cargo test --release --test harden_fuzz -- --nocapture 2>&1 | grep -E 'fuzz:|^case|panicked|test result'
done
