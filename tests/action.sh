#!/usr/bin/env bash
# Tests of the GitHub Action's scripts (action/), run on this machine without GitHub:
#   1. install.sh fetches a release archive (packaged here by dist/archive.sh from the
#      release build, served from a file:// URL), verifies its SHA-256 sum and installs it;
#   2. it refuses a tampered archive, a wrong or missing checksum, and installs nothing;
#   3. with no archive for the version it falls back to `cargo install` (a recording stub
#      stands in for cargo) or fails when the fallback is off or cargo is missing;
#   4. run.sh lints the bundled example and reports exit code 1, JSON, advice JSON and SARIF;
#   5. summary.py turns the JSON report into the job summary.
# Needs target/release/iamlint (built here when missing). Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0

fail() {
  echo "action.sh: FAIL: $*" >&2
  exit 1
}
ok() {
  passed=$((passed + 1))
  echo "action.sh: ok: $*"
}

binary="$root/target/release/iamlint"
if [ ! -x "$binary" ]; then
  (cd "$root" && cargo build --release --locked --quiet)
fi
version="$("$binary" --version | cut -d ' ' -f 2)"
# The archive takes the name install.sh expects on this platform.
target=x86_64-unknown-linux-musl
case "$(uname -s)/$(uname -m)" in
  Linux/aarch64) target=aarch64-unknown-linux-musl ;;
  Darwin/arm64) target=aarch64-apple-darwin ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
esac

# A release folder as GitHub serves it: BASE/vVERSION/iamlint-TARGET.tar.gz(.sha256).
releases="$work/releases"
"$root/dist/archive.sh" "$target" "$binary" "$releases/v$version" >/dev/null
archive="$releases/v$version/iamlint-$target.tar.gz"
[ -s "$archive" ] && [ -s "$archive.sha256" ] || fail "archive.sh wrote no archive or sum"

# Each install runs in a clean environment: no cargo on PATH unless a test puts one there.
install() {
  local dir=$1
  shift
  env -i PATH="/usr/bin:/bin" HOME="$work" TMPDIR="$work" \
    IAMLINT_DOWNLOAD_BASE="file://$releases" IAMLINT_INSTALL_DIR="$dir/bin" \
    GITHUB_PATH="$dir/github_path" GITHUB_OUTPUT="$dir/github_output" "$@" \
    bash "$root/action/install.sh"
}

# 1. The good archive installs and runs.
mkdir -p "$work/good"
install "$work/good" IAMLINT_VERSION="v$version" IAMLINT_TARGET="$target" >"$work/good/out" 2>"$work/good/err" ||
  fail "install of a good archive failed: $(cat "$work/good/err")"
installed="$(tail -n 1 "$work/good/out")"
[ "$installed" = "$work/good/bin/iamlint" ] || fail "install printed $installed"
"$installed" --version | grep -q "iamlint $version" || fail "the installed binary does not run"
grep -qx "$work/good/bin" "$work/good/github_path" || fail "GITHUB_PATH not updated"
grep -qx "path=$work/good/bin/iamlint" "$work/good/github_output" || fail "step output path not set"
grep -q "checksum verified" "$work/good/err" || fail "no checksum message"
ok "installs the release archive after verifying its checksum"

# The version defaults to the action checkout's Cargo.toml; the target to this machine.
mkdir -p "$work/default"
install "$work/default" >/dev/null 2>"$work/default/err" || fail "default install failed: $(cat "$work/default/err")"
[ -x "$work/default/bin/iamlint" ] || fail "default install put no binary"
ok "version from Cargo.toml and target from the platform by default"

# 2. A wrong sum, a tampered archive, a missing or malformed sum: refused, nothing installed.
expect_refusal() {
  local name=$1 message=$2
  mkdir -p "$work/$name"
  if install "$work/$name" IAMLINT_VERSION="$version" IAMLINT_TARGET="$target" >/dev/null 2>"$work/$name/err"; then
    fail "$name: install succeeded"
  fi
  grep -q "$message" "$work/$name/err" || fail "$name: expected '$message' in: $(cat "$work/$name/err")"
  [ ! -e "$work/$name/bin/iamlint" ] || fail "$name: a binary was installed anyway"
}
cp "$archive" "$work/archive.orig"
cp "$archive.sha256" "$work/sum.orig"
printf '%064d  iamlint-%s.tar.gz\n' 0 "$target" >"$archive.sha256"
expect_refusal wrong-sum "checksum mismatch"
cp "$work/sum.orig" "$archive.sha256"
printf 'x' >>"$archive"
expect_refusal tampered "checksum mismatch"
cp "$work/archive.orig" "$archive"
echo "not a checksum" >"$archive.sha256"
expect_refusal malformed-sum "malformed checksum"
rm "$archive.sha256"
expect_refusal missing-sum "could not download the checksum"
cp "$work/sum.orig" "$archive.sha256"
ok "refuses a wrong, malformed or missing checksum and a tampered archive"

# 3. No archive for this version: cargo install, or a clear error.
mkdir -p "$work/nocargo"
if install "$work/nocargo" IAMLINT_VERSION=9.9.9 >/dev/null 2>"$work/nocargo/err"; then
  fail "install without an archive and without cargo succeeded"
fi
grep -q "no cargo" "$work/nocargo/err" || fail "no-cargo message missing: $(cat "$work/nocargo/err")"
mkdir -p "$work/nofallback"
if install "$work/nofallback" IAMLINT_VERSION=9.9.9 IAMLINT_NO_CARGO_FALLBACK=1 >/dev/null 2>"$work/nofallback/err"; then
  fail "install with the fallback off succeeded"
