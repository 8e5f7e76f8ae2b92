"""Binomial figures against statsmodels, scipy and Newcombe (1998)."""

from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from stats import (
    adjust_p_values,
    analyze_binomial_batch,
    fisher_exact_p,
    newcombe_interval,
    wilson_interval,
)
from stats.bayes import beta_posteriors, posterior_summaries
from stats.multiple import critical_levels

# (control units, control conversions, challenger units, challenger conversions)
PAIRS = [
    pytest.param(1000, 50, 1000, 65, id="typical"),
    pytest.param(100, 0, 100, 7, id="control-0%"),
    pytest.param(100, 7, 100, 0, id="challenger-0%"),
    pytest.param(50, 50, 50, 41, id="control-100%"),
    pytest.param(50, 45, 50, 50, id="challenger-100%"),
    pytest.param(3, 1, 4, 3, id="tiny"),
    pytest.param(2_000_000, 100_000, 2_000_000, 100_900, id="two-million"),
    pytest.param(9000, 450, 1000, 61, id="9:1-split"),
    pytest.param(1000, 60, 9000, 500, id="1:9-split"),
]


def batch(n_c, x_c, n_t, x_t, **kw):
    return analyze_binomial_batch([[n_c, n_t]], [[x_c, x_t]], **kw)


@pytest.mark.parametrize(("n_c", "x_c", "n_t", "x_t"), PAIRS)
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_wilson_interval_matches_statsmodels(n_c, x_c, n_t, x_t, alpha):
    low, high = wilson_interval(np.array([x_c, x_t]), np.array([n_c, n_t]), alpha)
    ref = proportion_confint([x_c, x_t], [n_c, n_t], alpha=alpha, method="wilson")
    assert low == pytest.approx(ref[0], abs=1e-12)
    assert high == pytest.approx(ref[1], abs=1e-12)


@pytest.mark.parametrize(("n_c", "x_c", "n_t", "x_t"), PAIRS)
def test_newcombe_difference_interval_matches_statsmodels(n_c, x_c, n_t, x_t):
    b = batch(n_c, x_c, n_t, x_t)
    ref = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="newcomb")
    assert b.difference[0, 0] == pytest.approx(x_t / n_t - x_c / n_c, abs=1e-15)
    assert b.difference_low[0, 0] == pytest.approx(ref[0], abs=1e-12)
    assert b.difference_high[0, 0] == pytest.approx(ref[1], abs=1e-12)


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
# (hybrid score, no continuity correction): (x1, n1, x2, n2, lower, upper).
NEWCOMBE_1998 = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "lower", "upper"), NEWCOMBE_1998)
def test_newcombe_interval_reproduces_the_published_examples(
    x1, n1, x2, n2, lower, upper
):
    _, low, high = newcombe_interval(
        *(np.array(float(v)) for v in (x1, n1, x2, n2)), 0.05
    )
    assert round(float(low), 4) == pytest.approx(lower, abs=1e-12)
    assert round(float(high), 4) == pytest.approx(upper, abs=1e-12)


@pytest.mark.parametrize(("n_c", "x_c", "n_t", "x_t"), PAIRS)
def test_relative_lift_interval_is_the_katz_log_interval(n_c, x_c, n_t, x_t):
    b = batch(n_c, x_c, n_t, x_t)
    if x_c == 0:
        assert np.isnan(b.relative_lift[0, 0])
        return
    assert b.relative_lift[0, 0] == pytest.approx((x_t / n_t) / (x_c / n_c) - 1)
    if x_t == 0:
        assert np.isnan(b.relative_lift_low[0, 0])
        return
    ref = confint_proportions_2indep(x_t, n_t, x_c, n_c, compare="ratio", method="log")
    assert b.relative_lift_low[0, 0] + 1 == pytest.approx(ref[0], rel=1e-10)
    assert b.relative_lift_high[0, 0] + 1 == pytest.approx(ref[1], rel=1e-10)


def test_relative_lift_interval_by_hand():
    # 65/1000 vs 50/1000: log RR = ln 1.3, se = sqrt(0.935/65 + 0.95/50).
    b = batch(1000, 50, 1000, 65)
    se = np.sqrt(0.935 / 65 + 0.95 / 50)
    z = stats.norm.ppf(0.975)
    assert b.relative_lift_low[0, 0] == pytest.approx(1.3 * np.exp(-z * se) - 1)
    assert b.relative_lift_high[0, 0] == pytest.approx(1.3 * np.exp(z * se) - 1)


