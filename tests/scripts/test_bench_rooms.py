"""The rooms benchmark measures what it says: every message crossed to the other process,
in order, with latencies computed from the two processes' shared monotonic clock."""

from __future__ import annotations

from scripts.bench_rooms import measure


def test_the_benchmark_sees_every_message_arrive_in_order(postgres_cluster):
    report = measure(postgres_cluster.new_database(), count=20, rate=200.0)
    assert report["messages_received"] == 20
    assert report["in_order"] is True
    assert 0 < report["latency_ms_median"] <= report["latency_ms_p95"] <= report["latency_ms_max"]
