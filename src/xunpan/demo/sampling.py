"""Random helpers on a seeded numpy Generator (never the global state, so output is reproducible)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def allocate(rng: np.random.Generator, n: int, weights: Sequence[float]) -> list[int]:
    """Assign `n` items to categories in random order, each category getting floor or ceil of n*p.

    Systematic sampling instead of independent draws keeps a channel's share or a funnel rate within
    one item of its target for any seed, so a small dataset still shows every stage.
    """
    if n == 0:
        return []
    probabilities = np.asarray(weights, dtype=float)
    edges = np.cumsum(probabilities / probabilities.sum()) * n
    edges[-1] = n  # float rounding must not leave the last position outside every category
    categories = np.searchsorted(edges, np.arange(n) + rng.random(), side="right")
    return [int(c) for c in rng.permutation(categories)]


def pick(rng: np.random.Generator, weighted: Sequence[tuple[T, float]]) -> T:
    """One item of (item, weight) pairs."""
    weights = np.asarray([w for _, w in weighted], dtype=float)
    return weighted[int(rng.choice(len(weighted), p=weights / weights.sum()))][0]


def choice(rng: np.random.Generator, items: Sequence[T]) -> T:
    """One item, uniformly."""
    return items[int(rng.integers(len(items)))]


def triangular_days(rng: np.random.Generator, low: float, mode: float, high: float) -> float:
    """A duration in days, skewed towards `mode` (deal cycles: many short, a long tail)."""
    return float(rng.triangular(low, mode, high))
