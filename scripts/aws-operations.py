#!/usr/bin/env python3
"""Writes AWS's operation lists (from botocore's service models) that the operation table in
crates/cairn-server/src/operations/ is checked against: one file per service, one name a line.

    python3 scripts/aws-operations.py           # rewrite the lists
    python3 scripts/aws-operations.py --check   # exit 1 if botocore names an operation not listed

After a rewrite, `cargo test -p cairn-server operations` says which rows the table lacks.
"""

import os
import sys

import botocore
import botocore.session

SERVICES = ["s3", "iam", "sts", "accessanalyzer"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "cairn-server", "src", "operations", "aws")


def operations(session, service):
    return sorted(session.get_service_model(service).operation_names)


def main():
    session = botocore.session.get_session()
    check = "--check" in sys.argv[1:]
    missing = []
    for service in SERVICES:
        path = os.path.join(OUT, f"{service}.txt")
        names = operations(session, service)
        if check:
            with open(path) as f:
                listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
            missing += [f"{service}:{n}" for n in names if n not in listed]
            continue
        text = f"# {service} operations in botocore {botocore.__version__}; scripts/aws-operations.py writes this file\n"
        text += "".join(f"{n}\n" for n in names)
        os.makedirs(OUT, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    if missing:
        print(
            f"botocore {botocore.__version__} has operations the table's lists lack: {', '.join(missing)}\n"
            "Run `python3 scripts/aws-operations.py`, then add their rows to "
            "crates/cairn-server/src/operations/table.rs and re-bless docs/compatibility.md "
            "(CAIRN_BLESS=1 cargo test -p cairn-server operations)."
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
