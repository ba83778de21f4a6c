#!/usr/bin/env sh
# Install the Debian packages the browser tests need, only where they are missing.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: missing$missing and no apt-get here; browser tests will be skipped" >&2
    exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing$missing (Debian packages for the browser tests)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
