"""Continuous metrics against scipy and statsmodels, given both ways."""

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.oneway import anova_generic
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from stats import StatsInputError, analyze, analyze_continuous_batch, combine_cells
from stats.bayes import normal_summaries


def raw_samples(seed, sizes, means, sds):
    rng = np.random.default_rng(seed)
    return [rng.normal(m, s, n) for n, m, s in zip(sizes, means, sds, strict=True)]


def from_raw(samples):
    n = [len(s) for s in samples]
    return n, [s.sum() for s in samples], [(s**2).sum() for s in samples]


def m2_of(units, sd):
    """M2, the sum of squared deviations, of a cell given its sample sd (n - 1)."""
    return (np.asarray(units, dtype=float) - 1.0) * np.asarray(sd, dtype=float) ** 2


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
    n = [[len(v) for v in samples]]
    m2 = m2_of(n, [[v.std(ddof=1) for v in samples]])
    by_mean_sd = analyze_continuous_batch(
        n, means=[[v.mean() for v in samples]], m2s=m2
    )
    assert by_mean_sd.p_value == pytest.approx(by_sums.p_value, rel=1e-8)
    assert by_mean_sd.difference_low == pytest.approx(by_sums.difference_low, rel=1e-8)
    ref = stats.ttest_ind_from_stats(
        samples[1].mean(), samples[1].std(ddof=1), len(samples[1]),
        samples[0].mean(), samples[0].std(ddof=1), len(samples[0]), equal_var=False,
    )  # fmt: skip
    assert by_mean_sd.p_value[0, 0] == pytest.approx(ref.pvalue, rel=1e-8)


def test_relative_lift_delta_method_by_hand():
    n = [[100, 120]]
    b = analyze_continuous_batch(n, means=[[10.0, 11.0]], m2s=m2_of(n, [[3.0, 4.0]]))
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
        negative = analyze_continuous_batch(
            [[10, 10, 10]], means=[[-2.0, 1.0, 3.0]], m2s=[[9.0, 9.0, 9.0]]
        )
    assert np.isnan(b.relative_lift[0, 0])
    assert np.isnan(b.relative_lift_low[0, 0]) and np.isnan(b.relative_lift_high[0, 0])
    ref = stats.ttest_ind_from_stats(1.0, 1.0, 10, 0.0, 1.0, 10, equal_var=False)
    assert b.p_value[0, 0] == pytest.approx(ref.pvalue, rel=1e-12)
    assert np.isnan(negative.relative_lift).all()
    assert np.isnan(negative.relative_lift_low).all()


def test_an_undefined_lift_leaves_the_other_rows_alone():
    n = np.array([[100, 120], [10, 10], [50, 0]])
    mean = np.array([[10.0, 11.0], [0.0, 1.0], [5.0, 0.0]])
    m2 = m2_of(n, [[3.0, 4.0], [1.0, 1.0], [2.0, 0.0]])
    together = analyze_continuous_batch(n, means=mean, m2s=m2)
    alone = analyze_continuous_batch(n[:1], means=mean[:1], m2s=m2[:1])
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


# Issue 7 section 3: a large mean with a small spread. The sums of squares of
# these cells (about 2e22) hold no digit of the variance (about 2e6).
BIG_N, BIG_MEAN, BIG_SD = 1_000_000, 1e8, 1.0


def big_cells():
    """Two sprints, two variants (means 1e8 and 1e8 + 0.01), sd 1, n 1e6 each."""
    n = np.full((2, 2), BIG_N)
    means = np.array([[BIG_MEAN, BIG_MEAN + 0.01]] * 2)
    return n, means, m2_of(n, np.full((2, 2), BIG_SD))


def exact_pooled_sd():
    """Two cells of n units, one mean and sd 1: sqrt(2 (n - 1) / (2 n - 1))."""
    return math.sqrt(2 * (BIG_N - 1) / (2 * BIG_N - 1))


def test_a_large_mean_keeps_its_small_sd_across_sprints():
    n, means, m2 = big_cells()
    d = analyze("continuous", ["A", "B"], n, means=means, m2s=m2).to_dict()
    sd = exact_pooled_sd()
    assert sd == pytest.approx(BIG_SD, rel=1e-6)  # two sprints of sd 1 pool to ~1
    for j, variant in enumerate(d["variants"]):
        assert variant["units"] == 2 * BIG_N
        assert variant["mean"] == means[0, j]
        assert variant["sd"] == pytest.approx(sd, rel=1e-9)
    ref = stats.ttest_ind_from_stats(
        means[0, 1], sd, 2 * BIG_N, means[0, 0], sd, 2 * BIG_N, equal_var=False
    )
    row = d["comparisons"][0]
    assert row["difference"] == means[0, 1] - means[0, 0]
    assert row["difference"] == pytest.approx(0.01, rel=1e-6)  # 1e8 + 0.01 rounds
    assert row["t"] == pytest.approx(ref.statistic, rel=1e-9)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)


