#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the HTML report's browser tests
# (tests/report/test_report_browser.py), when it is missing. Idempotent: does
# nothing when a chromium binary is already on PATH.
#
# The tests drive it with playwright but never use a browser playwright
# downloads (`playwright install` fetches from outside the package registries).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "chromium: $(command -v chromium) already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-chromium: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-dejavu-core: a font for the page and the screenshots on a bare system.
$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
echo "chromium: $(command -v chromium) installed ($(chromium --version 2>/dev/null | head -1))"
