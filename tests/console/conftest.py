"""Fixtures for the console's end-to-end tests: a real `cairn server` and a real Chromium
(Debian's `chromium`, driven by Playwright for Python; no browser is downloaded).

Chromium is looked for at `$CAIRN_CHROMIUM`, else `/usr/bin/chromium`. Without it (or without
the `playwright` package) the tests are skipped, except under CI (`CI=true`), where `.ci/run`
installs both and their absence is a failure. Screenshots of the main pages go to
`$CAIRN_CONSOLE_ARTIFACTS` (default `target/console-artifacts`, not committed).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "python"))

ROOT_KEY = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CHROMIUM = os.environ.get("CAIRN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get(
    "CAIRN_CONSOLE_ARTIFACTS", os.path.join(REPO, "target", "console-artifacts")
)


def _missing():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r tests/python/requirements.txt)"
    if not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    why = _missing()
    if not why:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"console tests need Chromium and Playwright: {why}")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=why))


def cairn_binary():
    if os.environ.get("CAIRN_BIN"):
        return os.environ["CAIRN_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "debug", "cairn")


class Server:
    def __init__(self, extra_env=None):
        self.dir = tempfile.mkdtemp(prefix="cairn-console-")
        env = dict(
            os.environ,
            CAIRN_ROOT_ACCESS_KEY_ID=ROOT_KEY,
            CAIRN_ROOT_SECRET_ACCESS_KEY=ROOT_SECRET,
            **(extra_env or {}),
        )
        self.proc = subprocess.Popen(
            [cairn_binary(), "server", "--data-dir", self.dir, "--listen", "127.0.0.1:0"],
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
        self.console = self.endpoint + "/_console/"

    def client(self, service, key=ROOT_KEY, secret=ROOT_SECRET, token=None):
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def account_id(self):
        return self.client("sts").get_caller_identity()["Account"]

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    # A laptop screen.
    context = browser.new_context(
        viewport={"width": 1280, "height": 720}, accept_downloads=True
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    p = context.new_page()
    errors = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture()
def shots(request):
    """shots(page, name): a full-page screenshot kept as a test artefact."""
    os.makedirs(ARTIFACTS, exist_ok=True)

    def take(page, name):
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)

    return take
