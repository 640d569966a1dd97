#!/usr/bin/env bash
# Install Rollout into .venv and run the app on its embedded SQLite database (rollout.db).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/streamlit run app.py "$@"
