#!/usr/bin/env bash
# End-to-end test of `--format html` in headless Chromium (Debian's `chromium`).
#
# 1. Control pages prove the checks can fail: a page that loads an image over HTTP and
#    throws must be caught by the network and console checks.
# 2. The bundled example's report: the DOM after the script ran must list its functions,
#    the severity counts of `--format json`, a working filter (preset from the URL), and
#    with JavaScript off show everything with the filter form hidden. A screenshot is kept
#    in target/html-report/ (copy it to docs/html-report.png when the look changes).
# 3. A real multi-function SAM application from the corpus, when the corpus is present:
#    each function with its permission bars, no console error.
# Every page: no console error, no network request, no absolute URL but the rule docs.
#
# Usage: tests/html-report.sh [path/to/iamlint]   (default: a release build)
# Skips (exit 0) with a message only when Chromium is missing and cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

IAMLINT=${1:-target/release/iamlint}
if [ ! -x "$IAMLINT" ]; then
  cargo build --release --locked --quiet
  IAMLINT=target/release/iamlint
fi
OUT=target/html-report
rm -rf "$OUT"
mkdir -p "$OUT"
CORPUS_APP=${CORPUS_APP:-/work/shared/corpus/aws-samples__serverless-samples/serverless-rest-api/python-rest-sam/template.yaml}

