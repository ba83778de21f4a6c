"""scripts/bench.py's report: ratios come with the spread of the runs they are the median of."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_script", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("numerators", "denominators", "median", "spread"),
    [
        ([11.0, 10.5, 12.0], [10.0, 10.0, 10.0], 1.1, [1.05, 1.2]),
        # The median of the runs' own ratios, not the ratio of the medians (1.0 here).
        ([10.0, 20.0, 30.0], [20.0, 10.0, 30.0], 1.0, [0.5, 2.0]),
        ([9.0, 11.0], [10.0, 10.0], 1.0, [0.9, 1.1]),
    ],
)
def test_a_ratio_is_the_median_of_the_runs_ratios_with_their_spread(
    bench, numerators, denominators, median, spread
):
    figures = bench.ratio_figures("overhead_ratio", "_1280x720", numerators, denominators)
    assert figures["overhead_ratio_1280x720"] == pytest.approx(median)
    assert figures["overhead_ratio_range_1280x720"] == pytest.approx(spread)


def test_the_table_shows_the_spread_where_the_run_recorded_one(bench):
    """The JSON kept in docs/benchmarks.md renders; a spread added to it shows in its cell."""
    text = (BENCH.parents[1] / "docs" / "benchmarks.md").read_text()
    figures = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    figures["overhead_ratio"] = 1.073
    figures["overhead_ratio_range"] = [1.041, 1.092]
    figures.pop("overhead_ratio_range_1280x720", None)
    figures["overhead_ratio_1280x720"] = 1.053
    report = bench.markdown(figures)
    overhead_row = next(r for r in report.splitlines() if r.startswith("| overhead ratio"))
    assert "| 1.073 (1.041-1.092) | 1.053 |" in overhead_row


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("", "{block}"),
        ("# Benchmarks\n\nBy hand.\n", "# Benchmarks\n\nBy hand.\n\n{block}"),
        (
            "# Benchmarks\n\n{start}\nold tables\n{end}\n\n## History\n\nBy hand.\n",
            "# Benchmarks\n\n{block}\n## History\n\nBy hand.\n",
        ),
        ("# B\n{start}\nold\n{end}\n", "# B\n{block}"),
    ],
)
def test_writing_replaces_only_the_generated_tables(bench, document, expected):
    """The hand-written text around the generated part survives a new run."""
    markers = {"start": bench.GENERATED_START, "end": bench.GENERATED_END}
    block = f"{bench.GENERATED_START}\nnew tables\n{bench.GENERATED_END}\n"
    written = bench.with_generated(document.format(**markers), "new tables\n")
    assert written == expected.format(block=block, **markers)


@pytest.mark.parametrize("marker", ["GENERATED_START", "GENERATED_END"])
def test_a_document_with_one_marker_is_refused(bench, marker):
    with pytest.raises(ValueError, match="marker"):
        bench.with_generated(f"# B\n{getattr(bench, marker)}\n", "new tables")
