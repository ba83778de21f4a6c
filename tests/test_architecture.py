"""The layout's rules, read from the source (ast, nothing imported or run).

- The packages of `coach` import one another without a circle: each import counts, at the
  top of a module, inside a function or under `if TYPE_CHECKING:`.
- `coach` (the library) never imports Streamlit or `coach_ui`; neither imports `tests`.
- No module of `coach` or `coach_ui` imports a private name of another of their modules
  (`from a import _x`): a helper used elsewhere is public, with a name and a docstring.
- No module under tests/ imports a test module (`test_*.py`) or a `conftest.py` other than
  tests/conftest.py: shared helpers live in tests/support/, shared fixtures in the nearest
  conftest.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = (
    "coach.core",
    "coach.vision",
    "coach.engine",
    "coach.runtime",
    "coach.exercise",
    "coach.clinical",
    "coach.assessment",
    "coach.posture",
    "coach.auth",
    "coach.store",
    "coach.reports",
    "coach.cli",
)
# Imports left out of the package graph, each with why and what would end it. The test
# below fails once one is gone from the source, so this list only ever shrinks.
KNOWN_EDGES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str  # the module that imports, e.g. coach.store.people
    path: Path
    line: int
    module: str  # the module imported from, e.g. coach.auth.access
    name: str | None  # the name imported from it (`from module import name`), if any

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def targets(self) -> tuple[str, ...]:
        """What the import may name: the module, and `module.name` (a submodule or not)."""
        return (self.module,) if self.name is None else (f"{self.module}.{self.name}", self.module)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(*tops: str) -> Iterator[tuple[str, Path]]:
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            yield module_name(path), path


def imports(name: str, path: Path) -> Iterator[Import]:
    """Every import in the module, wherever it stands; relative ones made absolute."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, path, node.lineno, alias.name, None)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            for alias in node.names:
                yield Import(name, path, node.lineno, module, alias.name)


def package_of(module: str) -> str | None:
    return next((p for p in PACKAGES if module == p or module.startswith(p + ".")), None)


def is_in(module: str, top: str) -> bool:
    return module == top or module.startswith(top + ".")


