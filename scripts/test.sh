#!/usr/bin/env bash
# Install Rollout with its test tools into .venv and run the whole suite: domain (SQLite, and PostgreSQL when
# ROLLOUT_TEST_POSTGRES_URL is set), AppTest pages, and the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/python -m pytest "$@"
