"""Always-valid p-values and confidence sequences (normal-mixture SPRT)."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from stats import (
    StatsInputError,
    always_valid,
    always_valid_binomial,
    always_valid_continuous,
)
from stats.simulation import always_valid_rate, naive_rate, simulate_counts


def mixture_ratio_by_integration(d: float, v: float, tau2: float) -> float:
    """Lambda = integral of N(d; theta, v) / N(d; 0, v) over theta ~ N(0, tau2)."""

    def integrand(theta: float) -> float:
        ratio = math.exp((d * theta - theta * theta / 2.0) / v)
        return ratio * stats.norm.pdf(theta, 0.0, math.sqrt(tau2))

    sd = math.sqrt(tau2)
    return integrate.quad(integrand, -12 * sd, 12 * sd, epsabs=0, limit=200)[0]


def direct_p_value(d: float, v: float, n_eff: float, alpha: float, tuned: float):
    """Waudby-Smith's rho for the tuned effective units; tau^2 = rho^2 V n_eff."""
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuned
    return min(1.0, 1.0 / mixture_ratio_by_integration(d, v, rho2 * v * n_eff))


def test_p_values_match_a_direct_integration_of_the_mixture():
    n = np.array([[400, 420], [1500, 1480], [4000, 4010]], dtype=float)
    x = np.array([[20, 31], [75, 101], [200, 282]], dtype=float)
    result = always_valid_binomial(n, x, tuned_units_per_variant=4000)
    p_look = []
    for (nc, nt), (xc, xt) in zip(n, x, strict=True):
        pc, pt = xc / nc, xt / nt
        v = pc * (1 - pc) / nc + pt * (1 - pt) / nt
        p_look.append(direct_p_value(pt - pc, v, nc * nt / (nc + nt), 0.05, 2000))
    expected = np.minimum.accumulate(p_look)
    assert result.p_value[:, 0, 0] == pytest.approx(expected, rel=1e-6)
    assert result.p_value[-1, 0, 0] < 0.05 and result.significant[-1, 0, 0]


def test_the_interval_is_where_the_ratio_stays_below_one_over_alpha():
    """At the interval's edge, Lambda of (d - edge) is exactly 1 / alpha."""
    d, v, n_eff = 0.012, 2.1e-5, 2500.0
    result = always_valid([d], [v], [n_eff], 0.05, 5000)
    rho2 = (2 * math.log(20) + math.log1p(2 * math.log(20))) / 2500
    edge = d - result.lower[0]
    assert mixture_ratio_by_integration(edge, v, rho2 * v * n_eff) == pytest.approx(
        20.0, rel=1e-6
    )
    assert result.upper[0] - d == pytest.approx(edge)


def test_significant_exactly_when_an_interval_excluded_zero():
    rng = np.random.default_rng(3)
    units, conversions = simulate_counts(rng, 2000, np.arange(1, 9) * 800, 0.1, 0.12)
    result = always_valid_binomial(units, conversions)
    excluded = (result.lower > 0) | (result.upper < 0)
    assert np.array_equal(result.significant, excluded)
    assert np.all(np.diff(result.p_value, axis=0) <= 0)
    assert np.all(np.diff(result.upper - result.lower, axis=0) <= 0)


def test_the_interval_is_wider_than_the_fixed_sample_one():
    """At the tuned size r = L + ln(1 + L), L = 2 ln(1/alpha): |z| 3.035 vs 1.96."""
    result = always_valid([0.0], [1.0], [2500.0], 0.05, 5000)
    big_l = 2 * math.log(20)
    r = big_l + math.log1p(big_l)
    expected = math.sqrt((1 + r) / r * (big_l + math.log1p(r)))
    assert (
        result.z_boundary[0]
        == pytest.approx(expected)
        == pytest.approx(3.0352, abs=1e-4)
    )


@pytest.mark.parametrize(
    "units,conversions,p",
    [
        ([[100, 100]], [[0, 0]], None),  # nobody converted: no difference to test
        ([[100, 100]], [[100, 100]], None),  # everybody converted
        ([[1, 1]], [[0, 1]], 0.99921),  # one unit each: pooled variance 1/2
    ],
)
def test_degenerate_tables(units, conversions, p):
    result = always_valid_binomial(units, conversions)
    if p is None:
        assert math.isnan(result.p_value[0, 0, 0])
        assert math.isnan(result.lower[0, 0, 0]) and not result.significant[0, 0, 0]
    else:
        assert result.p_value[0, 0, 0] == pytest.approx(p, abs=1e-5)


def test_zero_against_everybody_uses_the_pooled_variance():
    result = always_valid_binomial([[500, 500]], [[0, 500]])
    half = math.sqrt(0.25 * 2 / 500) * result.z_boundary[0, 0, 0]
    assert result.lower[0, 0, 0] == pytest.approx(1 - half)
    assert result.p_value[0, 0, 0] < 1e-90


def test_huge_samples_stay_finite():
    n = [[2e9, 2e9]]
    result = always_valid_binomial(n, [[1e8, 1.0001e8]])
    assert np.isfinite(result.p_value).all() and np.isfinite(result.lower).all()


def test_many_variants_share_alpha_by_bonferroni():
    units = np.full((1, 20), 5000.0)
    conversions = np.full((1, 20), 250.0)
    conversions[0, 5] = 330
    many = always_valid_binomial(units, conversions)
    two = always_valid_binomial(units[:, [0, 5]], conversions[:, [0, 5]])
    assert many.p_value_adjusted[0, 0, 4] == pytest.approx(
        min(1.0, 19 * many.p_value[0, 0, 4])
    )
    width = many.upper - many.lower
    assert width[0, 0, 4] > (two.upper - two.lower)[0, 0, 0]
    assert many.significant[0, 0, 4] == (many.lower[0, 0, 4] > 0)


def test_continuous_uses_the_welch_variance():
    m2 = [[999 * 4.0**2, 999 * 5.0**2]]  # M2 = (n - 1) sd^2
    result = always_valid_continuous(
        [[1000, 1000]], means=[[10.0, 10.5]], m2s=m2, tuned_units_per_variant=1000
    )
    v = 16 / 1000 + 25 / 1000
    expected = direct_p_value(0.5, v, 500, 0.05, 500)
    assert result.p_value[0, 0, 0] == pytest.approx(expected, rel=1e-6)


def test_tuning_must_be_positive():
    with pytest.raises(StatsInputError) as error:
        always_valid_binomial([[10, 10]], [[1, 2]], tuned_units_per_variant=0)
    assert error.value.field == "tuned_units_per_variant"


def test_peeking_at_every_sprint_holds_the_false_positive_rate():
    """A/A, 20 sprints of 500 units per variant, 20,000 experiments: the naive
    p < 5% at any sprint is far above 5%; the always-valid one stays below."""
    rng = np.random.default_rng(11)
    units, conversions = simulate_counts(
        rng, 20_000, np.arange(1, 21) * 500, 0.05, 0.05
    )
    naive = naive_rate(units, conversions)
    valid = always_valid_rate(units, conversions, 0.05, 5000)
    assert naive.rate > 0.15
    assert valid.rate <= 0.05 + 2 * valid.se
