"""The `form-coach` command: start the app with its own settings, from any folder.

Streamlit reads `.streamlit/config.toml` only from the folder it is started in, so the
settings the app needs are given on Streamlit's command line here instead, and an
installed Form Coach behaves the same wherever it is started. Extra arguments (for
example `--server.port 8502`) are passed on to `streamlit run` and override these.
"""

from __future__ import annotations

import os
import sys
from importlib import resources

from coach.core.errors import CoachError

MAX_UPLOAD_ENV = "FORM_COACH_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 200  # a few minutes of phone video


def max_upload_mb() -> int:
    """The largest video upload in MB: $FORM_COACH_MAX_UPLOAD_MB, else 200. Raises
    CoachError (naming the setting) for anything but a whole number from 1 to 10000."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_MB
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise CoachError(f"{MAX_UPLOAD_ENV} must be a whole number of MB, 1-10000, got {raw!r}")
    return int(raw)


# Streamlit settings, as `streamlit run` options.
SETTINGS: dict[str, str] = {
    # Streamlit runs a full gc.collect(2) after every script run. The live page refreshes
    # its coaching panel twice a second, and a full collection of this process (MediaPipe,
    # NumPy, aiortc) holds the GIL long enough to starve the webcam pipeline. Python's own
    # generational GC still runs.
    "runner.postScriptGC": "false",
    "browser.gatherUsageStats": "false",
    "server.headless": "true",
    # Patients and physios get no "Deploy" button and no developer menu (rerun, settings,
    # clear cache): only what the app itself offers.
    "client.toolbarMode": "minimal",
}


def command(extra: list[str]) -> list[str]:
    """The `streamlit run` command line that starts the app and its routes (server.py),
    with `extra` options last."""
    app = resources.files("coach_ui") / "server.py"
    # The server refuses a larger upload too, not only the upload widget.
    settings = {**SETTINGS, "server.maxUploadSize": str(max_upload_mb())}
    options = [part for key, value in settings.items() for part in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(app), *options, *extra]


def local_command(port: int) -> list[str]:
    """`python -m coach_ui` serving on 127.0.0.1:`port` without watching its files: how the
    browser tests and the live benchmark start the app, as `form-coach` would."""
    return [
        sys.executable,
        "-m",
        "coach_ui",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
    ]


def main(argv: list[str] | None = None) -> int:
    """Become the app's server: this process is replaced by Streamlit's (so a signal sent
    to `form-coach`, as a test or a service manager sends it, stops the server itself and
    leaves no orphan behind). Returns 2, with the reason on stderr, only when the settings
    are wrong; otherwise it does not return."""
    extra = sys.argv[1:] if argv is None else argv
    try:
        line = command(extra)
    except CoachError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(line[0], line)


if __name__ == "__main__":
    raise SystemExit(main())