@pytest.mark.parametrize(("n_c", "x_c", "n_t", "x_t"), PAIRS)
def test_p_value_is_pooled_z_or_fisher_by_the_expected_count_rule(n_c, x_c, n_t, x_t):
    b = batch(n_c, x_c, n_t, x_t)
    table = np.array([[x_t, n_t - x_t], [x_c, n_c - x_c]])
    expected = chi2_contingency(table, correction=False).expected_freq
    if expected.min() < 5:
        assert b.fisher[0, 0]
        assert b.p_value[0, 0] == pytest.approx(fisher_exact(table).pvalue, rel=1e-9)
    else:
        assert not b.fisher[0, 0]
        z, p = proportions_ztest([x_t, x_c], [n_t, n_c])
        assert b.z[0, 0] == pytest.approx(z, rel=1e-10)
        assert b.p_value[0, 0] == pytest.approx(p, rel=1e-9)


def test_fisher_exact_matches_scipy_on_random_small_tables():
    rng = np.random.default_rng(7)
    n = rng.integers(1, 40, (400, 2)).astype(float)
    x = np.floor(n * rng.random((400, 2)))
    p = fisher_exact_p(x[:, 1], n[:, 1], x[:, 0], n[:, 0])
    ref = [
        fisher_exact(
            [[x[i, 1], n[i, 1] - x[i, 1]], [x[i, 0], n[i, 0] - x[i, 0]]]
        ).pvalue
        for i in range(400)
    ]
    assert p == pytest.approx(ref, abs=1e-12)


def test_fisher_exact_with_two_million_units_and_three_conversions():
    p = fisher_exact_p([3.0], [2e6], [0.0], [2e6])
    ref = fisher_exact([[3, 2e6 - 3], [0, 2e6]]).pvalue
    assert p[0] == pytest.approx(ref, rel=1e-9)


def exact_fisher(x_t, n_t, x_c, n_c):
    """Two-sided Fisher p-value in exact rational arithmetic (small supports)."""
    conv, total = x_t + x_c, n_t + n_c
    k_min, k_max = max(0, n_t - (total - conv)), min(n_t, conv)
    weights = [Fraction(1)]
    for k in range(k_min, k_max):
        ratio = Fraction((conv - k) * (n_t - k), (k + 1) * (total - conv - n_t + k + 1))
        weights.append(weights[-1] * ratio)
    observed = weights[x_t - k_min]
    extreme = sum(w for w in weights if w <= observed)
    return float(extreme / sum(weights))


@pytest.mark.parametrize(
    ("x_t", "n_t", "x_c", "n_c"),
    [
        pytest.param(3, 10**12, 0, 10**12, id="3-vs-0-of-10^12"),
        pytest.param(0, 10**12, 7, 10**12, id="0-vs-7-of-10^12"),
        pytest.param(2, 10**12, 5, 3 * 10**11, id="uneven-10^12"),
        pytest.param(4, 10**12 - 1, 1, 10**9, id="10^12-vs-10^9"),
        pytest.param(9, 10**12, 9, 10**12, id="tie-10^12"),
        pytest.param(12, 20, 3, 20, id="small"),
    ],
)
def test_fisher_exact_is_exact_at_a_trillion_units(x_t, n_t, x_c, n_c):
    p = fisher_exact_p([float(x_t)], [float(n_t)], [float(x_c)], [float(n_c)])
    assert p[0] == pytest.approx(exact_fisher(x_t, n_t, x_c, n_c), rel=1e-12)


def test_three_of_a_trillion_against_none_is_one_quarter():
    # Four tables (0..3 conversions on the challenger), binomial(3, 1/2) up to
    # 1e-12: P(3) + P(0) = 1/8 + 1/8. log-gamma of 10^12 gave 0.24935.
    p = fisher_exact_p([3.0], [1e12], [0.0], [1e12])
    assert p[0] == pytest.approx(0.25, abs=1e-11)


