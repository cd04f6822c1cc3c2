#!/usr/bin/env bash
# Install (first time) and start the app on the embedded default: local Chroma, bundled model,
# index built on first use. Extra arguments go to app.py (e.g. --kiosk).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python app.py "$@"
