"""50 simulated users through the inspector's and force lead's journeys.

Run by benchmarks/run.py against gunicorn (2 workers) on loopback for a fixed
time; it stops by itself. Users sign in through the real form; the benchmark
database has two-factor sign-in switched off for these synthetic accounts.
"""

import os
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "inspect-children-safely")
INSPECTION = os.environ["BENCH_INSPECTION"]
FORCE_INSPECTION = os.environ["BENCH_FORCE_INSPECTION"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    email = ""

    def on_start(self):
        page = self.client.get("/account/sign-in/", name="sign in")
        token = TOKEN.search(page.text).group(1)
        self.client.post(
            "/account/sign-in/",
            {"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign in",
        )


class Inspector(SignedIn):
    weight = 3
    email = "lead.inspector@example.org"

    @task(3)
    def inspection(self):
        self.client.get(f"/inspections/{INSPECTION}/", name="inspection")

    @task(2)
    def judgment(self):
        self.client.get(f"/inspections/{INSPECTION}/judgments/investigation/", name="judgment")

    @task(1)
    def findings(self):
        self.client.get(f"/inspections/{INSPECTION}/findings/", name="findings")

    @task(1)
    def home(self):
        self.client.get("/", name="home")


class ForceLead(SignedIn):
    weight = 2
    email = "force.lead@example.org"

    @task(3)
    def home(self):
        self.client.get("/", name="home (force lead)")

    @task(2)
    def inspection(self):
        self.client.get(f"/inspections/{FORCE_INSPECTION}/", name="inspection (force lead)")

    @task(1)
    def report(self):
        self.client.get(f"/inspections/{FORCE_INSPECTION}/report/", name="report (force lead)")