fi
# A stub cargo records its arguments and installs the real binary where cargo would.
mkdir -p "$work/stub" "$work/fallback"
cat >"$work/stub/cargo" <<STUB
#!/bin/sh
echo "\$@" >"$work/fallback/cargo-args"
while [ "\$#" -gt 0 ]; do
  if [ "\$1" = --root ]; then mkdir -p "\$2/bin" && cp "$binary" "\$2/bin/iamlint"; fi
  shift
done
STUB
chmod +x "$work/stub/cargo"
env -i PATH="$work/stub:/usr/bin:/bin" HOME="$work" TMPDIR="$work" \
  IAMLINT_DOWNLOAD_BASE="file://$releases" IAMLINT_INSTALL_DIR="$work/fallback/bin" \
  IAMLINT_VERSION=9.9.9 bash "$root/action/install.sh" >/dev/null 2>"$work/fallback/err" ||
  fail "cargo fallback failed: $(cat "$work/fallback/err")"
grep -q -- "install --locked --quiet --root $work/fallback --path $root" "$work/fallback/cargo-args" ||
  fail "cargo was called as: $(cat "$work/fallback/cargo-args")"
[ -x "$work/fallback/bin/iamlint" ] || fail "fallback installed nothing"
# An unknown platform goes straight to the fallback too.
rm -f "$work/fallback/cargo-args"
env -i PATH="$work/stub:/usr/bin:/bin" HOME="$work" TMPDIR="$work" RUNNER_OS=Plan9 RUNNER_ARCH=MIPS \
  IAMLINT_DOWNLOAD_BASE="file://$releases" IAMLINT_INSTALL_DIR="$work/fallback/bin" \
  bash "$root/action/install.sh" >/dev/null 2>"$work/fallback/err2" || fail "fallback on an unknown platform failed"
[ -s "$work/fallback/cargo-args" ] || fail "an unknown platform did not use cargo"
ok "falls back to cargo install only when no archive exists"

# 4. run.sh on the bundled example: findings (exit code 1) but a passing step.
mkdir -p "$work/run"
(
  cd "$root"
  env IAMLINT="$installed" INPUT_PATHS="examples/" INPUT_FAIL_ON=low INPUT_UPLOAD_SARIF=true \
    INPUT_SARIF_FILE="$work/run/iamlint.sarif" IAMLINT_JSON="$work/run/iamlint.json" \
    GITHUB_OUTPUT="$work/run/github_output" bash action/run.sh >"$work/run/log" 2>&1
) || fail "run.sh failed the step: $(cat "$work/run/log")"
grep -qx "exit-code=1" "$work/run/github_output" || fail "exit-code output: $(cat "$work/run/github_output")"
grep -qx "advice-file=$work/run/iamlint-advice.json" "$work/run/github_output" || fail "no advice-file output"
grep -q "service-wildcard-action" "$work/run/log" || fail "the human report is not in the log"
python3 - "$work/run" <<'PY' || fail "run.sh reports are wrong"
import json, sys
d = sys.argv[1]
report = json.load(open(f"{d}/iamlint.json"))
advice = json.load(open(f"{d}/iamlint-advice.json"))
sarif = json.load(open(f"{d}/iamlint.sarif"))
assert report["findings"], "no findings in the JSON report"
assert not [f for f in report["findings"] if f["severity"] == "info"], "advice in the default report"
assert len(advice["findings"]) > len(report["findings"]), "the pedantic report hides as much"
assert len(sarif["runs"][0]["results"]) == len(report["findings"]), "SARIF and JSON disagree"
PY
ok "run.sh lints the example: exit code 1, JSON, advice JSON and SARIF"

# 5. The job summary.
summary="$work/run/summary.md"
GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=o/r GITHUB_SHA=abc \
  python3 "$root/action/summary.py" "$work/run/iamlint.json" --advice "$work/run/iamlint-advice.json" \
  --fail-on low --exit-code 1 --output "$summary"
python3 - "$work/run/iamlint.json" "$work/run/iamlint-advice.json" "$summary" <<'PY' || fail "summary is wrong: $(cat "$summary")"
import collections, json, sys
report, advice, text = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), open(sys.argv[3]).read()
findings = report["findings"]
files = report["summary"]["files"]
assert f"## iamlint: {len(findings)} findings in {files} files" in text, "heading"
assert "❌ findings at or above `low`" in text, "verdict"
hidden = len(advice["findings"]) - len(findings)
assert f"{hidden} advice findings hidden" in text, "hidden count"
for severity, count in collections.Counter(f["severity"] for f in findings).items():
    assert f"{severity} | {count} |" in text, f"severity row {severity}"
for rule, count in collections.Counter(f["rule"] for f in findings).items():
    assert f"[`{rule}`](https://github.com/iamlint/iamlint/blob/v" in text, f"rule link {rule}"
    assert any(line.startswith(f"| [`{rule}`]") and line.endswith(f"| {count} |") for line in text.splitlines()), f"rule row {rule}"
first = findings[0]
assert f"(https://github.com/o/r/blob/abc/{first['file']}#L" in text, "finding link"
PY
clean='{"version":1,"tool":{"name":"iamlint","version":"0.1.0"},"findings":[],"errors":[],"summary":{"files":1,"findings":0,"errors":0}}'
echo "$clean" >"$work/clean.json"
python3 "$root/action/summary.py" "$work/clean.json" --exit-code 0 --output "$work/clean.md"
grep -q "✅ no findings" "$work/clean.md" || fail "clean summary: $(cat "$work/clean.md")"
echo '{' >"$work/broken.json"
if python3 "$root/action/summary.py" "$work/broken.json" --output "$work/broken.md" 2>/dev/null; then
  fail "summary.py accepted a broken report"
fi
ok "summary.py writes totals, severities, rules and links"

echo "action.sh: $passed passed, 0 failed"