find_chromium() {
  for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

if ! CHROMIUM=$(find_chromium); then
  echo "== installing chromium"
  if [ "$(id -u)" = 0 ]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else SUDO=(false); fi
  if command -v apt-get >/dev/null 2>&1 && [ "${SUDO[0]:-}" != false ]; then
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 ||
      { "${SUDO[@]}" apt-get update >/dev/null 2>&1 &&
        "${SUDO[@]}" apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; } || true
  fi
  if ! CHROMIUM=$(find_chromium); then
    echo "SKIP html-report: chromium is not installed and could not be installed (needs apt-get as root)"
    exit 0
  fi
fi
echo "== html report in $("$CHROMIUM" --version 2>/dev/null || echo chromium)"

# run_page NAME FILE [chromium args...]: dump the DOM to $OUT/NAME.dom, the browser log
# to $OUT/NAME.log and the network log to $OUT/NAME.netlog.json.
run_page() {
  local name=$1 file=$2
  shift 2
  local profile
  profile=$(mktemp -d)
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --log-net-log="$PWD/$OUT/$name.netlog.json" \
    "$@" "file://$(realpath "$file")${FRAGMENT:-}" >"$OUT/$name.dom" 2>"$OUT/$name.log" || {
    echo "chromium failed on $file"; cat "$OUT/$name.log"; rm -rf "$profile"; return 1; }
  rm -rf "$profile"
}

# check_clean NAME: no console message of the page, no request from the page.
check_clean() {
  python3 - "$OUT/$1" <<'EOF'
import json, re, sys
base = sys.argv[1]
log = open(base + ".log", encoding="utf-8", errors="replace").read()
console = [l for l in log.splitlines() if ":CONSOLE" in l]
net = json.load(open(base + ".netlog.json"))
names = {v: k for k, v in net["constants"]["logEventTypes"].items()}
# Requests the page made carry a file:// network isolation key; the browser's own
# (account and time checks) do not.
page = sorted({e["params"]["url"] for e in net["events"]
               if names.get(e["type"]) == "URL_REQUEST_START_JOB"
               and "file://" in e.get("params", {}).get("network_isolation_key", "")
               and not e["params"].get("url", "").startswith("file:")})
problems = [f"console: {l}" for l in console] + [f"network request: {u}" for u in page]
if problems:
    print("\n".join(problems))
    sys.exit(1)
EOF
}

echo "-- control page: the checks must catch a request and a script error"
cat >"$OUT/control.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head>
<body><img src="http://127.0.0.1:9/control.png" alt=""><script>undefinedFunction();</script></body></html>
EOF
run_page control "$OUT/control.html" --dump-dom
if found=$(check_clean control); then
  echo "FAIL: the control page passed the network and console checks"; exit 1
fi
grep -q "network request: http://127.0.0.1:9/control.png" <<<"$found" ||
  { echo "FAIL: the control page's request was not seen:"; echo "$found"; exit 1; }
grep -q "undefinedFunction" <<<"$found" ||
  { echo "FAIL: the control page's script error was not seen:"; echo "$found"; exit 1; }

# check_report NAME HTML JSON FUNCTIONS...: the static page and its rendered DOM.
check_report() {
  python3 - "$@" <<'EOF'
import json, re, sys
name, html_path, json_path, *functions = sys.argv[1:]
base = "target/html-report/" + name
html = open(html_path, encoding="utf-8").read()
dom = open(base + ".dom", encoding="utf-8").read()
report = json.load(open(json_path))
fail = []

csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
if f'http-equiv="Content-Security-Policy" content="{csp}"' not in html:
    fail.append("no Content-Security-Policy meta tag")
for m in re.finditer(r"https?://[^\"'<> ]*", html):
    before = html[max(0, m.start() - 6):m.start()]
    if before != 'href="' or "/rules/" not in m.group(0):
        fail.append(f"absolute URL that is not a rule doc link: {m.group(0)}")
for tag in ("<link", "<img", "<iframe", " src=", "@import", "url("):
    if tag in html:
        fail.append(f"{tag} would load a resource")

articles = re.findall(r'<article class="function" id="fn-\d+"[^>]*>\s*<h3>([^<]+)', dom)
shown = [a.strip() for a in articles]
if sorted(shown) != sorted(functions):
    fail.append(f"functions {shown}, expected {functions}")
for fn in re.split(r'<article class="function"', dom)[1:]:
    fn = fn.split("</article>")[0]
    title = re.search(r"<h3>([^<]+)", fn).group(1).strip()
    if 'class="svc"' not in fn and "not in the linted files" not in fn:
        fail.append(f"function {title} has no permission bar")
    if 'class="seg ' not in fn and "not in the linted files" not in fn:
        fail.append(f"function {title} has no bar segment")
for sev, n in report["summary"]["by_severity"].items():
    if f'data-count="{sev}">{n}<' not in dom:
        fail.append(f"severity tile {sev} does not show {n}")
total = report["summary"]["findings"]
# A finding about several functions is listed under each of them, with one id.
items = len(set(re.findall(r'<li class="finding [^"]*" data-finding="(\d+)"', dom)))
if items != total:
    fail.append(f"{items} findings on the page, JSON has {total}")
if '<form id="filters">' not in dom:
    fail.append("the filter form is still hidden: the script did not run")
if f"{total} of {total} findings shown" not in dom:
    fail.append("the filter did not count the findings")
if fail:
    sys.exit("\n".join(fail))
print(f"{name}: {len(shown)} functions, {total} findings, no console error, no request")
EOF
}

echo "-- bundled example"
set +e
"$IAMLINT" check -q examples/ --format html --output "$OUT/example.html"
code_html=$?
"$IAMLINT" check -q examples/ --format json --output "$OUT/example.json"
set -e
[ "$code_html" -eq 1 ] || { echo "FAIL: expected exit code 1 for the example's HTML report, got $code_html"; exit 1; }
run_page example "$OUT/example.html" --dump-dom
check_clean example
check_report example "$OUT/example.html" "$OUT/example.json" ProcessUploadedFile ProcessOrderFunction

echo "-- filter preset from the URL: only high and critical findings"
FRAGMENT="#severity=high" run_page example-high "$OUT/example.html" --dump-dom
check_clean example-high
python3 - "$OUT/example.json" "$OUT/example-high.dom" <<'EOF'
import json, re, sys
report = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()
want = sum(1 for f in report["findings"] if f["severity"] in ("high", "critical"))
total = len(report["findings"])
items = re.findall(r'<li class="finding [^"]*" data-finding="(\d+)" data-severity="(\w+)"([^>]*)>', dom)
visible = {i for i, sev, rest in items if "hidden" not in rest}
wanted = {i for i, sev, rest in items if sev in ("high", "critical")}
if f"{want} of {total} findings shown" not in dom or visible != wanted or len(wanted) != want:
    sys.exit(f"severity filter: want {want} of {total} shown, DOM shows {len(visible)}")
EOF

echo "-- JavaScript off: everything shown, no filter form"
# --dump-dom needs JavaScript itself, so the page is loaded without its script instead.
python3 - "$OUT/example.html" "$OUT/example-nojs.html" <<'EOF2'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
stripped, n = re.subn(r"<script>.*?</script>", "", html, flags=re.S)
if n != 1:
    sys.exit(f"expected one script element, found {n}")
open(sys.argv[2], "w", encoding="utf-8").write(stripped)
EOF2
run_page example-nojs "$OUT/example-nojs.html" --dump-dom
check_clean example-nojs
python3 - "$OUT/example-nojs.dom" "$OUT/example.json" <<'EOF'
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
total = json.load(open(sys.argv[2]))["summary"]["findings"]
if '<form id="filters" hidden="">' not in dom and '<form id="filters" hidden>' not in dom:
    sys.exit("without JavaScript the filter form must stay hidden")
if re.search(r"<(li|article)[^>]* hidden", dom):
    sys.exit("without JavaScript nothing may be hidden")
if len(set(re.findall(r'<li class="finding [^"]*" data-finding="(\d+)"', dom))) != total:
    sys.exit("without JavaScript every finding must be listed")
EOF

echo "-- screenshot"
run_page example-shot "$OUT/example.html" --window-size=1280,1700 --hide-scrollbars \
  --screenshot="$PWD/$OUT/html-report.png"
check_clean example-shot
python3 - "$OUT/html-report.png" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("screenshot is not a PNG")
w, h = struct.unpack(">II", data[16:24])
if (w, h) != (1280, 1700) or len(data) < 20000:
    sys.exit(f"screenshot is {w}x{h}, {len(data)} bytes: looks empty")
EOF

if [ -f "$CORPUS_APP" ]; then
  echo "-- real SAM application: $CORPUS_APP"
  set +e
  "$IAMLINT" check -q "$CORPUS_APP" --format html --output "$OUT/app.html"
  "$IAMLINT" check -q "$CORPUS_APP" --format json --output "$OUT/app.json"
  set -e
  mapfile -t app_functions < <(python3 - "$CORPUS_APP" <<'EOF'
import re, sys
# Logical ids of `AWS::Serverless::Function` resources, read from the template text.
text = open(sys.argv[1], encoding="utf-8").read()
for m in re.finditer(r"^  (\w+):\s*\n    Type: AWS::Serverless::Function\s*$", text, re.M):
    print(m.group(1))
EOF
  )
  [ "${#app_functions[@]}" -ge 2 ] || { echo "FAIL: expected a multi-function application"; exit 1; }
  run_page app "$OUT/app.html" --dump-dom
  check_clean app
  check_report app "$OUT/app.html" "$OUT/app.json" "${app_functions[@]}"
else
  echo "-- corpus application not found ($CORPUS_APP); skipped that part"
fi
echo "html report: ok"
