"""Every module imports on its own, as the first module of the project a process imports.

A test run imports modules in one order and hides an import cycle that another order hits:
`form-coach` starts with coach_ui/app.py, a script with `python -m coach`, a notebook with
whatever it needs. One fresh interpreter tries each module with every `coach` and `coach_ui`
module forgotten before it (the third-party packages stay loaded, so this takes seconds).
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import importlib, json, pkgutil, sys
import coach, coach_ui

def ours(name):
    return name.split(".")[0] in ("coach", "coach_ui")

names = [m.name for package in (coach, coach_ui)
         for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
# __main__ modules run their command, coach_ui.app is a Streamlit script (so are
# coach_ui/views/*.py, which are no package), and the migrations are run by Alembic.
names = [n for n in names if not n.endswith(".__main__") and n != "coach_ui.app"
         and ".migrations." not in n]
failures = {}
for name in names:
    for loaded in [k for k in sys.modules if ours(k)]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"modules": names, "failures": failures}))
"""


def test_every_module_imports_first_on_its_own(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "coach.store.plans" in report["modules"]
    assert "coach_ui.auth" in report["modules"]
    assert report["failures"] == {}
