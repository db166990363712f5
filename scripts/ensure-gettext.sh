#!/bin/sh
# Make sure GNU gettext (msgfmt, xgettext, msgmerge) is installed: compilemessages turns
# the Spanish catalog into the .mo file Django reads, and the translation test runs
# makemessages. Debian's gettext package, installed with apt-get when missing.
#
# Exit 0 when the tools are there (or were installed), non-zero with a clear message
# when they are missing and cannot be installed (not root, no apt-get).
set -eu

say() { printf 'ensure-gettext: %s\n' "$*" >&2; }

if command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        say "msgfmt is missing and this user cannot install it."
        say "Install Debian's gettext package as root:  apt-get install -y gettext"
        say "(without it pages stay in English and the translation test fails)."
        exit 3
    fi
else
    SUDO=""
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "msgfmt is missing and apt-get is not available to install it."
    say "Install GNU gettext (msgfmt, xgettext) with this system's package manager."
    exit 3
fi

say "installing Debian's gettext package (one time)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends gettext >/dev/null

if ! command -v msgfmt >/dev/null 2>&1; then
    say "apt-get finished but msgfmt is still missing."
    exit 3
fi
say "installed: $(msgfmt --version | head -n 1)"
