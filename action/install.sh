#!/usr/bin/env bash
# Install iamlint for the GitHub Action: download the release archive for this runner,
# check its SHA-256 sum, unpack the binary. Only when no archive exists for this version
# and platform does it build with `cargo install`. A checksum mismatch is always an error.
#
# Environment (all optional):
#   IAMLINT_VERSION   version to install, `0.1.0` or `v0.1.0` (default: this checkout's
#                     Cargo.toml version, which is the action's own version at a release tag)
#   IAMLINT_DOWNLOAD_BASE  where releases live; the archive is fetched from
#                     BASE/vVERSION/iamlint-TARGET.tar.gz (default: GitHub releases; a
#                     file:// URL works, which is how tests/action.sh runs this)
#   IAMLINT_TARGET    Rust target triple of the archive (default: from RUNNER_OS and
#                     RUNNER_ARCH, else from uname)
#   IAMLINT_INSTALL_DIR  where the binary goes (default: RUNNER_TEMP/iamlint/bin)
#   IAMLINT_NO_CARGO_FALLBACK=1  fail instead of building when no archive exists
#
# Prints the installed binary's path last; adds its folder to GITHUB_PATH and sets the
# step output `path` when run inside Actions.
set -euo pipefail

action_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "iamlint install: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

version="${IAMLINT_VERSION:-}"
if [ -z "$version" ]; then
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_dir/Cargo.toml" | head -n 1)"
  [ -n "$version" ] || die "no IAMLINT_VERSION and no version in $action_dir/Cargo.toml"
fi
version="${version#v}"
base="${IAMLINT_DOWNLOAD_BASE:-https://github.com/iamlint/iamlint/releases/download}"
base="${base%/}"
install_dir="${IAMLINT_INSTALL_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/iamlint/bin}"

# The release builds these targets (.github/workflows/release.yml); Linux gets the static
# musl build, which runs on any distribution.
detect_target() {
  local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}
target="${IAMLINT_TARGET:-$(detect_target)}"
exe=iamlint
case "$target" in *windows*) exe=iamlint.exe ;; esac

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# Fetch URL to FILE. Returns 0 on success, 3 when the file does not exist there (HTTP 4xx,
# missing local file), 1 on any other failure.
fetch() {
  local url=$1 file=$2 status=0
  curl --fail --silent --show-error --location --retry 3 --retry-connrefused \
    --output "$file" "$url" || status=$?
  case "$status" in
    0) return 0 ;;
    22 | 37) return 3 ;;
    *) return 1 ;;
  esac
}

finish() {
  local binary=$1
  "$binary" --version >&2 || die "the installed binary does not run: $binary"
  if [ -n "${GITHUB_PATH:-}" ]; then
    dirname "$binary" >>"$GITHUB_PATH"
  fi
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "path=$binary" >>"$GITHUB_OUTPUT"
  fi
  echo "$binary"
  exit 0
}

cargo_fallback() {
  [ "${IAMLINT_NO_CARGO_FALLBACK:-}" != 1 ] || die "no release archive for $target and the cargo fallback is off"
  command -v cargo >/dev/null 2>&1 || die "no release archive for ${target:-this platform} and no cargo to build one"
  local root
  root="$(dirname "$install_dir")"
  if [ -f "$action_dir/Cargo.toml" ] && [ -d "$action_dir/src" ]; then
    log "building iamlint $version from $action_dir with cargo install (a few minutes)"
    cargo install --locked --quiet --root "$root" --path "$action_dir"
  else
    log "building iamlint $version from crates.io with cargo install (a few minutes)"
    cargo install --locked --quiet --root "$root" --version "=$version" iamlint
  fi
  finish "$root/bin/$exe"
}

if [ -z "$target" ]; then
  log "no release archive is built for ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}"
  cargo_fallback
fi

archive="iamlint-$target.tar.gz"
url="$base/v$version/$archive"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "downloading $url"
status=0
fetch "$url" "$work/$archive" || status=$?
if [ "$status" -eq 3 ]; then
  log "no release archive at $url"
  cargo_fallback
elif [ "$status" -ne 0 ]; then
  die "could not download $url"
fi

# An archive without its sum is never trusted.
fetch "$url.sha256" "$work/$archive.sha256" || die "could not download the checksum $url.sha256"
expected="$(cut -d ' ' -f 1 <"$work/$archive.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')"
actual="$(sha256_of "$work/$archive")"
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "malformed checksum file $url.sha256"
if [ "$expected" != "$actual" ]; then
  die "checksum mismatch for $archive: expected $expected, got $actual; not installing it"
fi
log "checksum verified ($actual)"

tar -xzf "$work/$archive" -C "$work"
binary="$work/iamlint-$target/$exe"
[ -f "$binary" ] || die "$archive has no iamlint-$target/$exe"
mkdir -p "$install_dir"
cp "$binary" "$install_dir/$exe"
chmod +x "$install_dir/$exe"
finish "$install_dir/$exe"
