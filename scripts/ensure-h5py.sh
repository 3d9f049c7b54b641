#!/usr/bin/env bash
# Debian 12's python3-h5py (h5py 3.7 on HDF5 1.10, with numpy): it writes the HDF5 files the HDF5
# reader's tests read back (chunked, gzip and shuffle filters, compound, enum and string datasets),
# a second implementation of the format beside h5wasm. A few seconds of apt-get on a fresh
# machine; nothing when /usr/bin/python3 has h5py. Prints one line. Never fails: without it, it
# warns and exits 0 (the tests then fail under CI=true and skip elsewhere, saying why).
set -euo pipefail
has() { /usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1; }
if has; then
  echo "h5py: $(/usr/bin/python3 -c 'import h5py; print(h5py.__version__)') ready (/usr/bin/python3)"
  exit 0
fi
warn() { echo "h5py: $*; the HDF5 reader's h5py tests cannot run." >&2; exit 0; }
command -v apt-get >/dev/null || warn "apt-get not found (not Debian?)"
[ "$(id -u)" = 0 ] || warn "python3-h5py is not installed (apt-get install python3-h5py, as root)"
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends python3-h5py >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null 2>&1 || true; apt-get install -y -qq --no-install-recommends python3-h5py >/dev/null 2>&1; } ||
  warn "apt-get install python3-h5py failed"
has || warn "python3-h5py installed, but /usr/bin/python3 cannot import h5py"
echo "h5py: python3-h5py installed in $(( $(date +%s) - start )) s"
