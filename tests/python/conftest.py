"""Starts a real `cairn server` for the client tests (aws CLI, boto3, raw HTTP)."""

import os
import subprocess
import tempfile

import pytest

ROOT_KEY = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cairn_binary():
    if os.environ.get("CAIRN_BIN"):
        return os.environ["CAIRN_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "debug", "cairn")


class Server:
    def __init__(self, domain=None):
        self.dir = tempfile.mkdtemp(prefix="cairn-py-")
        env = dict(os.environ, CAIRN_ROOT_ACCESS_KEY_ID=ROOT_KEY, CAIRN_ROOT_SECRET_ACCESS_KEY=ROOT_SECRET)
        args = [cairn_binary(), "server", "--data-dir", self.dir, "--listen", "127.0.0.1:0"]
        if domain:
            args += ["--domain", domain]
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for line in self.proc.stdout:
            if line.startswith("cairn listening on "):
                self.endpoint = line.split()[3]
                break
        else:
            raise RuntimeError("cairn exited before listening")

    def env(self):
        """Environment for the aws CLI: root keys, no config files, this endpoint."""
        env = dict(os.environ)
        env.update(
            AWS_ACCESS_KEY_ID=ROOT_KEY,
            AWS_SECRET_ACCESS_KEY=ROOT_SECRET,
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_ENDPOINT_URL=self.endpoint,
        )
        return env

    def stop(self):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture()
def server():
    s = Server()
    yield s
    s.stop()
