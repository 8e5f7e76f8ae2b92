"""Monte Carlo checks of the sequential designs: false-winner rate and power.

Shared by the test suite (small runs) and benchmarks/error_rates.py (large runs), so
both measure the same thing: two-variant binomial experiments whose cumulative
counts are looked at after each sprint, judged by the pooled z against Lan-DeMets
boundaries spent by information, or by the always-valid p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .always_valid import always_valid_binomial, effective_units
from .arrays import FloatArray
from .binomial import pooled_z
from .information import information_boundaries


@dataclass(frozen=True)
class RejectionRate:
    """Share of simulated experiments declared significant, with its Monte Carlo SE."""

    rate: float
    se: float
    simulations: int


def _rate(hits: NDArray[np.bool_]) -> RejectionRate:
    rate = float(np.mean(hits))
    return RejectionRate(rate, math.sqrt(rate * (1.0 - rate) / hits.size), hits.size)


def simulate_counts(
    rng: np.random.Generator,
    simulations: int,
    units_per_look: FloatArray,
    control_rate: float,
    challenger_rate: float,
) -> tuple[FloatArray, FloatArray]:
    """Cumulative (S, simulations, 2) units and conversions, equal split.

    units_per_look: cumulative units per variant at each look (S,).
    """
    n = np.asarray(units_per_look, dtype=np.int64)
    increments = np.diff(n, prepend=0)
    rates = np.array([control_rate, challenger_rate])
    draws = rng.binomial(increments[:, None, None], rates, (n.size, simulations, 2))
    conversions = np.cumsum(draws, axis=0).astype(np.float64)
    units = np.broadcast_to(n[:, None, None], conversions.shape).astype(np.float64)
    return units, conversions


def crossing_rate(
    units: FloatArray, conversions: FloatArray, bounds: FloatArray
) -> RejectionRate:
    """Share whose pooled z reaches the look's |z| bound at some look, (S,) bounds."""
    z = pooled_z(conversions[..., 1], units[..., 1], conversions[..., 0], units[..., 0])
    crossed = np.abs(np.nan_to_num(z)) >= np.asarray(bounds)[:, None]
    return _rate(np.any(crossed, axis=0))


def group_sequential_rate(
    units: FloatArray,
    conversions: FloatArray,
    max_information: float,
    alpha: float = 0.05,
    spending: str = "obrien_fleming",
) -> RejectionRate:
    """Share crossing a boundary spent by information at some look.

    Every simulation has the same units, so one column of boundaries serves all.
    """
    info = effective_units(units[:, 0, 0], units[:, 0, 1])
    bounds = information_boundaries(info, max_information, alpha, spending)
    return crossing_rate(units, conversions, bounds.z_boundaries)


def always_valid_rate(
    units: FloatArray,
    conversions: FloatArray,
    alpha: float = 0.05,
    tuned_units_per_variant: float = 5_000.0,
) -> RejectionRate:
    """Share declared significant by the always-valid p-value at some look."""
    result = always_valid_binomial(units, conversions, alpha, tuned_units_per_variant)
    return _rate(result.significant[-1, :, 0])


def naive_rate(
    units: FloatArray, conversions: FloatArray, alpha: float = 0.05
) -> RejectionRate:
    """Share with p < alpha at any look, no correction: the peeking problem."""
    crit = float(-special.ndtri(alpha / 2.0))
    return crossing_rate(units, conversions, np.full(units.shape[0], crit))
