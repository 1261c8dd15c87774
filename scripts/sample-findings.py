#!/usr/bin/env python3
"""Draw a uniform random sample of findings from an iamlint JSON report, for hand review.

Usage: scripts/sample-findings.py REPORT.json SEED N [--markdown]

For each sampled finding it prints a number, rule, severity, file:line, message,
help and about eight lines of the source around the line (the flagged line is
marked `>`), so a reviewer can judge it without opening the file. The same
report, seed and N always give the same sample, so a judgement can be redone.
Findings in test-fixture trees are tagged `[test]` (judged as if deployed, but
counted apart). `--markdown` prints a judgement-table skeleton instead.
"""

import json
import random
import sys

# Folders that hold linter or translator test inputs rather than deployable projects.
TEST_MARKERS = ("/tests/", "/test/", "/testing/", "/fixtures/")


def is_test_tree(path: str) -> bool:
    return any(m in path for m in TEST_MARKERS)


def context(path: str, line: int, radius: int = 4) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        return f"    (cannot read: {e})"
    lo, hi = max(1, line - radius), min(len(lines), line + radius)
    out = []
    for n in range(lo, hi + 1):
        mark = ">" if n == line else " "
        out.append(f"  {mark}{n:5} | {lines[n - 1][:160]}")
    return "\n".join(out)


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    report, seed, n = args[0], int(args[1]), int(args[2])
    with open(report, encoding="utf-8") as f:
        findings = json.load(f)["findings"]
    sample = random.Random(seed).sample(findings, min(n, len(findings)))
    if "--markdown" in sys.argv:
        print("| # | rule | sev | file:line | test | verdict | note |")
        print("|---|---|---|---|---|---|---|")
    for i, x in enumerate(sample, 1):
        tag = "test" if is_test_tree(x["file"]) else ""
        short = x["file"].split("/corpus/", 1)[-1]
        if "--markdown" in sys.argv:
            print(f"| {i} | {x['rule']} | {x['severity']} | {short}:{x['line']} | {tag} |  |  |")
            continue
        print(f"=== #{i} {x['rule']} [{x['severity']}] {short}:{x['line']} {'[test]' if tag else ''}")
        print(f"  message: {x['message']}")
        print(f"  help:    {x.get('help', '')}")
        for r in x.get("related", [])[:3]:
            print(f"  related: {r['label']} (line {r['line']})")
        print(context(x["file"], x["line"]))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
