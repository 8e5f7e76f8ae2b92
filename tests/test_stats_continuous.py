"""Continuous metrics against scipy and statsmodels, given both ways."""

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.oneway import anova_generic
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from stats import StatsInputError, analyze_continuous_batch, sufficient_from_mean_sd
from stats.bayes import normal_summaries


def raw_samples(seed, sizes, means, sds):
    rng = np.random.default_rng(seed)
    return [rng.normal(m, s, n) for n, m, s in zip(sizes, means, sds, strict=True)]


def from_raw(samples):
    n = [len(s) for s in samples]
    return n, [s.sum() for s in samples], [(s**2).sum() for s in samples]


CASES = [
    pytest.param(1, [200, 220], [100.0, 108.0], [30.0, 45.0], id="revenue"),
    pytest.param(2, [5, 4], [3.0, 4.5], [1.0, 2.0], id="tiny"),
    pytest.param(3, [900, 100], [50.0, 47.0], [10.0, 12.0], id="9:1-split"),
    pytest.param(4, [60, 70, 65], [20.0, 22.0, 19.0], [5.0, 6.0, 4.0], id="3-variants"),
]


@pytest.mark.parametrize(("seed", "sizes", "means", "sds"), CASES)
def test_welch_test_and_interval_match_statsmodels(seed, sizes, means, sds):
    samples = raw_samples(seed, sizes, means, sds)
    b = analyze_continuous_batch(*(np.array([v]) for v in from_raw(samples)))
    for j in range(1, len(samples)):
        ref_t, ref_p = stats.ttest_ind(samples[j], samples[0], equal_var=False)
        cm = CompareMeans(DescrStatsW(samples[j]), DescrStatsW(samples[0]))
        low, high = cm.tconfint_diff(usevar="unequal")
        assert b.t[0, j - 1] == pytest.approx(ref_t, rel=1e-9)
        assert b.p_value[0, j - 1] == pytest.approx(ref_p, rel=1e-9)
        assert b.difference_low[0, j - 1] == pytest.approx(low, rel=1e-9)
        assert b.difference_high[0, j - 1] == pytest.approx(high, rel=1e-9)
    for j, s in enumerate(samples):
        assert b.mean[0, j] == pytest.approx(s.mean(), rel=1e-12)
        assert b.sd[0, j] == pytest.approx(s.std(ddof=1), rel=1e-9)
        lo, hi = DescrStatsW(s).tconfint_mean()
        assert [b.mean_low[0, j], b.mean_high[0, j]] == pytest.approx([lo, hi])


@pytest.mark.parametrize(("seed", "sizes", "means", "sds"), CASES)
def test_mean_and_sd_input_gives_the_same_results(seed, sizes, means, sds):
    samples = raw_samples(seed, sizes, means, sds)
    by_sums = analyze_continuous_batch(*(np.array([v]) for v in from_raw(samples)))
    n, s, q = sufficient_from_mean_sd(
        [[len(v) for v in samples]],
        [[v.mean() for v in samples]],
        [[v.std(ddof=1) for v in samples]],
    )
    by_mean_sd = analyze_continuous_batch(n, s, q)
    assert by_mean_sd.p_value == pytest.approx(by_sums.p_value, rel=1e-8)
    assert by_mean_sd.difference_low == pytest.approx(by_sums.difference_low, rel=1e-8)
    ref = stats.ttest_ind_from_stats(
        samples[1].mean(), samples[1].std(ddof=1), len(samples[1]),
        samples[0].mean(), samples[0].std(ddof=1), len(samples[0]), equal_var=False,
    )  # fmt: skip
    assert by_mean_sd.p_value[0, 0] == pytest.approx(ref.pvalue, rel=1e-8)


def test_sufficient_from_mean_sd_uses_the_sample_sd():
    n, s, q = sufficient_from_mean_sd([4], [2.0], [1.0])
    values = np.array([1.0, 2.0, 2.0, 3.0]) * np.sqrt(1.5) + 2 - 2 * np.sqrt(1.5)
    assert values.std(ddof=1) == pytest.approx(1.0)
    assert (n[0], s[0], q[0]) == pytest.approx((4, values.sum(), (values**2).sum()))


def test_relative_lift_delta_method_by_hand():
    n, s, q = sufficient_from_mean_sd([[100, 120]], [[10.0, 11.0]], [[3.0, 4.0]])
    b = analyze_continuous_batch(n, s, q)
    se_c2, se_t2 = 9 / 100, 16 / 120
    se = np.sqrt(se_t2 + 1.1**2 * se_c2) / 10
    z = stats.norm.ppf(0.975)
    assert b.relative_lift[0, 0] == pytest.approx(0.1)
    assert b.relative_lift_low[0, 0] == pytest.approx(0.1 - z * se)
    assert b.relative_lift_high[0, 0] == pytest.approx(0.1 + z * se)


def test_relative_lift_undefined_when_control_mean_is_zero():
    b = analyze_continuous_batch([[10, 10]], [[0.0, 5.0]], [[0.0, 9.0]])
    assert np.isnan(b.relative_lift[0, 0])
    assert np.isfinite(b.p_value[0, 0])  # the difference is still tested


