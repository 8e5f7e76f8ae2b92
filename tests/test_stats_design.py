"""Group-sequential designs: power by recursive integration, inflation, sample size."""

import math

import numpy as np
import pytest
from scipy import stats

from stats import (
    StatsInputError,
    crossing_probabilities,
    design_power,
    sample_size,
    sequential_design,
    z_boundaries,
)
from stats.design import drift_for_power, fixed_design_drift
from stats.simulation import group_sequential_rate, simulate_counts

FIXED_DRIFT = fixed_design_drift(0.05, 0.8)


@pytest.mark.parametrize(
    "bounds,published",
    [
        # Jennison & Turnbull (2000), tables 2.1/2.4 (Pocock) and 2.3/2.5 (O'Brien-
        # Fleming): constants C_P, C_B for alpha 5% and R for power 80%.
        ([2.178] * 2, 1.110),
        ([2.361] * 4, 1.202),
        ([1.977 * math.sqrt(2 / k) for k in (1, 2)], 1.008),
        ([2.024 * math.sqrt(4 / k) for k in (1, 2, 3, 4)], 1.022),
    ],
)
def test_inflation_of_classical_designs_matches_jennison_turnbull(bounds, published):
    t = np.arange(1, len(bounds) + 1) / len(bounds)
    drift = drift_for_power(bounds, t, 0.8)
    assert (drift / FIXED_DRIFT) ** 2 == pytest.approx(published, abs=2e-3)


@pytest.mark.parametrize("drift", [0.0, 1.5, 2.8, -2.0])
@pytest.mark.parametrize(
    "fractions,spending",
    [((0.3, 1.0), "pocock"), ((0.2, 0.55, 1.0), "obrien_fleming")],
)
def test_power_agrees_with_the_multivariate_normal(drift, fractions, spending):
    """Independent: P(no crossing) is a rectangle of the looks' joint normal."""
    t = np.array(fractions)
    b = z_boundaries(t, 0.05, spending)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    mvn = stats.multivariate_normal(
        mean=drift * np.sqrt(t), cov=cov, abseps=1e-8, releps=1e-8
    )
    stay = mvn.cdf(b, lower_limit=-b)
    assert design_power(b, t, drift) == pytest.approx(1.0 - stay, abs=2e-6)


def test_one_look_power_is_the_fixed_design_formula():
    c = stats.norm.isf(0.025)
    expected = stats.norm.sf(c - 2.5) + stats.norm.cdf(-c - 2.5)
    assert crossing_probabilities([c], [1.0], 2.5)[0] == pytest.approx(expected)


def test_pocock_with_four_looks_at_the_fixed_size_has_72_percent_power():
    """Issue 7's figure: the plan ignored the inflation."""
    t = np.arange(1, 5) / 4
    power = design_power(z_boundaries(t, 0.05, "pocock"), t, FIXED_DRIFT)
    assert round(power, 3) == 0.722


@pytest.mark.parametrize(
    "looks,spending,factor",
    [
        (1, "pocock", 1.0),
        (4, "obrien_fleming", 1.0196),
        (4, "pocock", 1.1962),
        (6, "obrien_fleming", 1.0286),
        (6, "pocock", 1.2236),
    ],
)
def test_inflation_factor_of_lan_demets_designs(looks, spending, factor):
    assert sequential_design(looks, spending).inflation_factor == pytest.approx(
        factor, abs=1e-4
    )


def test_design_reaches_its_power_at_its_drift():
    design = sequential_design(5, "pocock", 0.05, 0.9)
    t = np.arange(1, 6) / 5
    assert design_power(design.z_boundaries, t, design.drift) == pytest.approx(0.9)
    assert design.to_dict()["planned_looks"] == 5


def test_sample_size_inflates_and_keeps_the_fixed_figure():
    plan = sample_size(0.05, 0.2, planned_looks=4, spending="pocock")
    assert plan.to_dict() == {
        "units_per_variant": 9758,
        "total_units": 19516,
        "sprints_needed": None,
        "alpha_per_comparison": 0.05,
        "fixed_units_per_variant": 8158,
        "inflation_factor": pytest.approx(1.19616, abs=1e-5),
        "planned_looks": 4,
        "spending": "pocock",
    }


def test_sample_size_with_three_variants_inflates_at_the_bonferroni_alpha():
    plan = sample_size(0.05, 0.2, variants=3, planned_looks=4)
    za, zb = stats.norm.isf(0.0125), stats.norm.isf(0.2)
    root = za * math.sqrt(2 * 0.055 * 0.945) + zb * math.sqrt(0.05 * 0.95 + 0.06 * 0.94)
    fixed = root**2 / 0.01**2
    assert plan.inflation_factor == sequential_design(4, alpha=0.025).inflation_factor
    assert plan.fixed_units_per_variant == math.ceil(fixed) == 9880
    assert plan.units_per_variant == math.ceil(fixed * plan.inflation_factor) == 10016


@pytest.mark.parametrize("looks", [0, 53, True, 2.5, "4"])
def test_planned_looks_must_be_a_whole_number_from_1_to_52(looks):
    with pytest.raises(StatsInputError) as error:
        sample_size(0.05, 0.2, planned_looks=looks)
    assert error.value.field == "planned_looks"


def test_unknown_spending_is_refused():
    with pytest.raises(StatsInputError) as error:
        sample_size(0.05, 0.2, planned_looks=3, spending="haybittle")
    assert error.value.field == "spending"


@pytest.mark.parametrize("looks", [4, 6])
@pytest.mark.parametrize("spending", ["obrien_fleming", "pocock"])
def test_simulated_power_at_the_planned_lift_is_80_percent(looks, spending):
    """20,000 binomial experiments, equal looks at k/K of the inflated plan."""
    plan = sample_size(0.05, 0.2, planned_looks=looks, spending=spending)
    n = plan.units_per_variant
    rng = np.random.default_rng(7 + looks)
    cumulative = np.round(np.arange(1, looks + 1) / looks * n)
    units, conversions = simulate_counts(rng, 20_000, cumulative, 0.05, 0.06)
    power = group_sequential_rate(units, conversions, n / 2, 0.05, spending)
    assert abs(power.rate - 0.8) <= 0.015
