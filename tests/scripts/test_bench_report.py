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


def test_the_four_ways_of_coach_analyze_show_with_their_spread(bench):
    """Placement and the workers' priority, each turned off: the gains' rows and cells."""
    text = (BENCH.parents[1] / "docs" / "benchmarks.md").read_text()
    figures = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    for key, ways in bench.ANALYZE_GAINS.items():
        assert set(ways) <= set(bench.ANALYZE_WAYS)
        figures.update(bench.ratio_figures(key, "", [12.0, 11.0, 13.0], [10.0, 10.0, 10.0]))
    shown = [r for r in bench.markdown(figures).splitlines() if "| 1.2 (1.1-1.3) |" in r]
    assert len(shown) == len(bench.ANALYZE_GAINS)  # one row each
