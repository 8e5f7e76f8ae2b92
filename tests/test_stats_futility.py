"""Conditional power (B-values) and the non-binding futility signal."""

import math

import numpy as np
import pytest
from scipy import stats

from stats import FUTILITY_THRESHOLD, conditional_power, sequential_design
from stats.binomial import pooled_z
from stats.simulation import simulate_counts

C = stats.norm.isf(0.025)


@pytest.mark.parametrize("z,t", [(1.0, 0.5), (2.2, 0.25), (-0.4, 0.8), (0.0, 0.1)])
def test_at_the_current_trend_matches_lan_wittes(z, t):
    """Published form: CP = 1 - Phi((c - Z_t / sqrt(t)) / sqrt(1 - t)), one side,
    plus the far side's share."""
    sign = 1.0 if z >= 0 else -1.0
    near = stats.norm.sf((C - abs(z) / math.sqrt(t)) / math.sqrt(1 - t))
    far = stats.norm.cdf((-C - abs(z) / math.sqrt(t)) / math.sqrt(1 - t))
    result = conditional_power(z, t, C, sign * 2.8)
    assert float(result.at_trend) == pytest.approx(near + far, rel=1e-12)


@pytest.mark.parametrize("z,t,theta", [(1.0, 0.5, 2.8), (-0.5, 0.3, 2.8), (2, 0.9, 1)])
def test_at_the_planned_effect_matches_proschan_lan_wittes(z, t, theta):
    """CP(theta) = 1 - Phi((c - Z sqrt(t) - theta (1 - t)) / sqrt(1 - t)) + far."""
    b, rest = z * math.sqrt(t), 1 - t
    near = stats.norm.sf((C - b - theta * rest) / math.sqrt(rest))
    far = stats.norm.cdf((-C - b - theta * rest) / math.sqrt(rest))
    assert float(conditional_power(z, t, C, theta).at_plan) == pytest.approx(near + far)


def test_futility_needs_both_chances_below_ten_percent():
    """z 0.3 at a fifth: the trend gives 7.6%, the planned effect 68%."""
    result = conditional_power([-0.6, 1.2, 0.3], [0.5, 0.5, 0.2], C, 2.8)
    assert FUTILITY_THRESHOLD == 0.10
    assert result.at_trend.round(3).tolist() == [0.058, 0.355, 0.076]
    assert result.at_plan.round(3).tolist() == [0.082, 0.658, 0.678]
    assert result.futile.tolist() == [True, False, False]


def test_at_or_past_the_end_the_answer_is_known_and_before_any_data_undefined():
    result = conditional_power([2.5, 1.0, 1.0], [1.0, 1.3, 0.0], C, 2.8)
    assert result.at_trend[:2].tolist() == [1.0, 0.0]
    assert result.at_plan[:2].tolist() == [1.0, 0.0]
    assert math.isnan(result.at_trend[2]) and math.isnan(result.at_plan[2])


def test_conditional_power_at_the_plan_is_calibrated_by_simulation():
    """40,000 binomial experiments with the planned lift, interim at half of a
    fixed plan: among those given a chance p, a share p reaches significance."""
    n = 8158
    design = sequential_design(1, alpha=0.05, power=0.8)
    rng = np.random.default_rng(21)
    units, conversions = simulate_counts(rng, 40_000, [n // 2, n], 0.05, 0.06)
    z = pooled_z(conversions[..., 1], units[..., 1], conversions[..., 0], units[..., 0])
    fraction = units[0, 0, 0] / n
    cp = conditional_power(z[0], fraction, design.z_boundaries[-1], design.drift)
    reached = np.abs(z[1]) >= C
    for low, high in [(0.0, FUTILITY_THRESHOLD), (0.1, 0.5), (0.5, 0.9), (0.9, 1.0)]:
        group = (cp.at_plan >= low) & (cp.at_plan < high)
        se = math.sqrt(np.mean(cp.at_plan[group]) * 0.9 / group.sum())
        assert abs(np.mean(reached[group]) - np.mean(cp.at_plan[group])) <= 3 * se
    assert np.mean(reached[cp.futile]) < FUTILITY_THRESHOLD
    trend_only = cp.at_trend < FUTILITY_THRESHOLD
    assert np.mean(reached[trend_only]) > 3 * FUTILITY_THRESHOLD  # why both


def test_a_flat_test_late_in_its_plan_is_told_to_stop():
    """Four sprints of 5,000 per arm at 25,000 planned, no difference at all: by
    look 4 (t = 0.8) neither the trend nor the planned effect gives a 10% chance,
    and the recommendation says stop, quoting the larger chance."""
    from scipy import stats as sp

    from stats import analyze, sequential_design
    from stats.sequential import z_boundaries

    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 4, [[250, 250]] * 4,
                planned_looks=5, planned_units=25_000).to_dict()  # fmt: skip
    rec = d["recommendation"]
    assert rec["action"] == "stop"
    t = 0.8
    c = z_boundaries([0.2, 0.4, 0.6, 0.8, 1.0], 0.05, "obrien_fleming")[-1]
    drift = sequential_design(5, "obrien_fleming", 0.05, 0.8).drift
    sd = (1 - t) ** 0.5
    at_trend = 2 * sp.norm.cdf(-c / sd)  # z = 0: the trend is flat
    m = drift * (1 - t)
    at_plan = sp.norm.cdf((m - c) / sd) + sp.norm.cdf((-c - m) / sd)
    expected = max(at_trend, at_plan)
    assert rec["figures"]["conditional_power"] == pytest.approx(expected, rel=1e-9)
    assert rec["sentence"] == (
        "Stop: a difference worth having is unlikely by the planned end "
        f"({expected:.0%})."
    )


def test_a_test_with_a_chance_keeps_running():
    from stats import analyze

    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 2, [[250, 280]] * 2,
                planned_looks=4, planned_units=20_000).to_dict()  # fmt: skip
    assert d["recommendation"]["action"] == "keep_running"
