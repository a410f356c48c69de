"""Page latency at scale, as a ratio to the floor page measured in the same run.

Run through `make bench` (benchmarks/run.py), which builds the data first.
Uses Django's test client in-process, so the figure is server time: URL
resolution, middleware, views, queries and templates, without the network.
Each page is measured right after the floor page, by the same signed-in
user, so a busy moment on the machine falls on both.

Each page is measured twice: as served, repeated with no write in between,
so its body comes from the fragment cache (core/fragments.py); and drawn,
with the data version changed before each request (untimed), as the first
view after any write is.
"""

import statistics
import time
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

REQUESTS = 60
WARMUP = 5


@dataclass(frozen=True)
class PageSpec:
    name: str
    url: str
    client: Client  # signed in (both factors) as the user the page is for


def _get(client: Client, url: str) -> int:
    """One request; a streamed response (a CSV export) is read to the end."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(client: Client, url: str, requests: int = REQUESTS, *, drawn: bool = False) -> dict:
    from core.fragments import data_changed

    def before() -> None:
        if drawn:
            data_changed()

    for _ in range(WARMUP):
        before()
        size = _get(client, url)
    # Each request empties the connection's query log as it starts: the log
    # must start empty for the capture, and be counted before the next one.
    reset_queries()
    before()
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    queries = len(captured)
    timings = []
    for _ in range(requests):
        before()
        started = time.perf_counter()
        _get(client, url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[round(len(timings) * 0.95) - 1],
        "queries": queries,
        "bytes": size,
        "requests": requests,
    }


def run(pages: list[PageSpec]) -> list[dict]:
    """Each page, with the floor measured just before it for the same user."""
    results = []
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        for page in pages:
            floor = measure(page.client, "/__floor__/")
            figures = measure(page.client, page.url)
            drawn = measure(page.client, page.url, drawn=True)
            results.append(
                {
                    "page": page.name,
                    "url": page.url,
                    **figures,
                    "floor_median_ms": floor["median_ms"],
                    "ratio": figures["median_ms"] / floor["median_ms"],
                    "drawn_median_ms": drawn["median_ms"],
                    "drawn_p95_ms": drawn["p95_ms"],
                    "drawn_queries": drawn["queries"],
                    "drawn_ratio": drawn["median_ms"] / floor["median_ms"],
                }
            )
    return results
