#!/usr/bin/env bash
# Debian 12's python3-h5py (h5py 3.7 on HDF5 1.10, with numpy): it writes the HDF5 files the HDF5
# reader's tests read back (chunked, gzip and shuffle filters, compound, enum and string datasets),
# a second implementation of the format beside h5wasm. A few seconds of apt-get on a fresh
# machine; nothing when /usr/bin/python3 has h5py. Prints one line. Never fails (see
# ensure-debian-python.sh).
set -euo pipefail
exec bash "$(dirname "$0")/ensure-debian-python.sh" python3-h5py 'import h5py, numpy' h5py "the HDF5 reader's h5py tests"
