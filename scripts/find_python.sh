#!/usr/bin/env sh
# Print the path of a Python interpreter that mediapipe 0.10.21 supports (3.11-3.12),
# preferring 3.11, or fail with a message naming the versions that work.
for candidate in python3.11 python3.12 python3; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
        echo "$path"
        exit 0
    fi
done
found=$(python3 --version 2>&1) || found="no python3 on PATH"
echo "error: Form Coach needs Python 3.11 or 3.12 (mediapipe 0.10.21 has wheels up to 3.12; tomllib needs 3.11); found: $found. Install python3.11 and run make again." >&2
exit 1
