"""Planning: sample size, sprints needed, detectable effect."""

import math

import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from stats import StatsInputError, minimum_detectable_effect, sample_size


def test_the_textbook_example_needs_8158_per_variant():
    plan = sample_size(baseline_rate=0.05, relative_mde=0.2, alpha=0.05, power=0.8)
    assert plan.to_dict() == {
        "units_per_variant": 8158,
        "total_units": 16316,
        "sprints_needed": None,
        "alpha_per_comparison": 0.05,
        "fixed_units_per_variant": 8158,
        "inflation_factor": 1.0,
        "planned_looks": None,
        "spending": None,
    }


def test_formula_by_hand():
    p1, p2 = 0.1, 0.12
    za, zb = stats.norm.isf(0.025), stats.norm.isf(0.2)
    pbar = (p1 + p2) / 2
    root = za * math.sqrt(2 * pbar * (1 - pbar))
    root += zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    n = root**2 / (p2 - p1) ** 2
    assert sample_size(0.1, 0.2).units_per_variant == math.ceil(n)


def test_close_to_the_arcsine_approximation():
    es = proportion_effectsize(0.06, 0.05)
    n = NormalIndPower().solve_power(es, alpha=0.05, power=0.8)
    assert sample_size(0.05, 0.2).units_per_variant == pytest.approx(n, rel=0.01)


def test_more_variants_divide_alpha_by_the_challengers():
    three = sample_size(0.05, 0.2, variants=3)
    assert three.alpha_per_comparison == pytest.approx(0.025)
    assert (
        three.units_per_variant == sample_size(0.05, 0.2, alpha=0.025).units_per_variant
    )
    assert three.total_units == 3 * three.units_per_variant


def test_sprints_needed_at_a_traffic_per_sprint():
    plan = sample_size(0.05, 0.2, units_per_sprint=4000)
    assert plan.sprints_needed == math.ceil(16316 / 4000) == 5
    assert sample_size(0.05, 0.2, units_per_sprint=16316).sprints_needed == 1


def test_detectable_effect_inverts_the_sample_size():
    mde = minimum_detectable_effect(0.05, 8158)
    assert mde == pytest.approx(0.2, abs=1e-4)
    assert sample_size(0.05, mde).units_per_variant == 8158
    assert minimum_detectable_effect(0.05, 8158, variants=3) > mde


def test_negative_effects_are_planned_too():
    assert sample_size(0.5, -0.1).units_per_variant > 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"baseline_rate": 0.0}, "baseline_rate"),
        ({"baseline_rate": 1.2}, "baseline_rate"),
        ({"relative_mde": 0.0}, "relative_mde"),
        ({"baseline_rate": 0.6, "relative_mde": 1.0}, "relative_mde"),
        ({"alpha": 1.0}, "alpha"),
        ({"power": 0.0}, "power"),
        ({"variants": 1}, "variants"),
        ({"units_per_sprint": -5}, "units_per_sprint"),
    ],
)
def test_invalid_plans_name_the_field(kwargs, field):
    with pytest.raises(StatsInputError) as err:
        sample_size(**kwargs)
    assert err.value.field == field