@pytest.mark.parametrize(
    ("units", "conversions"),
    [
        pytest.param([1000, 1000, 1000], [50, 60, 75], id="3-variants"),
        pytest.param([500, 520, 480, 510, 490], [20, 31, 25, 40, 22], id="5-variants"),
        pytest.param([9000, 500, 500], [450, 30, 20], id="uneven"),
        pytest.param([2_000_000] * 3, [100_000, 100_500, 99_800], id="two-million"),
    ],
)
def test_omnibus_chi_square_matches_scipy(units, conversions):
    b = analyze_binomial_batch([units], [conversions])
    n, x = np.array(units), np.array(conversions)
    ref = chi2_contingency(np.column_stack([x, n - x]), correction=False)
    assert b.omnibus_statistic[0] == pytest.approx(ref.statistic, rel=1e-10)
    assert b.omnibus_p_value[0] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
    assert b.omnibus_dof == ref.dof


def test_omnibus_is_undefined_when_nobody_converted():
    b = analyze_binomial_batch([[100, 100, 100]], [[0, 0, 0]])
    assert np.isnan(b.omnibus_statistic[0]) and np.isnan(b.omnibus_p_value[0])


def test_omnibus_is_not_computed_for_two_variants():
    assert np.isnan(batch(100, 5, 100, 9).omnibus_statistic[0])


@pytest.mark.parametrize("method", ["holm", "bh"])
def test_adjusted_p_values_match_multipletests(method):
    rng = np.random.default_rng(3)
    p = rng.random((12, 5)) ** 3
    sm = {"holm": "holm", "bh": "fdr_bh"}[method]
    ours = adjust_p_values(p, method)
    for row, adj in zip(p, ours, strict=True):
        assert adj == pytest.approx(multipletests(row, method=sm)[1], abs=1e-14)


@pytest.mark.parametrize("method", ["holm", "bh"])
def test_critical_levels_reject_exactly_what_multipletests_rejects(method):
    rng = np.random.default_rng(11)
    p = rng.random((60, 4)) ** 4  # rows with some, all or no rejections
    sm = {"holm": "holm", "bh": "fdr_bh"}[method]
    levels = critical_levels(p, 0.05, method)
    adjusted = adjust_p_values(p, method)
    for row, level, adj in zip(p, levels, adjusted, strict=True):
        reject = multipletests(row, alpha=0.05, method=sm)[0]
        assert list(row < level) == list(reject)
        assert list(adj < 0.05) == list(reject)


@pytest.mark.parametrize(
    ("method", "p", "levels"),
    [
        # Holm: 0.02 fails its step 0.05/3, so every rank is held to 0.05/3 (the
        # raw 0.024 is below its own step 0.05/2 but not significant).
        ("holm", [0.02, 0.024, 0.5], [0.05 / 3] * 3),
        ("holm", [0.001, 0.02, 0.04], [0.05 / 3, 0.05 / 2, 0.05]),
        ("holm", [0.04, 0.001, 0.3], [0.05 / 2, 0.05 / 3, 0.05 / 2]),
        # BH: ranks up to the largest passing rank k get k alpha / m.
        ("bh", [0.001, 0.03, 0.2], [0.1 / 3, 0.1 / 3, 0.05]),
        ("bh", [0.01, 0.04, 0.03], [0.05, 0.05, 0.05]),
        ("bh", [0.02, 0.04, 0.9], [0.05 / 3, 0.1 / 3, 0.05]),
    ],
)
def test_critical_levels_by_hand(method, p, levels):
    assert critical_levels(np.array([p]), 0.05, method)[0] == pytest.approx(
        levels, rel=1e-12
    )


def test_critical_levels_leave_undefined_p_values_out_of_the_family():
    levels = critical_levels(np.array([[0.01, np.nan, 0.04]]), 0.05, "holm")
    assert np.isnan(levels[0, 1])
    assert levels[0, [0, 2]] == pytest.approx([0.025, 0.05])


def test_adjusted_p_values_leave_undefined_ones_out_of_the_family():
    ours = adjust_p_values(np.array([[0.01, np.nan, 0.04]]), "holm")
    ref = multipletests([0.01, 0.04], method="holm")[1]
    assert np.isnan(ours[0, 1])
    assert ours[0, [0, 2]] == pytest.approx(ref)


