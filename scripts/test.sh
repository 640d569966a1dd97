#!/usr/bin/env bash
# Install Rollout with its test tools into .venv and run the whole suite: domain (SQLite, and PostgreSQL when
# ROLLOUT_TEST_POSTGRES_URL is set), AppTest pages, and the browser tests in Debian's Chromium.
# One pytest call, spread over one worker per core (pytest-xdist); each worker has its own databases, temporary
# folders and app servers. Files marked xdist_group run on one worker (the benchmark runs once, not per worker).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/python -m pytest -n auto --dist loadgroup "$@"
