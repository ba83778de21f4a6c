#!/usr/bin/env sh
# Install the Debian packages the browser tests and the PostgreSQL store tests need, only
# where they are missing.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
# PostgreSQL's server (initdb, pg_ctl): Debian keeps it off PATH, under /usr/lib/postgresql.
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    missing="$missing postgresql"
fi
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: missing$missing and no apt-get here; the tests that need them will be skipped" >&2
    exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing$missing (Debian packages for the browser and PostgreSQL tests)" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
