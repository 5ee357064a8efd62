"""The operation table's lists of AWS operations (crates/cairn-server/src/operations/aws/) name
every operation of the installed botocore's S3, IAM, STS and Access Analyzer models, so
docs/compatibility.md's operation table misses none. A botocore that adds operations fails this
test until the lists and the table are updated (the message says how)."""

import os
import subprocess
import sys

from conftest import REPO


def test_operation_lists_cover_botocore():
    out = subprocess.run(
        [sys.executable, os.path.join(REPO, "scripts", "aws-operations.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
