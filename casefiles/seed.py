"""Demo data for `make run`, called by core's seed_demo. Idempotent."""


def seed(stdout) -> None:
    pass
