#!/usr/bin/env bash
# Mesa 25's lavapipe (bookworm-backports) gives Dawn `shader-f16` on a machine without a GPU
# (SwiftShader and Debian 12's own Mesa 22 do not). It is unpacked into .cache/lavapipe, never
# installed: the system's Mesa, and so Chromium/SwiftShader, stay as they are.
# src/gpu/lavapipe-env.ts turns the folder into the env of a child process.
# Fetches mesa-vulkan-drivers plus the packages apt says this machine lacks or has too old for it,
# and unpacks the Vulkan loader and what the driver's .so loads (by ldd) from them.
# Prints one line. Never fails: without the packages it warns and exits 0 (those tests skip).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/lavapipe
suite=bookworm-backports
start=$(date +%s%N)
warn() { echo "lavapipe: $*; the shader-f16 tests will be skipped." >&2; exit 0; }

# Done already: the marker names the version, and the driver still finds all it links.
lvp=$(find "$dest/root" -name libvulkan_lvp.so -print -quit 2>/dev/null || true)
missing() { LD_LIBRARY_PATH="$(sed "s#^#$PWD/$dest/root/#" "$dest/libdirs" 2>/dev/null | paste -sd:)" ldd "$1" 2>&1 | grep -E 'not found' || true; }
if [ -f "$dest/.complete" ] && [ -n "$lvp" ] && [ -z "$(missing "$lvp")" ]; then
  echo "lavapipe: $(head -1 "$dest/.complete") ready in $dest"
  exit 0
fi

for tool in apt-get apt-cache dpkg dpkg-deb ldd; do
  command -v "$tool" >/dev/null || warn "$tool not found (not Debian?)"
done
# shellcheck source=/dev/null
. /etc/os-release 2>/dev/null || true
[ "${VERSION_CODENAME:-}" = bookworm ] || warn "this is not Debian 12 (bookworm)"

# The backports suite in apt's sources: on the Suites line of the main archive's stanza.
sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
if ! grep -qhsE "^[^#]*[[:space:]]$suite([[:space:]]|\$)" "${sources[@]}"; then
  [ "$(id -u)" = 0 ] || warn "$suite is not in apt's sources (run this once as root)"
  f=/etc/apt/sources.list.d/debian.sources
  if [ -f "$f" ] && grep -qE '^Suites:(.* )?bookworm( |$)' "$f"; then
    sed -i -E "s/^(Suites:(.* )?bookworm( .*)?)\$/\1 $suite/" "$f"
  else
    # One-line sources: the same archive, another suite, in a file of its own.
    line=$(grep -hsE '^deb +(\[[^]]*\] +)?[^ ]+ +bookworm +' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | head -1 || true)
    [ -n "$line" ] || warn "found no bookworm archive in apt's sources to add $suite to"
    echo "$line" | sed -E "s/ bookworm +.*/ $suite main/" >/etc/apt/sources.list.d/$suite.list
  fi
fi
updated=
update() {
  [ "$(id -u)" = 0 ] || warn "apt's package lists lack $suite (run apt-get update as root)"
  apt-get update -qq >/dev/null 2>&1 || true
  updated=1
}
version() { apt-cache madison mesa-vulkan-drivers 2>/dev/null | awk -v s=" $suite/" 'index($0, s) { print $3; exit }'; }
ver=$(version)
[ -n "$ver" ] || { update; ver=$(version); }
[ -n "$ver" ] || warn "mesa-vulkan-drivers/$suite is not available"

# What installing it would bring or upgrade here: the packages this machine lacks or has too old.
plan() {
  apt-get install -s -qq --no-install-recommends "mesa-vulkan-drivers/$suite" 2>/dev/null |
    awk '/^Inst /{ v = substr($0, index($0, "(") + 1); sub(/ .*/, "", v); print $2 "=" v }'
}
pkgs=$(plan) || true
[ -n "$pkgs" ] || { [ -n "$updated" ] || update; pkgs=$(plan) || true; }
echo "$pkgs" | grep -q '^mesa-vulkan-drivers=' || pkgs=$(printf '%s\nmesa-vulkan-drivers=%s' "$pkgs" "$ver")
pkgs=$(echo "$pkgs" | grep -v '^libc6=' | grep . || true)

tmp=$dest.partial.$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp" && mkdir -p "$tmp/debs" "$tmp/root"
mapfile -t pkgs <<<"$pkgs"
download() { (cd "$tmp/debs" && apt-get download -qq -o APT::Sandbox::User=root "${pkgs[@]}" >/dev/null 2>&1); }
download || { [ -z "$updated" ] && update && download; } || warn "apt-get download of ${#pkgs[@]} packages failed"
bytes=$(du -cb "$tmp"/debs/*.deb | tail -1 | cut -f1)

# Unpack the driver and the loader, then each package that ships a library the driver loads.
unpack() { dpkg-deb -x "$1" "$tmp/root" && basename "$1" | cut -d_ -f1 >>"$tmp/unpacked" && rm "$1"; }
for d in "$tmp"/debs/mesa-vulkan-drivers_*.deb "$tmp"/debs/libvulkan1_*.deb; do
  if [ -f "$d" ]; then unpack "$d"; fi
done
lvp=$(find "$tmp/root" -name libvulkan_lvp.so -print -quit)
[ -n "$lvp" ] || warn "mesa-vulkan-drivers $ver has no libvulkan_lvp.so"
libdirs() { find "$tmp/root" -name '*.so*' -printf '%h\n' | sort -u | sed "s#^$tmp/root/##"; }
for d in "$tmp"/debs/*.deb; do dpkg-deb -c "$d" | awk -v d="$d" '{ f = $(NF - 1) == "->" ? $(NF - 2) : $NF } f ~ /\/lib[^\/]*\.so[.0-9]*$/ { n = split(f, p, "/"); print p[n], d }'; done >"$tmp/sonames"
while :; do
  needs=$(LD_LIBRARY_PATH=$(libdirs | sed "s#^#$PWD/$tmp/root/#" | paste -sd:) ldd "$lvp" 2>/dev/null | awk '{ print $1 }' || true)
  todo=$(awk 'NR == FNR { need[$1] = 1; next } ($1 in need) { print $2 }' <(echo "$needs") "$tmp/sonames" | sort -u | while read -r d; do [ -f "$d" ] && echo "$d"; done || true)
  [ -n "$todo" ] || break
  for d in $todo; do unpack "$d"; done
done
# Only lavapipe is wanted: the hardware drivers and layers are most of the package's 64 MB.
find "$tmp/root" \( -name 'libvulkan_*.so' ! -name libvulkan_lvp.so -o -name 'libVkLayer_*' -o -name '*_layer.d' \
  -o -path '*/icd.d/*' ! -name 'lvp_icd*' -o -path '*/usr/bin' -o -path '*/share/doc' \) -prune -exec rm -rf {} +
libdirs >"$tmp/libdirs"
rm -rf "$tmp/debs" "$tmp/sonames"
mv "$tmp/unpacked" "$tmp/packages"
notfound=$(dest=$tmp missing "$lvp" | awk '{ print $1 }' | paste -sd' ')
[ -z "$notfound" ] || warn "libvulkan_lvp.so still lacks $notfound"

echo "Mesa $ver" >"$tmp/.complete"
rm -rf "$dest" && mv "$tmp" "$dest"
trap - EXIT
secs=$(( ($(date +%s%N) - start) / 1000000 ))
echo "lavapipe: Mesa $ver unpacked into $dest ($(paste -sd' ' "$dest/packages"); $((bytes / 1048576)) MiB fetched, $((secs / 1000)).$((secs % 1000 / 100)) s)"
