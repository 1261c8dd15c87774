#!/usr/bin/env bash
# Point the mirror at a released iamlint version: `bump.sh 0.2.0 [MIRROR_DIR]` rewrites the
# pin and the package version in MIRROR_DIR/pyproject.toml (default: this folder). The
# release workflow runs it on a checkout of the mirror, then commits and tags `v0.2.0`, so
# `rev: v0.2.0` in a user's .pre-commit-config.yaml installs iamlint 0.2.0.
set -euo pipefail
version="${1:?usage: bump.sh VERSION [MIRROR_DIR]}"
version="${version#v}"
dir="${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([a-z0-9.+-]*)$ ]] || {
  echo "bump.sh: not a version: $version" >&2
  exit 2
}
file="$dir/pyproject.toml"
sed -i.bak -e "s/^version = \".*\"$/version = \"$version\"/" \
  -e "s/^dependencies = \[\"iamlint==.*\"\]$/dependencies = [\"iamlint==$version\"]/" "$file"
rm -f "$file.bak"
grep -q "\"iamlint==$version\"" "$file" || {
  echo "bump.sh: could not pin iamlint==$version in $file" >&2
  exit 1
}
echo "pinned iamlint==$version in $file"
