#!/usr/bin/env bash
# The e2e suite drives Debian's Chromium (Playwright never downloads a browser here).
# Installs it when missing and we may (root with apt-get); otherwise says how.
set -euo pipefail
chrome=${CHROME_PATH:-/usr/bin/chromium}
[ -x "$chrome" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing: installing Debian's chromium (about a minute)..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium not found at $chrome: install it (sudo apt-get install chromium) or set CHROME_PATH." >&2
exit 1
