#!/usr/bin/env bash
# Debian 12's python3-torch (PyTorch 1.13, CPU, with numpy) for the tests of the PyTorch export
# (src/core/export/pytorch.test.ts: the exported job trains one process and two with DDP/gloo).
# About half a minute of apt-get on a fresh machine; nothing when /usr/bin/python3 has torch.
# Prints one line. Never fails: without it, it warns and exits 0 (the tests then fail under CI=true
# and skip elsewhere, saying why).
set -euo pipefail
has() { /usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1; }
if has; then
  echo "torch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') ready (/usr/bin/python3)"
  exit 0
fi
warn() { echo "torch: $*; the PyTorch export tests cannot run." >&2; exit 0; }
command -v apt-get >/dev/null || warn "apt-get not found (not Debian?)"
[ "$(id -u)" = 0 ] || warn "python3-torch is not installed (apt-get install python3-torch, as root)"
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends python3-torch >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null 2>&1 || true; apt-get install -y -qq --no-install-recommends python3-torch >/dev/null 2>&1; } ||
  warn "apt-get install python3-torch failed"
has || warn "python3-torch installed, but /usr/bin/python3 cannot import torch"
echo "torch: python3-torch installed in $(( $(date +%s) - start )) s"
