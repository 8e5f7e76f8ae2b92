"""Bayesian figures of binomial metrics against scipy.integrate.quad and closed forms.

The references integrate scipy.stats.beta densities and distribution functions
(boost's incomplete beta) with adaptive quadrature, with break points at every
posterior's mean and +-4, +-8 standard deviations, so that narrow posteriors far
apart are not stepped over.
"""

import numpy as np
import pytest
from scipy import integrate, stats

from stats import analyze_binomial_batch
from stats.bayes import beta_posteriors, posterior_summaries

# The issue's target: every figure within 1e-7, the chances to be best summing
# to 1 within 1e-9.
FIGURE_TOLERANCE = 1e-7
SUM_TOLERANCE = 1e-9


def _posteriors(units, conversions):
    return [
        stats.beta(1.0 + x, 1.0 + n - x)
        for n, x in zip(units, conversions, strict=True)
    ]


def _quad(fn, posts):
    """int fn over the union of the posteriors' supports, split at break points."""
    lo = min(p.ppf(1e-14) for p in posts)
    hi = max(p.isf(1e-14) for p in posts)
    cuts = {lo, hi}
    for p in posts:
        for k in (-8, -4, -2, 0, 2, 4, 8):
            cuts.add(min(max(p.mean() + k * p.std(), lo), hi))
    edges = sorted(cuts)
    return sum(
        integrate.quad(fn, left, right, epsabs=1e-13, epsrel=1e-10, limit=200)[0]
        for left, right in zip(edges[:-1], edges[1:], strict=True)
    )


def reference(units, conversions):
    """(chance to beat, expected loss, chance to be best) by quad."""
    posts = _posteriors(units, conversions)
    best = [
        _quad(
            lambda v, j=j: (
                posts[j].pdf(v)
                * np.prod([p.cdf(v) for k, p in enumerate(posts) if k != j])
            ),
            posts,
        )
        for j in range(len(posts))
    ]
    c = posts[0]
    beat, loss = [], []
    for t in posts[1:]:
        beat.append(_quad(lambda v, t=t: t.pdf(v) * c.cdf(v), posts))
        # E[(x - T)+] = x F_T(x) - E[T] F_T'(x), T' ~ Beta(a_T + 1, b_T).
        a_t, b_t = t.args
        plus = stats.beta(a_t + 1, b_t)
        loss.append(
            _quad(
                lambda v, t=t, plus=plus: (
                    c.pdf(v) * (v * t.cdf(v) - t.mean() * plus.cdf(v))
                ),
                posts,
            )
        )
    return np.array(beat), np.array(loss), np.array(best)


CASES = [
    pytest.param([24222, 20790, 20255], [0, 224, 215], id="issue-7-far-and-narrow"),
    pytest.param([10**12, 10**12], [5 * 10**10, 5 * 10**10 + 400_000], id="10^12"),
    pytest.param([10**12, 1000], [5 * 10**10, 50], id="10^12-vs-1000"),
    pytest.param([100, 10**9, 100], [10, 10**8, 5], id="very-different-widths"),
    pytest.param([1000, 1000], [0, 1000], id="far-apart"),
    pytest.param([500, 500, 500], [0, 0, 0], id="all-zero"),
    pytest.param([50, 60, 70], [50, 60, 70], id="all-converting"),
    pytest.param([40, 40], [0, 3], id="control-zero"),
    pytest.param([0, 10, 20], [0, 10, 1], id="empty-control"),
    pytest.param(
        [1000] * 10, [50, 52, 48, 61, 40, 55, 50, 49, 58, 45], id="10-variants"
    ),
]


@pytest.mark.parametrize(("units", "conversions"), CASES)
def test_bayesian_figures_match_quad_everywhere(units, conversions):
    b = analyze_binomial_batch([units], [conversions])
    beat, loss, best = reference(units, conversions)
    np.testing.assert_allclose(b.chance_to_be_best[0], best, rtol=0, atol=1e-7)
    np.testing.assert_allclose(b.chance_to_beat_control[0], beat, rtol=0, atol=1e-7)
    np.testing.assert_allclose(b.expected_loss[0], loss, rtol=1e-6, atol=1e-12)
    assert abs(b.chance_to_be_best[0].sum() - 1.0) < SUM_TOLERANCE


