#!/usr/bin/env bash
# Side-by-side timing of iamlint and peer tools on the same real templates, in one run.
#
#   bench/peers.sh [CORPUS_DIR]     (default ../shared/corpus)
#
# Peers come from PyPI into a throw-away virtualenv (PEERS_VENV, default /tmp/iamlint-peers):
# cfn-lint and checkov read the CloudFormation/SAM templates; parliament reads the raw IAM
# policy JSON files. Each tool runs once per file set (the peers take minutes); iamlint
# runs three times and the best is kept. Prints seconds and each peer's ratio to iamlint.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(cd "${1:-$here/../shared/corpus}" && pwd)
venv=${PEERS_VENV:-/tmp/iamlint-peers}
if [ ! -x "$venv/bin/cfn-lint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet cfn-lint checkov parliament
fi
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
iamlint=$here/target/release/iamlint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Templates: CloudFormation and SAM files that are meant to deploy (no translator error cases).
(cd "$corpus" && grep -rlE 'AWSTemplateFormatVersion|Type: *AWS::|"Type": *"AWS::' \
  aws-cloudformation__aws-cloudformation-templates aws-samples__serverless-samples \
  aws-cloudformation__cfn-lint/test/fixtures/templates/good \
  aws__serverless-application-model/tests/translator/input \
  --include='*.yaml' --include='*.yml' --include='*.json' --include='*.template' |
  grep -v '/error_' | sed "s|^|$corpus/|" | sort) > "$work/templates"
(cd "$corpus" && grep -rl '"Statement"' aws-samples__service-control-policy-examples --include='*.json' |
  sed "s|^|$corpus/|" | sort) > "$work/policies"
nt=$(wc -l < "$work/templates"); np=$(wc -l < "$work/policies")

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best3() { local b="" t; for _ in 1 2 3; do t=$(seconds "$@"); if [ -z "$b" ] || (( $(echo "$t < $b" | bc -l) )); then b=$t; fi; done; echo "$b"; }
row() { printf '  %-28s %9.3f s %8.0fx\n' "$1" "$2" "$(echo "$2 / $3" | bc -l)"; }

echo "templates: $nt CloudFormation/SAM files"
ti=$(best3 xargs -a "$work/templates" "$iamlint" check --format json)
ti1=$(best3 xargs -a "$work/templates" "$iamlint" check --format json --jobs 1)
row "iamlint" "$ti" "$ti"
row "iamlint --jobs 1" "$ti1" "$ti"
tc=$(seconds xargs -a "$work/templates" "$venv/bin/cfn-lint" --)
row "cfn-lint" "$tc" "$ti"
mkdir -p "$work/tpl"
i=0; while read -r f; do i=$((i+1)); cp "$f" "$work/tpl/$i-$(basename "$f")"; done < "$work/templates"
tk=$(seconds "$venv/bin/checkov" -d "$work/tpl" --framework cloudformation --quiet --compact --skip-download)
row "checkov (cloudformation)" "$tk" "$ti"

echo "policies: $np IAM policy JSON files"
tp=$(best3 xargs -a "$work/policies" "$iamlint" check --format json)
row "iamlint" "$tp" "$tp"
tpa=$(seconds bash -c "while read -r f; do '$venv/bin/parliament' --file \"\$f\"; done < '$work/policies'")
row "parliament (one call per file)" "$tpa" "$tp"