def test_a_large_mean_keeps_its_small_sd_in_the_batch_and_the_looks():
    n, means, m2 = big_cells()
    one = analyze_continuous_batch(n[:1], means=means[:1], m2s=m2[:1])
    assert one.sd[0] == pytest.approx([BIG_SD, BIG_SD], rel=1e-9)
    ref = stats.ttest_ind_from_stats(
        means[0, 1], BIG_SD, BIG_N, means[0, 0], BIG_SD, BIG_N, equal_var=False
    )
    assert one.p_value[0, 0] == pytest.approx(ref.pvalue, rel=1e-9)
    d = analyze(
        "continuous", ["A", "B"], n, means=means, m2s=m2, planned_looks=2,
        planned_units=2 * BIG_N,
    ).to_dict()  # fmt: skip
    # Each look's z has the two-sided p of Welch's t on the cumulative cells.
    for look, units, sd in zip(
        d["looks"], (BIG_N, 2 * BIG_N), (BIG_SD, exact_pooled_sd()), strict=True
    ):
        p = stats.ttest_ind_from_stats(
            means[0, 1], sd, units, means[0, 0], sd, units, equal_var=False
        ).pvalue
        assert look["z"] == pytest.approx(stats.norm.isf(p / 2), rel=1e-9)


def random_cells(seed, sizes):
    rng = np.random.default_rng(seed)
    raw = [rng.normal(50.0, 3.0, size) for size in sizes]
    n = np.array(sizes, dtype=float)
    mean = np.array([r.mean() if r.size else 0.0 for r in raw])
    m2 = np.array([((r - r.mean()) ** 2).sum() if r.size else 0.0 for r in raw])
    return raw, n, mean, m2


def test_chans_combination_equals_numpy_on_the_concatenated_data():
    raw, n, mean, m2 = random_cells(7, [13, 1, 0, 250, 2, 97])
    cum_n, cum_mean, cum_m2 = combine_cells(n, mean, m2)
    for i in range(len(raw)):
        data = np.concatenate(raw[: i + 1])
        assert cum_n[i] == data.size
        assert cum_mean[i] == pytest.approx(data.mean(), rel=1e-12)
        assert cum_m2[i] / (data.size - 1) == pytest.approx(data.var(ddof=1), rel=1e-12)
    total = combine_cells(n, mean, m2, cumulative=False)
    assert [float(v) for v in total] == [cum_n[-1], cum_mean[-1], cum_m2[-1]]


def test_chans_combination_runs_along_the_given_axis():
    _, n, mean, m2 = random_cells(8, [5, 6, 7, 8, 9, 10])
    rows = combine_cells(n.reshape(3, 2), mean.reshape(3, 2), m2.reshape(3, 2))
    cols = combine_cells(n.reshape(2, 3).T, mean.reshape(2, 3).T, m2.reshape(2, 3).T)
    by_axis = combine_cells(
        n.reshape(2, 3), mean.reshape(2, 3), m2.reshape(2, 3), axis=1
    )
    for got, ref in zip(by_axis, cols, strict=True):
        np.testing.assert_array_equal(got, ref.T)
    assert rows[0].shape == (3, 2)


def test_combining_one_cell_is_the_identity():
    n, mean, m2 = np.array([[12.0, 3.0]]), np.array([[5.5, -2.0]]), np.array([[8.0, 1]])
    for got, ref in zip(combine_cells(n, mean, m2), (n, mean, m2), strict=True):
        np.testing.assert_array_equal(got, ref)


def test_cells_with_no_unit_or_one_unit_combine_without_warnings():
    n = np.array([0.0, 1.0, 0.0, 1.0])
    mean = np.array([0.0, 4.0, 0.0, 6.0])
    m2 = np.zeros(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cum_n, cum_mean, cum_m2 = combine_cells(n, mean, m2)
        b = analyze_continuous_batch([[0, 1]], means=[[0.0, 4.0]], m2s=[[0.0, 0.0]])
    np.testing.assert_array_equal(cum_n, [0, 1, 1, 2])
    np.testing.assert_array_equal(cum_mean, [0, 4, 4, 5])
    np.testing.assert_array_equal(cum_m2, [0, 0, 0, np.var([4.0, 6.0]) * 2])
    assert np.isnan(b.mean[0, 0]) and b.mean[0, 1] == 4.0
    assert np.isnan(b.sd).all()


def test_sums_and_means_give_the_same_figures_for_ordinary_data():
    samples = raw_samples(9, [40, 55], [20.0, 21.0], [4.0, 5.0])
    n, s, q = (np.array([v]) for v in from_raw(samples))
    by_sums = analyze_continuous_batch(n, s, q)
    by_means = analyze_continuous_batch(
        n,
        means=[[v.mean() for v in samples]],
        m2s=[[((v - v.mean()) ** 2).sum() for v in samples]],
    )
    assert by_means.p_value == pytest.approx(by_sums.p_value, rel=1e-9)
    assert by_means.sd == pytest.approx(by_sums.sd, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"means": [[1.0, 2.0]]}, "m2s"),
        ({"means": [[1.0, 2.0]], "m2s": [[1.0, -1.0]]}, "m2s"),
        ({"means": [[1.0]], "m2s": [[1.0, 1.0]]}, "means"),
        ({"means": [[1.0, 2.0]], "m2s": [[0.0, 1.0]], "sums": [[1.0, 2.0]]}, "sums"),
        ({"means": [[1.0, 2.0]], "m2s": [[0.0, 1.0]], "units": [[10, 1]]}, "m2s"),
    ],
)
def test_invalid_means_and_m2s_name_the_field(kwargs, field):
    with pytest.raises(StatsInputError) as err:
        analyze_continuous_batch(**{"units": [[10, 10]], **kwargs})
    assert err.value.field == field
