#!/bin/sh
# Install Debian's Chromium for the web console's browser tests (idempotent).
#
# The end-to-end tests drive /usr/bin/chromium through Playwright; Playwright's own browser download is
# never used. Nothing happens when Chromium is already there. As root, it is installed with apt-get;
# otherwise this prints how to install it and exits 0, and the browser tests skip with that reason.
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser: /usr/bin/chromium is missing and we are not root;" \
        "run 'sudo apt-get install -y chromium' to run the browser tests" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install Chromium at /usr/bin/chromium to run the browser tests" >&2
    exit 0
fi
echo "install-browser: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -q >/dev/null && \
    apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null; then
    /usr/bin/chromium --version 2>/dev/null || true
else
    echo "install-browser: apt-get could not install chromium; the browser tests will skip" >&2
fi
