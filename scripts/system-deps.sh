#!/usr/bin/env bash
# What the browser tests use besides Python: Debian's Chromium (driven by Playwright; never a
# downloaded browser) and axe-core from the npm registry (injected into the page by tests/test_ui.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# axe-core into tests/.axe/node_modules (ignored by git), pinned for repeatable accessibility results.
axe_version=4.14.1
if ! grep -qs "\"version\": \"$axe_version\"" tests/.axe/node_modules/axe-core/package.json; then
  npm install --silent --prefix tests/.axe --no-save --no-package-lock --no-audit --no-fund "axe-core@$axe_version"
fi