def test_issue_example_sums_to_one():
    b = analyze_binomial_batch([[24222, 20790, 20255]], [[0, 224, 215]])
    # Before: 0.9999932.
    assert abs(b.chance_to_be_best[0].sum() - 1.0) < SUM_TOLERANCE


def test_three_of_a_trillion_against_none_is_the_gamma_limit():
    # At 10^12 units Beta(1 + x, n) is Gamma(1 + x) / n to ~1e-12, and for
    # G4 ~ Gamma(4), G1 ~ Exp(1): P(G1 > G4) = 2^-4, E[(G4 - G1)+] = 3 + 2^-4.
    b = analyze_binomial_batch([[10**12, 10**12]], [[3, 0]])
    assert b.chance_to_beat_control[0, 0] == pytest.approx(1 / 16, abs=1e-10)
    assert b.expected_loss[0, 0] == pytest.approx(3.0625e-12, rel=1e-9)
    assert b.chance_to_be_best[0] == pytest.approx([15 / 16, 1 / 16], abs=1e-10)


def test_everybody_converting_at_a_trillion_mirrors_nobody_converting():
    # 1 - p is then Gamma / n: P(challenger ahead) = P(G6 < G1) = 2^-6.
    n = 10**12
    b = analyze_binomial_batch([[n, n]], [[n, n - 5]])
    assert b.chance_to_beat_control[0, 0] == pytest.approx(1 / 64, abs=1e-10)
    assert b.expected_loss[0, 0] == pytest.approx(5.015625e-12, rel=1e-9)
    low = analyze_binomial_batch([[n, n]], [[0, 5]], higher_is_better=False)
    np.testing.assert_allclose(
        low.chance_to_be_best, b.chance_to_be_best, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("n_var", range(2, 11))
def test_chances_to_be_best_sum_to_one_over_the_accepted_range(n_var):
    rng = np.random.default_rng(n_var)
    rows = 300
    units = np.floor(10 ** rng.uniform(0, 12, (rows, n_var)))
    rates = rng.choice([0.0, 1e-9, 1e-4, 0.05, 0.5, 1.0], (rows, 1))
    rates = np.clip(rates * rng.uniform(0.5, 1.5, (rows, n_var)), 0.0, 1.0)
    conversions = np.floor(units * rates)
    a, b = beta_posteriors(units, conversions)
    beat, loss, best = posterior_summaries(a, b)
    assert np.abs(best.sum(axis=1) - 1.0).max() < SUM_TOLERANCE
    assert np.all((beat >= 0) & (beat <= 1) & (loss >= 0))
    # Two variants: being best is beating the control. (Beta(1, 3.35e9) against
    # Beta(1, 5): the exact chance that the control is best is 5 / (3.35e9 + 1) =
    # 1.4925e-9; before both were normalised, the chance to beat was 6e-10 off.)
    if n_var == 2:
        np.testing.assert_allclose(best[:, 1], beat[:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("units", [10**3, 10**6, 3_350_155_650, 10**12])
def test_a_far_narrow_control_has_the_closed_form_chance_to_be_best(units):
    """Beta(1, B) against Beta(1, 5): E[1 - (1 - p0)^5] = 5 / (B + 5) exactly."""
    a, b = beta_posteriors(np.array([[units, 4.0]]), np.array([[0.0, 0.0]]))
    beat, _, best = posterior_summaries(a, b)
    expected = 5.0 / (units + 1 + 5)
    assert best[0, 0] == pytest.approx(expected, rel=1e-6)
    assert 1.0 - beat[0, 0] == pytest.approx(expected, rel=1e-6, abs=1e-12)