def package_graph() -> dict[str, dict[str, list[str]]]:
    """{package: {package it imports: [where, ...]}} over every module of coach."""
    graph: dict[str, dict[str, list[str]]] = {p: {} for p in PACKAGES}
    for name, path in sources("coach"):
        source = package_of(name)
        for found in imports(name, path):
            if source is None or (name, found.module) in KNOWN_EDGES:
                continue
            target = next((package_of(t) for t in found.targets if package_of(t)), None)
            if target is None or target == source:
                continue
            sites = graph[source].setdefault(target, [])
            if found.where not in sites:
                sites.append(found.where)
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """A circle of packages, first package repeated at the end, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(graph[node]):
            cycle = visit(nxt, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def test_the_package_graph_of_coach_has_no_circle():
    graph = package_graph()
    cycle = find_cycle(graph)
    if cycle is not None:
        steps = [f"{a} -> {b} ({', '.join(graph[a][b][:3])})" for a, b in pairwise(cycle)]
        pytest.fail("coach's packages import in a circle:\n  " + "\n  ".join(steps))


# The layers of docs/architecture.md, lowest first: a package imports only from lower ones.
LAYERS = (
    ("coach.core",),
    ("coach.exercise",),
    ("coach.engine",),
    ("coach.auth", "coach.vision"),
    ("coach.store", "coach.runtime"),
    ("coach.clinical", "coach.assessment", "coach.posture"),
    ("coach.reports",),
    ("coach.cli",),
)


def test_every_package_imports_only_from_lower_layers():
    layer = {package: i for i, packages in enumerate(LAYERS) for package in packages}
    assert sorted(layer) == sorted(PACKAGES), "give every package a layer"
    wrong = [
        f"{source} (layer {layer[source]}) imports {target} (layer {layer[target]}): "
        f"{', '.join(sites[:3])}"
        for source, targets in package_graph().items()
        for target, sites in targets.items()
        if layer[target] >= layer[source]
    ]
    assert wrong == [], "see docs/architecture.md:\n" + "\n".join(wrong)


def test_every_module_of_coach_belongs_to_a_package_of_the_graph():
    loose = [
        name
        for name, _ in sources("coach")
        if package_of(name) is None and name not in ("coach", "coach.__main__")
    ]
    assert loose == [], f"add their package to PACKAGES in {Path(__file__).name}: {loose}"


def test_the_imports_left_out_of_the_graph_are_still_there():
    found = {(i.importer, i.module) for name, path in sources("coach") for i in imports(name, path)}
    stale = [edge for edge in KNOWN_EDGES if edge not in found]
    assert stale == [], f"gone from the source, so remove them from KNOWN_EDGES: {stale}"


def test_the_finder_names_a_circle():
    graph = {"a": {"b": ["a.py:1"]}, "b": {"c": ["b.py:2"]}, "c": {"a": ["c.py:3"]}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": []}, "b": {}}) is None


@pytest.mark.parametrize(
    ("top", "forbidden"),
    [
        ("coach", ("streamlit", "coach_ui", "tests")),
        ("coach_ui", ("tests",)),
    ],
)
def test_the_library_and_the_app_import_only_downwards(top, forbidden):
    wrong = [
        f"{found.where} imports {found.module}"
        for name, path in sources(top)
        for found in imports(name, path)
        if any(is_in(found.module, f) for f in forbidden)
    ]
    assert wrong == [], f"{top} must not import {', '.join(forbidden)}:\n" + "\n".join(wrong)


def test_no_module_imports_another_modules_private_name():
    wrong = [
        f"{found.where}: from {found.module} import {found.name}"
        for name, path in sources("coach", "coach_ui")
        for found in imports(name, path)
        if found.name is not None
        and found.name.startswith("_")
        and not found.name.startswith("__")
        and found.module != name
        and (is_in(found.module, "coach") or is_in(found.module, "coach_ui"))
    ]
    assert wrong == [], "make the name public (with a docstring) or move it:\n" + "\n".join(wrong)


def module_file(module: str) -> Path | None:
    """The source file of `module` in this checkout, or None (a name in a module, or not ours)."""
    base = ROOT.joinpath(*module.split("."))
    files = (base.parent / f"{base.name}.py", base / "__init__.py")
    return next((file for file in files if file.is_file()), None)


def imported_test_module(found: Import) -> Path | None:
    """The test module or conftest.py (other than tests/conftest.py) the import reads, if any."""
    path = next((file for file in map(module_file, found.targets) if file is not None), None)
    if path is None or path == ROOT / "tests" / "conftest.py":
        return None
    return path if path.name.startswith("test_") or path.name == "conftest.py" else None


def test_no_module_of_the_tests_imports_a_test_module_or_a_conftest():
    wrong = sorted(
        {
            f"{found.where} imports {imported.relative_to(ROOT)}"
            for name, path in sources("tests")
            for found in imports(name, path)
            if (imported := imported_test_module(found)) is not None
        }
    )
    assert wrong == [], (
        "move what they share to tests/support/ (helpers) or the nearest "
        "conftest.py (fixtures):\n" + "\n".join(wrong)
    )


def test_the_finder_names_an_imported_test_module():
    def found(module: str, name: str | None = None) -> Import:
        return Import("tests.planted", ROOT / "tests" / "planted.py", 1, module, name)

    here, e2e = ROOT / "tests" / "test_architecture.py", ROOT / "tests" / "e2e" / "conftest.py"
    assert imported_test_module(found("tests.test_architecture", "ROOT")) == here
    assert imported_test_module(found("tests", "test_architecture")) == here
    assert imported_test_module(found("tests.test_architecture")) == here
    assert imported_test_module(found("tests.e2e.conftest", "tail")) == e2e
    assert imported_test_module(found("tests.conftest", "ROOT")) is None
    assert imported_test_module(found("tests.support.live", "play")) is None
    assert imported_test_module(found("coach.core.pose", "Pose")) is None
