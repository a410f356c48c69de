"""The stratified random sample: pure functions, no database.

Reproducible by construction: strata are visited in slug order, candidates
within a stratum are sorted by reference, and one random.Random(seed) draws
them all. The same list, sizes and seed give the same sample on any machine
and any database, whatever order the rows come back in.
"""

import math
import random
import secrets

MAX_SEED = 2**31 - 1


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED) + 1


def draw_stratified_sample(
    population: dict[str, list[str]], sizes: dict[str, int], seed: int
) -> dict[str, list[str]]:
    """Draw sizes[stratum] references from each stratum without replacement.

    Raises ValueError when a size is negative or larger than its stratum.
    Returns stratum -> chosen references, sorted.
    """
    rng = random.Random(seed)
    chosen: dict[str, list[str]] = {}
    for stratum in sorted(population):
        size = sizes.get(stratum, 0)
        candidates = sorted(population[stratum])
        if size < 0 or size > len(candidates):
            raise ValueError(f"{stratum}: cannot draw {size} from {len(candidates)}")
        chosen[stratum] = sorted(rng.sample(candidates, size))
    unknown = {s for s, n in sizes.items() if n and s not in population}
    if unknown:
        raise ValueError(f"No cases in {', '.join(sorted(unknown))}")
    return chosen


def choose_second_reviews(references: list[str], share: float, seed: int) -> set[str]:
    """The references whose reviews go to a second review: ceil(share × n) of
    them, at least one when there is a sample and a share, drawn from the seed."""
    if not references or share <= 0:
        return set()
    count = min(len(references), math.ceil(share * len(references)))
    # A generator of its own, so the choice does not depend on the sample draw's.
    rng = random.Random(f"second-review:{seed}")
    return set(rng.sample(sorted(references), count))


def choose_replacement(candidates: list[str], seed: int, removed: str) -> str | None:
    """The reference drawn to replace `removed`: one of the candidates (the
    category's cases neither in the sample nor taken out of it), at random
    from the draw's seed and the reference replaced, so the same list gives
    the same replacement again. None when there is no candidate."""
    if not candidates:
        return None
    # A generator of its own, as for the second reviews.
    rng = random.Random(f"replacement:{seed}:{removed}")
    return rng.choice(sorted(candidates))


def choose_case_for_second_review(
    same_category: list[str], other_categories: list[str], seed: int, removed: str
) -> str | None:
    """The reference that takes over the second review of `removed`, a case
    taken out of the sample with none drawn in its place: one of the cases
    still in the sample and not due one, of its own category where it has
    one, else of any other. At random from the draw's seed and the reference
    taken out, so the same sample gives the same case again. None when no
    case can take it."""
    candidates = same_category or other_categories
    if not candidates:
        return None
    # A generator of its own, as for the second reviews and the replacements.
    rng = random.Random(f"second-review-moved:{seed}:{removed}")
    return rng.choice(sorted(candidates))