def test_relative_lift_with_a_zero_control_mean_and_spread_raises_no_warning():
    # Control mean 0 with sd 1: the ratio is inf and inf - inf used to raise a
    # RuntimeWarning (an error under filterwarnings=error) in the lift interval.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = analyze_continuous_batch([[10, 10]], [[0, 10]], [[9, 19]])
        n, s, q = sufficient_from_mean_sd([[10, 10, 10]], [[-2.0, 1.0, 3.0]], [[1.0]])
        negative = analyze_continuous_batch(n, s, q)
    assert np.isnan(b.relative_lift[0, 0])
    assert np.isnan(b.relative_lift_low[0, 0]) and np.isnan(b.relative_lift_high[0, 0])
    ref = stats.ttest_ind_from_stats(1.0, 1.0, 10, 0.0, 1.0, 10, equal_var=False)
    assert b.p_value[0, 0] == pytest.approx(ref.pvalue, rel=1e-12)
    assert np.isnan(negative.relative_lift).all()
    assert np.isnan(negative.relative_lift_low).all()


def test_an_undefined_lift_leaves_the_other_rows_alone():
    n, s, q = sufficient_from_mean_sd(
        [[100, 120], [10, 10], [50, 0]], [[10.0, 11.0], [0.0, 1.0], [5.0, 0.0]],
        [[3.0, 4.0], [1.0, 1.0], [2.0, 0.0]],
    )  # fmt: skip
    together = analyze_continuous_batch(n, s, q)
    alone = analyze_continuous_batch(n[:1], s[:1], q[:1])
    assert together.relative_lift_low[0, 0] == alone.relative_lift_low[0, 0]
    assert np.isnan(together.relative_lift[1:]).all()


def test_normal_posterior_figures_are_computed_in_blocks(monkeypatch):
    import stats.bayes as bayes

    rng = np.random.default_rng(4)
    rows = bayes.BLOCK_ROWS * 2 + 17
    mean = rng.normal(10, 1, (rows, 4))
    se = rng.uniform(0.1, 1.0, (rows, 4))
    se[::5, 2] *= 5  # uneven widths: the panelled rule
    se[::11, 0] = np.nan  # undefined rows
    blocked = normal_summaries(mean, se)
    monkeypatch.setattr(bayes, "BLOCK_ROWS", 10**9)
    whole = normal_summaries(mean, se)
    for got, ref in zip(blocked, whole, strict=True):
        np.testing.assert_array_equal(got, ref)


def test_welch_anova_matches_statsmodels():
    samples = raw_samples(
        5, [40, 50, 45, 60, 30], [10, 11, 9, 10.5, 12], [2, 3, 2, 4, 3]
    )
    b = analyze_continuous_batch(*(np.array([v]) for v in from_raw(samples)))
    ref = anova_generic(
        np.array([s.mean() for s in samples]),
        np.array([s.var(ddof=1) for s in samples]),
        np.array([len(s) for s in samples]),
        use_var="unequal",
    )
    assert b.omnibus_statistic[0] == pytest.approx(ref.statistic, rel=1e-9)
    assert b.omnibus_p_value[0] == pytest.approx(ref.pvalue, rel=1e-9)
    assert b.omnibus_dof_denominator[0] == pytest.approx(ref.df[1], rel=1e-9)


def test_too_few_units_give_undefined_figures():
    b = analyze_continuous_batch([[1, 0]], [[5.0, 0.0]], [[25.0, 0.0]])
    assert np.isnan(b.sd).all() and np.isnan(b.p_value).all()
    assert np.isnan(b.chance_to_beat_control).all()


def normal_pdf(mean: float, sd: float):
    """The normal density as a plain function of one float (the textbook formula)."""
    scale = 1.0 / (sd * math.sqrt(2.0 * math.pi))
    return lambda v: scale * math.exp(-0.5 * ((v - mean) / sd) ** 2)


def test_normal_posterior_figures_match_quad():
    mean = np.array([[10.0, 10.4, 9.9]])
    se = np.array([[0.3, 0.2, 0.5]])
    beat, loss, best = normal_summaries(mean, se)
    post = [stats.norm(m, s) for m, s in zip(mean[0], se[0], strict=True)]
    ref_beat = integrate.quad(lambda v: post[0].pdf(v) * post[1].sf(v), 5, 15)[0]
    # E[(X0 - X1)+]: the inner integral stops at y = x instead of integrating the
    # kink of max(x - y, 0), and the densities are written out, as scipy's frozen
    # pdf costs ~50 us a point (the kinked form took ~20 s here).
    pdf0, pdf1 = (normal_pdf(mean[0, j], se[0, j]) for j in (0, 1))
    ref_loss = integrate.dblquad(
        lambda y, x: (x - y) * pdf0(x) * pdf1(y), 7, 13, 7, lambda x: x
    )[0]
    assert beat[0, 0] == pytest.approx(ref_beat, abs=1e-9)
    assert loss[0, 0] == pytest.approx(ref_loss, abs=1e-7)
    for j in range(3):
        others = [p for k, p in enumerate(post) if k != j]
        ref = integrate.quad(
            lambda v, j=j, o=others: post[j].pdf(v) * o[0].cdf(v) * o[1].cdf(v), 5, 15
        )[0]
        assert best[0, j] == pytest.approx(ref, abs=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"units": [[10, 10]], "sums": [[1.0]], "sum_squares": [[1.0, 1.0]]}, "sums"),
        ({"units": [[10, -1]], "sums": [[1.0, 1]], "sum_squares": [[1, 1]]}, "units"),
        (
            {"units": [[10, 10]], "sums": [[10.0, 10]], "sum_squares": [[1, 20]]},
            "sum_squares",
        ),  # fmt: skip
    ],
)
def test_invalid_sufficient_statistics_name_the_field(kwargs, field):
    with pytest.raises(StatsInputError) as err:
        analyze_continuous_batch(**kwargs)
    assert err.value.field == field
