#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml: `pre-commit try-repo` builds iamlint from this
# repository (language: rust, so `cargo install`) and runs it in a throw-away git repository,
# once on a policy with a wildcard action (must fail and print the finding) and once on a
# clean policy (must pass).
#
# The hook repository is a snapshot of this work tree (tracked and untracked files that git
# does not ignore), committed in a temporary repository, so the test sees uncommitted work
# too. try-repo installs the hook in a fresh store on every call, so each run below builds
# iamlint; CARGO_TARGET_DIR (a temporary directory unless set) lets the second build reuse
# the first one's compiled dependencies. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$work/pre-commit-home}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/cargo-target}"
export GIT_AUTHOR_NAME=iamlint-test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=iamlint-test GIT_COMMITTER_EMAIL=test@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

fail() {
  echo "precommit.sh: FAIL: $*" >&2
  exit 1
}

if ! command -v pre-commit >/dev/null 2>&1; then
  echo "precommit.sh: installing pre-commit with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
  hash -r
fi
command -v pre-commit >/dev/null 2>&1 || fail "pre-commit is not on PATH after pip install"
echo "precommit.sh: $(pre-commit --version)"

# 1. The hook repository: a committed snapshot of the work tree.
hook_repo="$work/hook-repo"
mkdir -p "$hook_repo"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$root" && xargs -0 tar -cf - --no-recursion --ignore-failed-read) |
  tar -xf - -C "$hook_repo"
git -C "$hook_repo" init --quiet
git -C "$hook_repo" add -A
git -C "$hook_repo" commit --quiet -m snapshot

# 2. A project with a policy.
project="$work/project"
mkdir -p "$project/policies"
git -C "$project" init --quiet
cat >"$project/policies/admin.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::example-bucket/*"}
  ]
}
JSON
git -C "$project" add -A
git -C "$project" commit --quiet -m "bad policy"

run_hook() {
  (cd "$project" && pre-commit try-repo "$hook_repo" iamlint --all-files --color never)
}

# 3. The bad policy fails the hook and the finding is shown. The first run builds iamlint.
start=$(date +%s)
set +e
output="$(run_hook 2>&1)"
status=$?
set -e
elapsed=$(($(date +%s) - start))
echo "$output"
echo "precommit.sh: first run (cargo install + lint) took ${elapsed}s"
[ "$status" -ne 0 ] || fail "hook passed on a policy with a wildcard action"
grep -q "wildcard-action" <<<"$output" || fail "the finding is not in the hook output"
grep -q "Failed" <<<"$output" || fail "pre-commit did not report the hook as failed"

# 4. The clean policy passes (iamlint is cached now).
cat >"$project/policies/admin.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}
  ]
}
JSON
git -C "$project" add -A
git -C "$project" commit --quiet -m "clean policy"
start=$(date +%s)
set +e
output="$(run_hook 2>&1)"
status=$?
set -e
elapsed=$(($(date +%s) - start))
echo "$output"
echo "precommit.sh: second run (cargo install again, dependencies reused + lint) took ${elapsed}s"
[ "$status" -eq 0 ] || fail "hook failed on a clean policy"
grep -q "Passed" <<<"$output" || fail "pre-commit did not report the hook as passed"

echo "precommit.sh: 2 passed, 0 failed"
