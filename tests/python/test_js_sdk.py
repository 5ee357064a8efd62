"""The AWS SDK for JavaScript v3 (tests/js, `npm ci` there) against a real server, via `node --test`."""

import os
import shutil
import subprocess

from conftest import REPO

JS_DIR = os.path.join(REPO, "tests", "js")


def test_js_sdk_v3(server):
    assert shutil.which("node"), "node (20 or later) is needed: apt-get install nodejs"
    assert os.path.isdir(os.path.join(JS_DIR, "node_modules", "@aws-sdk")), (
        "the SDK is not installed: run `npm ci` in tests/js"
    )
    env = server.env()
    env["CAIRN_ENDPOINT"] = server.endpoint
    # The SDK reads AWS_ENDPOINT_URL too; the script passes the endpoint itself.
    out = subprocess.run(
        ["node", "--test", "--test-reporter=spec", "sdk.test.mjs"],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, f"node --test failed:\n{out.stdout}\n{out.stderr}"
