"""Page latency at scale, as a ratio to the floor page measured in the same run.

Run through `make bench` (benchmarks/run.py), which builds the data first.
Uses Django's test client in-process, so the figure is server time: URL
resolution, middleware, views, queries and templates, without the network.
"""

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

REQUESTS = 60
WARMUP = 5


def measure(client: Client, url: str, requests: int = REQUESTS) -> dict:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    queries = len(captured)
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "queries": queries,
    }


def run(pages: list[tuple[str, str, Callable]]) -> list[dict]:
    """pages: (name, url, user) — measured against the floor for that user."""
    results = []
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        for name, url, user in pages:
            client = Client()
            client.force_login(user)
            floor = measure(client, "/__floor__/")
            page = measure(client, url)
            results.append(
                {
                    "page": name,
                    "url": url,
                    **page,
                    "floor_median_ms": floor["median_ms"],
                    "ratio": page["median_ms"] / floor["median_ms"],
                }
            )
    return results
