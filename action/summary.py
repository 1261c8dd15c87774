#!/usr/bin/env python3
"""Write the GitHub Actions job summary for an iamlint run, from its JSON report.

    summary.py REPORT.json [--advice ADVICE.json] [--fail-on SEVERITY] [--exit-code N]
               [--output FILE]

The summary has the totals, findings by severity and by rule (linked to the rule's doc)
and the first findings at the top severities, linked to their line when the run is in
GitHub Actions. ADVICE.json, a `--persona pedantic` report of the same run, gives the
number of advice findings the default persona hid. The Markdown goes to --output, else to
$GITHUB_STEP_SUMMARY (appended, as GitHub expects), else to standard output. Standard
library only: it runs on every runner's Python 3.
"""

import argparse
import json
import os
import sys
from collections import Counter

SEVERITIES = ["critical", "high", "medium", "low", "info"]
ICONS = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}
DOCS = "https://github.com/iamlint/iamlint/blob/v{version}/rules/{rule}.md"
TOP = 20


def escape(text):
    """Keep report text from breaking a Markdown table or opening HTML."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def location(finding):
    where = f"{finding.get('file', '?')}:{finding.get('line', '?')}"
    server = os.environ.get("GITHUB_SERVER_URL")
    repo = os.environ.get("GITHUB_REPOSITORY")
    sha = os.environ.get("GITHUB_SHA")
    path = str(finding.get("file", ""))
    if server and repo and sha and path and not path.startswith(("/", "..", "<")):
        url = f"{server}/{repo}/blob/{sha}/{path}#L{finding.get('line', 1)}"
        return f"[`{escape(where)}`]({url})"
    return f"`{escape(where)}`"


def render(report, advice=None, fail_on=None, exit_code=None):
    findings = report.get("findings") or []
    errors = report.get("errors") or []
    summary = report.get("summary") or {}
    version = (report.get("tool") or {}).get("version", "")
    files = summary.get("files", 0)
    by_severity = Counter(f.get("severity", "info") for f in findings)

    lines = []
    if exit_code == 2 or errors:
        verdict = "❌ some files could not be read"
    elif exit_code == 1:
        verdict = f"❌ findings at or above `{fail_on}`" if fail_on else "❌ findings"
    elif findings:
        verdict = f"✅ nothing at or above `{fail_on}`" if fail_on else "✅ passed"
    else:
        verdict = "✅ no findings"
    lines.append(f"## iamlint: {plural(len(findings), 'finding')} in {plural(files, 'file')}")
    lines.append("")
    lines.append(verdict)
    if advice is not None:
        hidden = len(advice.get("findings") or []) - len(findings)
        if hidden > 0:
            lines.append("")
            lines.append(
                f"{plural(hidden, 'advice finding')} hidden; `persona: pedantic` shows them."
            )
    lines.append("")

    if findings:
        lines.append("| severity | findings |")
        lines.append("|---|---:|")
        for severity in SEVERITIES:
            if by_severity[severity]:
                lines.append(f"| {ICONS[severity]} {severity} | {by_severity[severity]} |")
        lines.append("")

        rules = {}
        for f in findings:
            entry = rules.setdefault(
                f.get("rule", "?"), {"code": f.get("code", ""), "count": 0, "worst": 4}
            )
            entry["count"] += 1
            rank = SEVERITIES.index(f.get("severity")) if f.get("severity") in SEVERITIES else 4
            entry["worst"] = min(entry["worst"], rank)
        lines.append("| rule | code | worst severity | findings |")
        lines.append("|---|---|---|---:|")
        for rule, entry in sorted(rules.items(), key=lambda r: (r[1]["worst"], -r[1]["count"], r[0])):
            name = f"`{escape(rule)}`"
            if version:
                name = f"[{name}]({DOCS.format(version=version, rule=rule)})"
            worst = SEVERITIES[entry["worst"]]
            lines.append(f"| {name} | {escape(entry['code'])} | {worst} | {entry['count']} |")
        lines.append("")

        ranked = sorted(
            findings,
            key=lambda f: (
                SEVERITIES.index(f["severity"]) if f.get("severity") in SEVERITIES else 4,
                str(f.get("file", "")),
                f.get("line", 0),
            ),
        )
        shown = ranked[:TOP]
        title = "Findings" if len(findings) <= TOP else f"First {TOP} findings, most severe first"
        lines.append("<details><summary>" + title + "</summary>")
        lines.append("")
        lines.append("| severity | rule | where | message |")
        lines.append("|---|---|---|---|")
        for f in shown:
            lines.append(
                f"| {escape(f.get('severity', ''))} | `{escape(f.get('rule', ''))}` "
                f"| {location(f)} | {escape(f.get('message', ''))} |"
            )
        lines.append("")
        lines.append("</details>")
        lines.append("")

    if errors:
        lines.append(f"**{plural(len(errors), 'file')} could not be read:**")
        lines.append("")
        for e in errors:
            where = escape(e.get("file", "?"))
            if e.get("line"):
                where += f":{e['line']}"
            lines.append(f"- `{where}`: {escape(e.get('message', ''))}")
        lines.append("")
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--advice")
    parser.add_argument("--fail-on")
    parser.add_argument("--exit-code", type=int)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    try:
        with open(args.report, encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as err:
        print(f"summary.py: cannot read the iamlint report {args.report}: {err}", file=sys.stderr)
        return 1
    advice = None
    if args.advice:
        try:
            with open(args.advice, encoding="utf-8") as handle:
                advice = json.load(handle)
        except (OSError, ValueError):
            advice = None
    text = render(report, advice, args.fail_on, args.exit_code)
    target = args.output or os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
