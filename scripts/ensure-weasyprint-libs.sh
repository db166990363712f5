#!/bin/sh
# Make sure the system libraries WeasyPrint (signed documents as PDF) loads are
# installed: Pango with its FreeType backend, HarfBuzz, and a font. Debian's
# packages, installed with apt-get when missing.
#
# Exit 0 when they are there (or were installed), non-zero with a clear message
# when they are missing and cannot be installed (not root, no apt-get).
set -eu

PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core"

say() { printf 'ensure-weasyprint-libs: %s\n' "$*" >&2; }

have_libs() {
    ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' &&
        ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'
}

if have_libs; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        say "Pango is missing and this user cannot install it."
        say "Install as root:  apt-get install -y $PACKAGES"
        exit 3
    fi
else
    SUDO=""
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "Pango is missing and apt-get is not available to install it."
    say "Install Pango 1.44 or later (see WeasyPrint's installation notes)."
    exit 3
fi

say "installing $PACKAGES (one time)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null

if ! have_libs; then
    say "apt-get finished but Pango is still missing."
    exit 3
fi
say "installed."
