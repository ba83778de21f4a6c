"""Nothing of ours calls a Linux-only function when imported: every module of the `coach`
package and of `coach_ui/` imports in a Python without them, as on Windows or macOS."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

# In os on Linux but not on Windows (some not on macOS either).
LINUX_ONLY = (
    "getuid",
    "sched_setaffinity",
    "sched_getaffinity",
    "getpriority",
    "setpriority",
    "PRIO_PROCESS",
    "geteuid",
    "getgid",
    "nice",
    "getloadavg",
)
UNIMPORTABLE = ("fcntl",)
# Scripts, never imported as modules on any system: Alembic's env.py (it reads
# `alembic.context.config`), the `python -m` entry points (they run the command) and the
# app's entry script (Streamlit runs it).
NOT_MODULES = ("coach.store.migrations.env", "coach.__main__", "coach_ui.__main__", "coach_ui.app")

IMPORT_EVERYTHING = """
import importlib
import json
import os
import pkgutil
import sys

for name in {linux_only!r}:
    if hasattr(os, name):
        delattr(os, name)
for name in {unimportable!r}:
    sys.modules[name] = None  # import raises ImportError

imported, failed = [], []
for package_name in ("coach", "coach_ui"):
    package = importlib.import_module(package_name)
    for module in pkgutil.walk_packages(package.__path__, package_name + "."):
        if module.name in {not_modules!r}:
            continue
        try:
            importlib.import_module(module.name)
            imported.append(module.name)
        except Exception as exc:
            failed.append(f"{{module.name}}: {{type(exc).__name__}}: {{exc}}")
print(json.dumps({{"imported": imported, "failed": failed}}))
"""


def test_every_module_imports_without_linux_only_functions():
    script = IMPORT_EVERYTHING.format(
        linux_only=LINUX_ONLY, unimportable=UNIMPORTABLE, not_modules=NOT_MODULES
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["failed"] == [], "modules that would not import:\n" + "\n".join(seen["failed"])
    expected = {"coach.runtime.threads", "coach.runtime.analysis", "coach.vision.estimator"}
    assert expected | {"coach_ui.coaching"} <= set(seen["imported"])
