"""Alpha spent by the information reached, and the plan's maximum information."""

import math

import numpy as np
import pytest

from stats import (
    effective_units,
    information_boundaries,
    information_plan,
    planned_information,
    sample_size,
    z_boundaries,
)
from stats.simulation import crossing_rate, group_sequential_rate, simulate_counts

# Issue 7: back-loaded traffic, share of the plan reached in each sprint.
BACK_LOADED = (0.02, 0.03, 0.05, 0.10, 0.30, 0.50)


def test_equal_information_reproduces_gsdesign_boundaries():
    looks = information_boundaries([1000, 2000, 3000, 4000], 4000)
    assert looks.z_boundaries == pytest.approx([4.333, 2.963, 2.359, 2.014], abs=1e-3)
    assert looks.fractions.tolist() == [0.25, 0.5, 0.75, 1.0]


def test_a_comparison_without_information_is_not_a_look():
    looks = information_boundaries([[0, 500], [800, 1000], [2000, 2000]], [2000, 2000])
    assert looks.informed[:, 0].tolist() == [False, True, True]
    assert looks.z_boundaries[0, 0] == math.inf
    assert looks.z_boundaries[1:, 0] == pytest.approx(z_boundaries([0.4, 1.0]))
    assert looks.z_boundaries[:, 1] == pytest.approx(z_boundaries([0.25, 0.5, 1.0]))


def test_looks_past_the_plan_spend_nothing():
    looks = information_boundaries([500, 1000, 1200], 1000, spending="pocock")
    assert looks.z_boundaries[2] == math.inf
    assert looks.fractions[2] == pytest.approx(1.2)


def test_the_plan_without_a_sample_size_falls_back_to_always_valid():
    plan = information_plan(4)
    assert plan.mode == "always_valid"
    assert plan.max_information is None
    assert plan.reason == (
        "No sample size can be derived without a baseline rate and a smallest "
        "lift, so every look uses always-valid intervals."
    )


def test_the_plan_with_a_sample_size_spends_by_information():
    plan = information_plan(4, 0.05, 0.2, spending="pocock")
    n = sample_size(0.05, 0.2, planned_looks=4, spending="pocock").units_per_variant
    assert (plan.mode, plan.units_per_variant, plan.reason) == ("information", n, None)
    assert plan.max_information == n / 2


def test_effective_units_and_planned_information():
    assert effective_units(np.array([100.0, 0.0]), np.array([300.0, 5.0])).tolist() == [
        75.0,
        0.0,
    ]
    assert planned_information([1000, 1000, 3000]).tolist() == [500.0, 750.0]


def test_back_loaded_traffic_holds_the_false_winner_rate():
    """A/A, 40,000 experiments: spending by information stays within 5% + 2 SE,
    where spending by the calendar (s / K) does not."""
    plan = information_plan(6, 0.05, 0.2)
    cumulative = np.round(np.cumsum(BACK_LOADED) * plan.units_per_variant)
    rng = np.random.default_rng(5)
    units, conversions = simulate_counts(rng, 40_000, cumulative, 0.05, 0.05)
    by_information = group_sequential_rate(units, conversions, plan.max_information)
    assert by_information.rate <= 0.05 + 2 * by_information.se
    calendar = z_boundaries(np.arange(1, 7) / 6)  # the old rule: look s at s / 6
    by_calendar = crossing_rate(units, conversions, calendar)
    assert by_calendar.rate > 0.05 + 4 * by_information.se
