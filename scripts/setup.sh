#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project into it. Idempotent; used by app.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# torch is pinned to 2.13.0 in pyproject.toml: pip takes the CPU build from this machine's disk.
# (the filter drops pip's notes about this machine's optional local indexes that hold no such package)
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}" \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
