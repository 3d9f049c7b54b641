#!/usr/bin/env bash
# Installs a Debian Python package for tests that run a second implementation under /usr/bin/python3
# (ensure-torch.sh, ensure-h5py.sh). Usage: ensure-debian-python.sh PACKAGE 'import a, b' LABEL WHAT
# PACKAGE: the Debian package; the import line checks it; LABEL names it in the one line printed;
# WHAT says which tests cannot run without it. Nothing when /usr/bin/python3 already imports it.
# Never fails: without it, it warns and exits 0 (those tests then fail under CI=true and skip
# elsewhere, saying why).
set -euo pipefail
pkg=$1 imports=$2 label=$3 what=$4
module=${imports#import }
module=${module%%,*}
has() { /usr/bin/python3 -c "$imports" >/dev/null 2>&1; }
if has; then
  echo "$label: $(/usr/bin/python3 -c "import $module; print($module.__version__)") ready (/usr/bin/python3)"
  exit 0
fi
warn() { echo "$label: $*; $what cannot run." >&2; exit 0; }
command -v apt-get >/dev/null || warn "apt-get not found (not Debian?)"
[ "$(id -u)" = 0 ] || warn "$pkg is not installed (apt-get install $pkg, as root)"
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null 2>&1 || true; apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; } ||
  warn "apt-get install $pkg failed"
has || warn "$pkg installed, but /usr/bin/python3 cannot import $module"
echo "$label: $pkg installed in $(( $(date +%s) - start )) s"
