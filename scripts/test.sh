#!/usr/bin/env bash
# Install everything the tests need (first time), then lint and run the whole suite.
# Extra arguments go to pytest (e.g. -m "not browser").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/setup.sh test
export HF_HUB_OFFLINE=1
.venv/bin/ruff check bot evals tests app.py
.venv/bin/ruff format --check bot evals tests app.py
exec .venv/bin/python -m pytest "$@"
