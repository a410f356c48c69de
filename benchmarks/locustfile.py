"""50 simulated users through the inspector's and force lead's journeys.

Run by benchmarks/run.py against gunicorn (2 workers, DEBUG off, two-factor
sign-in on) on loopback for a fixed time; it stops by itself. Every simulated
user is a different account (load.inspector.N / load.force.lead.N, made by
benchmarks/sections.py) with its own authenticator key, because a code is
accepted once per account: each signs in through the real form, then gives
the code its authenticator would show, computed here (RFC 6238).

FastHttpUser (geventhttpclient) rather than HttpUser: Locust shares the
machine with the server, and it costs a fraction of the CPU per request.

Besides Locust's own CSV, writes BENCH_LOAD_SUMMARY (JSON): percentiles for
all requests and for the pages alone, without the two sign-in steps, whose
time is mostly the deliberate cost of password hashing (Argon2id).
"""

import hashlib
import hmac
import itertools
import json
import os
import re
import statistics
import struct
import time

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ["BENCH_PASSWORD"]
INSPECTION = os.environ["BENCH_INSPECTION"]
TOPIC = os.environ.get("BENCH_TOPIC", "investigation")
SUMMARY = os.environ.get("BENCH_LOAD_SUMMARY", "")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGN_IN_STEPS = {"sign in", "two-factor code"}


def device_key(email: str) -> bytes:
    """The authenticator key benchmarks/sections.py gave this account."""
    seed = f"load-test:{email}".encode()
    return hashlib.sha1(seed, usedforsecurity=False).digest()


def totp(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 time-based one-time password (HMAC-SHA1), as django-otp checks it."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 10**digits:0{digits}d}"


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    prefix = ""
    numbers = itertools.count(1)

    def on_start(self):
        self.email = f"{self.prefix}{next(self.numbers)}@example.org"
        page = self.client.get("/account/sign-in/", name="sign in")
        token = TOKEN.search(page.text).group(1)
        page = self.client.post(
            "/account/sign-in/",
            {"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign in",
        )
        # Now on the two-factor page: give the code.
        token = TOKEN.search(page.text).group(1)
        with self.client.post(
            "/account/two-factor/",
            {"code": totp(device_key(self.email)), "csrfmiddlewaretoken": token},
            name="two-factor code",
            catch_response=True,
        ) as response:
            if 'name="code"' in (response.text or ""):
                response.failure(f"{self.email} was not signed in")


class Inspector(SignedIn):
    weight = 3
    prefix = "load.inspector."
    numbers = itertools.count(1)

    @task(3)
    def inspection(self):
        self.client.get(f"/inspections/{INSPECTION}/", name="inspection")

    @task(2)
    def judgment(self):
        self.client.get(f"/inspections/{INSPECTION}/judgments/{TOPIC}/", name="grading")

    @task(1)
    def findings(self):
        self.client.get(f"/inspections/{INSPECTION}/findings/", name="findings")

    @task(1)
    def reviews(self):
        self.client.get(f"/inspections/{INSPECTION}/case-files/reviews/", name="review list")

    @task(1)
    def sample(self):
        self.client.get(f"/inspections/{INSPECTION}/case-files/sample/", name="sample")

    @task(1)
    def home(self):
        self.client.get("/", name="home (inspector)")


class ForceLead(SignedIn):
    weight = 2
    prefix = "load.force.lead."
    numbers = itertools.count(1)

    @task(3)
    def home(self):
        self.client.get("/", name="home (force lead)")

    @task(2)
    def inspection(self):
        self.client.get(f"/inspections/{INSPECTION}/", name="inspection (force lead)")

    @task(2)
    def action_plan(self):
        self.client.get(
            f"/inspections/{INSPECTION}/action-plans/action-plan/", name="action plan (force lead)"
        )

    @task(1)
    def report(self):
        self.client.get(f"/inspections/{INSPECTION}/report/", name="report (force lead)")


# Percentiles with and without the sign-in steps ------------------------------

TIMES: dict[str, list[float]] = {"all": [], "pages": []}
ERRORS: dict[str, int] = {"all": 0, "pages": 0}


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    groups = ["all"] if name in SIGN_IN_STEPS else ["all", "pages"]
    for group in groups:
        TIMES[group].append(response_time)
        ERRORS[group] += exception is not None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@events.quitting.add_listener
def _summary(environment, **kwargs):
    if not SUMMARY:
        return
    summary = {
        group: {
            "requests": len(values),
            "errors": ERRORS[group],
            "p50_ms": statistics.median(values) if values else None,
            "p95_ms": _percentile(values, 0.95),
            "p99_ms": _percentile(values, 0.99),
        }
        for group, values in TIMES.items()
    }
    with open(SUMMARY, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
