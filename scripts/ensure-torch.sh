#!/usr/bin/env bash
# Debian 12's python3-torch (PyTorch 1.13, CPU, with numpy) for the tests of the PyTorch export
# (src/core/export/pytorch.test.ts: the exported job trains one process and two with DDP/gloo).
# About half a minute of apt-get on a fresh machine; nothing when /usr/bin/python3 has torch.
# Prints one line. Never fails (see ensure-debian-python.sh).
set -euo pipefail
exec bash "$(dirname "$0")/ensure-debian-python.sh" python3-torch 'import torch, numpy' torch 'the PyTorch export tests'