def test_batch_applies_holm_across_the_challengers():
    b = analyze_binomial_batch([[1000, 1000, 1000, 1000]], [[50, 70, 62, 80]])
    ref = multipletests(b.p_value[0], method="holm")[1]
    assert b.p_value_adjusted[0] == pytest.approx(ref, abs=1e-15)


def test_empty_variants_give_undefined_figures():
    b = batch(0, 0, 0, 0)
    assert np.isnan(b.rate).all() and np.isnan(b.difference).all()
    assert np.isnan(b.p_value).all() and np.isnan(b.z).all()
    # No data: both posteriors are uniform.
    assert b.chance_to_beat_control[0, 0] == pytest.approx(0.5, abs=1e-12)
    assert b.expected_loss[0, 0] == pytest.approx(1 / 6, abs=1e-12)


def test_everybody_converting_on_both_sides_has_no_z_and_no_lift_interval():
    b = batch(10, 10, 10, 10)
    assert np.isnan(b.z[0, 0]) and np.isnan(b.relative_lift_low[0, 0])
    assert b.fisher[0, 0]
    assert b.p_value[0, 0] == 1.0


def test_batch_rows_are_independent():
    rows = [(1000, 50, 1000, 65), (100, 0, 100, 7), (2_000_000, 100_000, 2e6, 100_900)]
    together = analyze_binomial_batch(
        [[r[0], r[2]] for r in rows], [[r[1], r[3]] for r in rows]
    )
    for i, r in enumerate(rows):
        alone = batch(*r)
        assert together.p_value[i] == pytest.approx(alone.p_value[0], rel=1e-12)
        assert together.chance_to_beat_control[i] == pytest.approx(
            alone.chance_to_beat_control[0], abs=1e-12
        )


# ------------------------------------------------------------------ Bayesian


def quad_pair(n_c, x_c, n_t, x_t):
    c = stats.beta(1 + x_c, 1 + n_c - x_c)
    t = stats.beta(1 + x_t, 1 + n_t - x_t)
    lo = min(c.ppf(1e-13), t.ppf(1e-13))
    hi = max(c.isf(1e-13), t.isf(1e-13))
    pts = [c.mean(), t.mean()]
    beat = integrate.quad(
        lambda v: c.pdf(v) * t.sf(v), lo, hi, points=pts, limit=500, epsabs=1e-13
    )[0]
    # E[(p_c - p_t)+] = int f_t(y) int_y^1 (x - y) f_c(x) dx dy
    inner = lambda y: integrate.quad(  # noqa: E731
        lambda v: (v - y) * c.pdf(v), y, hi, epsabs=1e-14
    )[0]
    loss = integrate.quad(
        lambda y: t.pdf(y) * inner(y), lo, hi, points=pts, limit=200, epsabs=1e-14
    )[0]
    return beat, loss


@pytest.mark.parametrize(("n_c", "x_c", "n_t", "x_t"), PAIRS)
def test_chance_to_beat_and_expected_loss_match_quad(n_c, x_c, n_t, x_t):
    b = batch(n_c, x_c, n_t, x_t)
    beat, loss = quad_pair(n_c, x_c, n_t, x_t)
    assert b.chance_to_beat_control[0, 0] == pytest.approx(beat, abs=1e-7)
    assert b.expected_loss[0, 0] == pytest.approx(loss, abs=1e-9, rel=1e-6)


def test_lower_is_better_flips_the_bayesian_figures():
    up = batch(1000, 50, 1000, 65)
    down = batch(1000, 50, 1000, 65, higher_is_better=False)
    assert down.chance_to_beat_control[0, 0] == pytest.approx(
        1 - up.chance_to_beat_control[0, 0], abs=1e-10
    )
    # Loss of choosing the challenger when lower is better: E[(p_t - p_c)+].
    _, loss_reversed = quad_pair(1000, 65, 1000, 50)
    assert down.expected_loss[0, 0] == pytest.approx(loss_reversed, rel=1e-6)


def quad_best(units, conversions):
    post = [
        stats.beta(1 + x, 1 + n - x) for n, x in zip(units, conversions, strict=True)
    ]
    out = []
    for j, d in enumerate(post):
        others = [p for k, p in enumerate(post) if k != j]
        out.append(
            integrate.quad(
                lambda v, d=d, others=others: (
                    d.pdf(v) * np.prod([o.cdf(v) for o in others])
                ),
                d.ppf(1e-13),
                d.isf(1e-13),
                points=[d.mean()],
                limit=500,
                epsabs=1e-13,
            )[0]
        )
    return out


