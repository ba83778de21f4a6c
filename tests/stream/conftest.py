"""A Starlette app with the app's own routes on a registry of the test's own, and recorded
poses to stream."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach.runtime.stream import RateLimit
from coach_ui.live_stream import StreamOwner, StreamRegistry
from coach_ui.routes import routes


class Clock:
    """A monotonic clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(clock) -> StreamRegistry:
    return StreamRegistry(clock=clock)


@pytest.fixture
def owner() -> StreamOwner:
    return StreamOwner()


@pytest.fixture
def client(registry) -> TestClient:
    """The routes on `registry`, without a rate limit: a test sends each frame as soon as
    the last is answered, faster than any camera."""
    unlimited = Starlette(routes=routes(registry, lambda: RateLimit(1e9, 10**9)))
    with TestClient(unlimited) as client:
        yield client


@pytest.fixture
def stack(client) -> Iterator[ExitStack]:
    """Connections a test opens, closed before its client is."""
    with ExitStack() as stack:
        yield stack
