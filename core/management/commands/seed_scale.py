"""Reproducible synthetic data at national scale: `seed_scale --factor N`.

Factor 1 is the whole national programme over ten years: 43 forces with three
inspections each and everything inside them. Factor 10 is ten times as much.
"""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import actionplans.scale
import casefiles.scale
import inspections.scale

# Each app's generator, in dependency order. Each takes the inspections made.
LATER_STAGES: list = [casefiles.scale.build, actionplans.scale.build]


class Command(BaseCommand):
    help = "Generate reproducible synthetic data at national scale (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off")

    def handle(self, *args, factor: float, seed: int, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_scale writes synthetic data: run with DEBUG on, or --force")
        if factor <= 0:
            raise CommandError("--factor must be more than 0")
        rng = random.Random(seed)
        started = time.perf_counter()
        with transaction.atomic():
            made = inspections.scale.build(factor=factor, rng=rng, stdout=self.stdout)
            for build in LATER_STAGES:
                build(inspections=made, factor=factor, rng=rng, stdout=self.stdout)
        self.stdout.write(f"built in {time.perf_counter() - started:.1f} s")
