#!/usr/bin/env bash
# End-to-end test of the Python packaging (pyproject.toml, maturin `bindings = "bin"`):
#   1. `maturin build --release` builds the wheel, reusing target/ (the release build that
#      .ci/run makes for the example, so only packaging is new work);
#   2. the wheel installs into a fresh virtualenv, and with no Rust toolchain on PATH
#      `iamlint --version` and `iamlint check examples/` work (findings, exit code 1);
#   3. the pre-commit mirror (dist/pre-commit-mirror/), pointed at this wheel instead of
#      PyPI, runs as a `language: python` hook in a throw-away repository: it fails on a
#      wildcard policy and passes on a clean one.
# Tools (maturin, pre-commit) go to a virtualenv under target/ that later runs reuse.
# Prints build time, wheel size and install time. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=iamlint-test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=iamlint-test GIT_COMMITTER_EMAIL=test@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
python="${PYTHON:-python3}"
passed=0

fail() {
  echo "wheel.sh: FAIL: $*" >&2
  exit 1
}
ok() {
  passed=$((passed + 1))
  echo "wheel.sh: ok: $*"
}
now_ms() { "$python" -c 'import time; print(int(time.time() * 1000))'; }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# Tools, installed once.
tools="${IAMLINT_TOOLS_VENV:-$root/target/wheel-tools}"
if [ ! -x "$tools/bin/maturin" ] || [ ! -x "$tools/bin/pre-commit" ]; then
  echo "wheel.sh: installing maturin and pre-commit into $tools" >&2
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2" pre-commit
fi
echo "wheel.sh: $("$tools/bin/maturin" --version), $("$tools/bin/pre-commit" --version)"

# 1. Build. --locked keeps Cargo.lock as it is; no --strip, so the build is the same as
# `cargo build --release` and reuses it (the release workflow strips).
wheels="$work/wheels"
start=$(now_ms)
(cd "$root" && "$tools/bin/maturin" build --release --locked --out "$wheels" 2>"$work/maturin.log") ||
  {
    cat "$work/maturin.log" >&2
    fail "maturin build failed"
  }
build_ms=$(($(now_ms) - start))
wheel="$(ls "$wheels"/iamlint-*.whl)"
[ -f "$wheel" ] || fail "no wheel in $wheels"
size=$(wc -c <"$wheel")
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
"$python" - "$wheel" "$version" <<'PY' || fail "wheel contents"
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
scripts = [n for n in names if n.startswith(f"iamlint-{version}.data/scripts/")]
assert scripts == [f"iamlint-{version}.data/scripts/iamlint"], names
assert not [n for n in names if n.endswith(".py")], "the wheel should hold no Python code"
meta = zipfile.ZipFile(wheel).read(f"iamlint-{version}.dist-info/METADATA").decode()
assert f"Version: {version}" in meta and "Requires-Python: >=3.8" in meta, meta[:500]
PY
ok "built $(basename "$wheel") ($((size / 1024)) KiB) in $(seconds "$build_ms") s"

# 2. A fresh virtualenv, and a PATH with neither cargo nor rustc.
venv="$work/venv"
"$python" -m venv "$venv"
start=$(now_ms)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
install_ms=$(($(now_ms) - start))
clean_path="$venv/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null 2>&1 || PATH="$clean_path" command -v rustc >/dev/null 2>&1; then
  fail "the test PATH still has a Rust toolchain"
fi
run() { env -i PATH="$clean_path" HOME="$work" "$@"; }
run iamlint --version | grep -qx "iamlint $version" || fail "iamlint --version from the wheel"
set +e
(cd "$root" && run iamlint check examples/ --color never >"$work/out" 2>"$work/err")
status=$?
set -e
[ "$status" -eq 1 ] || fail "iamlint check examples/ exited with $status: $(cat "$work/err")"
grep -q "service-wildcard-action" "$work/out" || fail "the example's finding is missing"
grep -q "advice findings hidden; --persona pedantic shows them" "$work/err" || fail "summary: $(cat "$work/err")"
ok "installed in $(seconds "$install_ms") s; iamlint --version and a check of examples/ run without Rust"

# 3. The mirror's language: python hook, installing this wheel.
mirror="$work/mirror"
cp -r "$root/dist/pre-commit-mirror" "$mirror"
"$mirror/bump.sh" "$version" "$mirror" >/dev/null
grep -q "\"iamlint==$version\"" "$mirror/pyproject.toml" || fail "bump.sh did not pin $version"
# The real mirror pins the PyPI release; here the pin points at the local wheel.
sed -i.bak "s|\"iamlint==$version\"|\"iamlint @ file://$wheel\"|" "$mirror/pyproject.toml"
rm -f "$mirror/pyproject.toml.bak"
git -C "$mirror" init --quiet
git -C "$mirror" add -A
git -C "$mirror" commit --quiet -m mirror

project="$work/project"
mkdir -p "$project/policies"
git -C "$project" init --quiet
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]}' \
  >"$project/policies/admin.json"
git -C "$project" add -A
git -C "$project" commit --quiet -m "bad policy"
hook() {
  (cd "$project" && env PRE_COMMIT_HOME="$work/pre-commit-home" PATH="$tools/bin:/usr/bin:/bin" HOME="$HOME" \
    "$tools/bin/pre-commit" try-repo "$mirror" iamlint --all-files --color never)
}
start=$(now_ms)
set +e
output="$(hook 2>&1)"
status=$?
set -e
hook_ms=$(($(now_ms) - start))
[ "$status" -ne 0 ] || fail "the hook passed a wildcard policy: $output"
grep -q "wildcard-action" <<<"$output" || fail "the finding is not in the hook output: $output"
grep -q "Failed" <<<"$output" || fail "pre-commit did not report a failure: $output"
printf '%s\n' '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}' \
  >"$project/policies/admin.json"
git -C "$project" commit --quiet -am "clean policy"
set +e
output="$(hook 2>&1)"
status=$?
set -e
[ "$status" -eq 0 ] || fail "the hook failed a clean policy: $output"
grep -q "Passed" <<<"$output" || fail "pre-commit did not report a pass: $output"
ok "pre-commit mirror hook from the wheel: fails on '*', passes clean (first run $(seconds "$hook_ms") s)"

echo "wheel.sh: build $(seconds "$build_ms") s, wheel $size bytes, install $(seconds "$install_ms") s, first hook run $(seconds "$hook_ms") s"
echo "wheel.sh: $passed passed, 0 failed"
