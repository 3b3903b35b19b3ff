#!/bin/sh
# Prerequisites of the browser tests (tests/sydstat/report/test_report_browser.py), run by `make test`:
# Debian's chromium + chromium-driver (apt, needs root) and axe-core from the npm registry (pinned in package-lock.json).
# On a machine where they cannot be installed (no root, no npm) the browser tests skip and say why.
set -e
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "browser tests: installing Debian chromium + chromium-driver"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "browser tests: chromium/chromedriver missing and not root: the browser tests will skip"
    fi
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
    if command -v npm >/dev/null 2>&1; then
        npm ci --no-audit --no-fund --silent
    else
        echo "browser tests: npm missing: the accessibility checks will skip"
    fi
fi
