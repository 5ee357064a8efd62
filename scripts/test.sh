#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, store contract on SQLite and PostgreSQL, end-to-end
# through aws-sdk-s3, the operation table against the code and docs) and the client tests (aws
# CLI, boto3, the AWS SDK for JavaScript v3, rclone, s3cmd) against a real server, then the web
# console in Chromium (skipped when Chromium or Playwright is missing, except under CI=true).
# Needs: PostgreSQL at 127.0.0.1:5432 (or CAIRN_TEST_POSTGRES), and
#        pip install -r tests/python/requirements.txt, and apt-get install chromium rclone s3cmd,
#        and Node.js 20 with npm (the JavaScript SDK is installed into tests/js from its lock file)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p cairn-server
[ -d tests/js/node_modules ] || (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
cargo test --workspace
python3 -m pytest -q tests/python
python3 -m pytest -q tests/console
