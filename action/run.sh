#!/usr/bin/env bash
# Run iamlint for the GitHub Action: a JSON report for the job summary and, when asked, a
# SARIF report for code scanning. Never fails the step itself: the exit code goes to the
# step output `exit-code`, and the action's last step fails the job with it, after the
# summary and the SARIF upload have run.
#
# Environment: INPUT_PATHS (space-separated), INPUT_FAIL_ON, INPUT_PERSONA, INPUT_ARGS
# (extra arguments, space-separated), INPUT_SARIF_FILE, INPUT_UPLOAD_SARIF (true/false),
# IAMLINT_JSON (where the JSON report goes; the pedantic one goes beside it as
# NAME-advice.json), IAMLINT (the binary; default: iamlint on PATH).
set -uo pipefail

iamlint="${IAMLINT:-iamlint}"
json="${IAMLINT_JSON:-${RUNNER_TEMP:-/tmp}/iamlint.json}"
advice="${json%.json}-advice.json"
rm -f "$advice"
read -r -a paths <<<"${INPUT_PATHS:-.}"
read -r -a extra <<<"${INPUT_ARGS:-}"
common=(--fail-on "${INPUT_FAIL_ON:-low}")
if [ -n "${INPUT_PERSONA:-}" ]; then
  common+=(--persona "$INPUT_PERSONA")
fi

# The human report in the log, then the machine-readable ones; every run is milliseconds.
"$iamlint" check "${common[@]}" ${extra[@]+"${extra[@]}"} --color never -- "${paths[@]}"
code=$?
if [ "$code" -le 2 ]; then
  "$iamlint" check "${common[@]}" ${extra[@]+"${extra[@]}"} --quiet --format json --output "$json" -- "${paths[@]}"
  # The same run as the pedantic persona, so the summary can count the hidden advice.
  case "${INPUT_PERSONA:-regular}" in
    pedantic | auditor) ;;
    *)
      "$iamlint" check "${common[@]}" ${extra[@]+"${extra[@]}"} --persona pedantic --quiet \
        --format json --output "$advice" -- "${paths[@]}"
      ;;
  esac
  if [ "${INPUT_UPLOAD_SARIF:-false}" = true ]; then
    "$iamlint" check "${common[@]}" ${extra[@]+"${extra[@]}"} --quiet --format sarif \
      --output "${INPUT_SARIF_FILE:-iamlint.sarif}" -- "${paths[@]}"
  fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    echo "json-file=$json"
    [ ! -f "$advice" ] || echo "advice-file=$advice"
  } >>"$GITHUB_OUTPUT"
fi
echo "iamlint exited with $code" >&2
exit 0
