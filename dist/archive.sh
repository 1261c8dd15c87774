#!/usr/bin/env bash
# Package a built iamlint binary as a release archive with its SHA-256 sum, the files the
# GitHub Action (action/install.sh) downloads:
#
#   dist/archive.sh TARGET BINARY OUT_DIR
#
# writes OUT_DIR/iamlint-TARGET.tar.gz (a folder iamlint-TARGET/ holding the binary, README,
# LICENSE and NOTICE) and OUT_DIR/iamlint-TARGET.tar.gz.sha256 (`sha256sum` format). Used by
# .github/workflows/release.yml and by tests/action.sh.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 TARGET BINARY OUT_DIR" >&2
  exit 2
fi
target=$1 binary=$2 out=$3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$binary" ] || { echo "archive.sh: no binary at $binary" >&2; exit 1; }

name="iamlint-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$binary" "$stage/$name/"
cp "$root/README.md" "$root/LICENSE" "$root/NOTICE" "$stage/$name/"

archive="$name.tar.gz"
# Fixed owner and order, so the same binary gives the same archive.
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "$out/$archive" "$name" 2>/dev/null ||
  tar -C "$stage" -czf "$out/$archive" "$name"
(
  cd "$out"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$archive" >"$archive.sha256"
  else
    shasum -a 256 "$archive" >"$archive.sha256"
  fi
)
echo "$out/$archive"
