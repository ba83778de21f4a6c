"""The `form-coach` command: start the app with its own settings, from any folder.

Streamlit reads `.streamlit/config.toml` only from the folder it is started in, so the
settings the app needs are given on Streamlit's command line here instead, and an
installed Form Coach behaves the same wherever it is started. Extra arguments (for
example `--server.port 8502`) are passed on to `streamlit run` and override these.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

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
    # Uploaded exercise videos can be large phone recordings (MB).
    "server.maxUploadSize": "1000",
}


def command(extra: list[str]) -> list[str]:
    """The `streamlit run` command line that starts the app, with `extra` options last."""
    app = resources.files("coach_ui") / "app.py"
    options = [part for key, value in SETTINGS.items() for part in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(app), *options, *extra]


def main(argv: list[str] | None = None) -> int:
    """Run the app until it stops; returns Streamlit's exit status."""
    extra = sys.argv[1:] if argv is None else argv
    return subprocess.call(command(extra))


if __name__ == "__main__":
    raise SystemExit(main())
