#!/bin/sh
# Make sure Debian's Chromium is installed at /usr/bin/chromium for the browser
# tests. Playwright drives this binary; it never downloads a browser of its own.
#
# Exit 0 when chromium is there (or was installed), non-zero with a clear
# message when it is missing and cannot be installed (not root, no apt-get).
set -eu

CHROMIUM=${ALONGSIDE_CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

say() { printf 'ensure-chromium: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        say "$CHROMIUM is missing and this user cannot install it."
        say "Install Debian's chromium package as root:  apt-get install -y chromium"
        say "(browser tests need it; no browser is downloaded by Playwright)."
        exit 3
    fi
else
    SUDO=""
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "$CHROMIUM is missing and apt-get is not available to install it."
    say "Install Chromium so that $CHROMIUM exists (or set ALONGSIDE_CHROMIUM)."
    exit 3
fi

say "installing Debian's chromium package (one time)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

if [ ! -x "$CHROMIUM" ]; then
    say "apt-get finished but $CHROMIUM is still missing."
    exit 3
fi
say "installed: $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