@pytest.mark.parametrize(
    ("units", "conversions"),
    [
        pytest.param([1000, 1000, 1000], [50, 60, 55], id="3-variants"),
        pytest.param([1000, 9000, 9000], [100, 800, 810], id="uneven-widths"),
        pytest.param([100, 9000, 100], [10, 900, 5], id="very-uneven"),
        pytest.param(
            [2_000_000] * 5,
            [100_000, 100_500, 100_900, 99_000, 100_100],
            id="5-variants-two-million",
        ),  # fmt: skip
        pytest.param([5, 5, 5], [0, 1, 2], id="tiny"),
        pytest.param([0, 0, 0], [0, 0, 0], id="empty"),
    ],
)
def test_chance_to_be_best_matches_quad(units, conversions):
    b = analyze_binomial_batch([units], [conversions])
    assert b.chance_to_be_best[0] == pytest.approx(
        quad_best(units, conversions), abs=1e-7
    )
    assert b.chance_to_be_best[0].sum() == pytest.approx(1.0, abs=1e-7)


def test_bayesian_figures_hold_for_very_narrow_posteriors():
    # 2e6 units per arm: posteriors have sd ~1.5e-4; quadrature must still agree.
    a, bb = beta_posteriors(np.array([[2e6, 2e6]]), np.array([[100_000.0, 100_600.0]]))
    beat, loss, best = posterior_summaries(a, bb)
    ref_beat, ref_loss = quad_pair(2_000_000, 100_000, 2_000_000, 100_600)
    assert beat[0, 0] == pytest.approx(ref_beat, abs=1e-7)
    assert loss[0, 0] == pytest.approx(ref_loss, rel=1e-5, abs=1e-12)
    assert best[0] == pytest.approx([1 - ref_beat, ref_beat], abs=1e-7)


def _uneven_batch(rows, n_var, seed):
    rng = np.random.default_rng(seed)
    units = rng.integers(50, 20_000, (rows, n_var)).astype(float)
    units[::3, 1] *= 9  # every third row very uneven (the panelled rule)
    units[::7] = 0.0  # and some rows empty
    rates = rng.uniform(0.01, 0.3, (rows, 1)) * rng.uniform(0.8, 1.2, (rows, n_var))
    return units, rng.binomial(units.astype(np.int64), rates).astype(float)


def test_bayesian_figures_are_computed_in_blocks_with_identical_results(monkeypatch):
    import stats.bayes as bayes

    # Small blocks keep the test quick; the rows fill two blocks and part of a third.
    monkeypatch.setattr(bayes, "BLOCK_ROWS", 50)
    units, conversions = _uneven_batch(bayes.BLOCK_ROWS * 2 + 23, 3, 5)
    a, b = beta_posteriors(units, conversions)
    blocked = posterior_summaries(a, b)
    monkeypatch.setattr(bayes, "BLOCK_ROWS", 10**9)  # the whole batch at once
    whole = posterior_summaries(a, b)
    for got, ref in zip(blocked, whole, strict=True):
        np.testing.assert_array_equal(got, ref)
    # Rows stay independent of the block they fall in.
    single = posterior_summaries(a[-1:], b[-1:])
    for got, ref in zip(single, whole, strict=True):
        np.testing.assert_array_equal(got[0], ref[-1])


def test_bayesian_memory_does_not_grow_with_the_batch(monkeypatch):
    import tracemalloc

    import stats.bayes as bayes

    # raising=False: before blocks existed this set an unused name.
    monkeypatch.setattr(bayes, "BLOCK_ROWS", 25, raising=False)
    peaks = []
    for rows in (100, 400):  # 4 and 16 blocks
        units, conversions = _uneven_batch(rows, 5, 7)
        a, b = beta_posteriors(units, conversions)
        tracemalloc.start()
        posterior_summaries(a, b)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # (rows, V, V, nodes) at once would need 4x the memory for 4x the rows.
    assert peaks[1] < 1.3 * peaks[0]
