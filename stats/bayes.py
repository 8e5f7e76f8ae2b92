"""Bayesian view of binomial metrics: Beta(1, 1) priors, exact by quadrature.

The posterior of a rate after x conversions out of n units is Beta(1 + x, 1 + n - x).
Every figure is a one-dimensional integral of posterior densities and distribution
functions, evaluated with fixed Gauss-Legendre quadrature on an interval adapted to
each posterior's support (no sampling, so results are deterministic and vectorised).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

# Gauss-Legendre nodes per panel (see _nodes); with the panels this integrates
# these smooth integrands to ~1e-8, checked against scipy.integrate.quad.
PANEL_NODES = 32
# Posterior mass left outside the integration interval on each side.
TAIL_MASS = 1e-12
# Start the support search at this many standard deviations from the mean.
_START_SDS = 8.0

# Nodes on one interval when the posteriors have similar widths.
SINGLE_NODES = 48
# Posteriors whose standard deviations differ by more than this factor (a 9:1
# split gives ~3) get the panelled rule; measured: below it SINGLE_NODES agrees
# with quad to ~1e-8.
PANEL_SD_RATIO = 1.3

# Experiments per block: the quadrature arrays are (rows, V, V, nodes), so the
# whole batch at once would need memory in proportion to its size (100,000
# experiments of 5 variants took 10 GB). Rows are independent, so the results do
# not depend on the block size.
BLOCK_ROWS = 2_000

_GL_X, _GL_W = np.polynomial.legendre.leggauss(PANEL_NODES)
_GL1_X, _GL1_W = np.polynomial.legendre.leggauss(SINGLE_NODES)


def beta_support(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Interval holding all but TAIL_MASS on each side of Beta(a, b), a, b >= 1.

    Starts at mean +- 8 sd and widens where the exact tail mass (betainc) is too
    big; cheaper than inverting the distribution function.
    """
    mean = a / (a + b)
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    k_lo = np.full(mean.shape, _START_SDS)
    k_hi = np.full(mean.shape, _START_SDS)
    lo = np.clip(mean - k_lo * sd, 0.0, 1.0)
    hi = np.clip(mean + k_hi * sd, 0.0, 1.0)
    for _ in range(60):
        bad_lo = (lo > 0.0) & (special.betainc(a, b, lo) > TAIL_MASS)
        bad_hi = (hi < 1.0) & (special.betaincc(a, b, hi) > TAIL_MASS)
        if not (bad_lo.any() or bad_hi.any()):
            break
        k_lo = np.where(bad_lo, k_lo * 1.5, k_lo)
        k_hi = np.where(bad_hi, k_hi * 1.5, k_hi)
        lo = np.clip(mean - k_lo * sd, 0.0, 1.0)
        hi = np.clip(mean + k_hi * sd, 0.0, 1.0)
    return lo, hi


def _nodes(
    lo: FloatArray, hi: FloatArray, panels: bool
) -> tuple[FloatArray, FloatArray]:
    """Composite Gauss-Legendre nodes and weights for each variant's support.

    lo, hi: (E, V). Variant j's interval is cut into panels at the support edges
    of the other variants, so a much narrower posterior (a 9:1 split) whose
    distribution function steps inside j's support gets a panel of its own.
    Without panels, one interval of SINGLE_NODES. Returns arrays (E, V, nodes).
    """
    if not panels:
        half = (hi - lo)[..., None] / 2.0
        x = (lo + hi)[..., None] / 2.0 + half * _GL1_X
        return x, half * _GL1_W
    n_var = lo.shape[1]
    edges = np.concatenate([lo, hi], axis=1)[:, None, :]  # (E, 1, 2V)
    cuts = np.clip(edges, lo[..., None], hi[..., None])  # (E, V, 2V)
    cuts = np.sort(cuts, axis=-1)
    left, right = cuts[..., :-1], cuts[..., 1:]  # (E, V, 2V-1) panels
    half = (right - left)[..., None] / 2.0
    x = (left + right)[..., None] / 2.0 + half * _GL_X
    w = half * _GL_W
    shape = lo.shape + ((2 * n_var - 1) * PANEL_NODES,)
    return x.reshape(shape), w.reshape(shape)


def _beta_pdf(x: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    # xlogy: zero-width panels put nodes exactly on 0 or 1 (with weight 0).
    log_pdf = special.xlogy(a - 1.0, x) + special.xlog1py(b - 1.0, -x)
    return np.exp(log_pdf - special.betaln(a, b))


def beta_posteriors(
    units: FloatArray, conversions: FloatArray, higher_is_better: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Beta(1, 1)-prior posterior parameters; flipped (1 - p) when lower is better.

    Flipping lets "beat", "best" and "loss" always mean "higher is better".
    """
    a = 1.0 + conversions
    b = 1.0 + units - conversions
    return (a, b) if higher_is_better else (b, a)


def posterior_summaries(
    a: FloatArray, b: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Chance to beat the control, expected loss and chance to be best.

    a, b: posterior parameters (E, V), control in column 0. Returns
    P(p_j > p_0) and E[max(p_0 - p_j, 0)] as (E, V-1) arrays and
    P(p_j is the highest) as an (E, V) array whose rows sum to 1.
    Experiments whose posteriors differ much in width use panelled quadrature.
    Rows are processed in blocks of BLOCK_ROWS, so memory stays bounded.
    """
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    ratio = np.sqrt(var.max(axis=1) / var.min(axis=1))
    uneven = ratio > PANEL_SD_RATIO
    beat = np.empty((a.shape[0], a.shape[1] - 1))
    loss = np.empty_like(beat)
    best = np.empty(a.shape)
    for mask, panels in ((~uneven, False), (uneven, True)):
        rows = np.flatnonzero(mask)
        for start in range(0, rows.size, BLOCK_ROWS):
            idx = rows[start : start + BLOCK_ROWS]
            beat[idx], loss[idx], best[idx] = _summaries(a[idx], b[idx], panels)
    return beat, loss, best


def _summaries(
    a: FloatArray, b: FloatArray, panels: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """posterior_summaries on one quadrature rule.

    Each variant gets quadrature nodes on its own support; the distribution
    function of every other variant is evaluated there once and shared by the
    three figures. A pairwise figure integrates over the narrower posterior of
    the pair, so the other factor is smooth on the interval.
    """
    n_var = a.shape[1]
    lo, hi = beta_support(a, b)
    x, w = _nodes(lo, hi, panels)  # (E, V, G)
    a3, b3 = a[..., None], b[..., None]
    dens = _beta_pdf(x, a3, b3) * w
    # cdf[:, k, j, :] = F_k at the nodes of variant j (diagonal unused).
    cdf = np.ones((a.shape[0], n_var) + x.shape[1:])
    for k in range(n_var):
        for j in range(n_var):
            if j != k:
                cdf[:, k, j, :] = special.betainc(a3[:, k], b3[:, k], x[:, j])
    best = np.empty(a.shape)
    for j in range(n_var):
        prod = np.prod(np.delete(cdf[:, :, j, :], j, axis=1), axis=1)
        best[:, j] = np.sum(dens[:, j] * prod, axis=-1)
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    beat = np.empty((a.shape[0], n_var - 1))
    loss = np.empty_like(beat)
    for j in range(1, n_var):
        # Integrate over the control's nodes (N = control, W = challenger) ...
        p_c, l_c = _pair(dens[:, 0], x[:, 0], cdf[:, j, 0], a[:, j], b[:, j])
        # ... or over the challenger's (N = challenger, W = control).
        p_t, l_t = _pair(dens[:, j], x[:, j], cdf[:, 0, j], a[:, 0], b[:, 0])
        over_c = var[:, 0] <= var[:, j]
        beat[:, j - 1] = np.where(over_c, p_c, 1.0 - p_t)
        # E[(c - t)+] directly, or via E[(c - t)+] = E[(t - c)+] + E[c] - E[t].
        loss[:, j - 1] = np.where(over_c, l_c, l_t + mean[:, 0] - mean[:, j])
    return np.clip(beat, 0, 1), np.maximum(loss, 0.0), np.clip(best, 0, 1)


def _pair(
    dens: FloatArray, x: FloatArray, cdf_w: FloatArray, aw: FloatArray, bw: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """P(W > N) and E[(N - W)+], integrating over N's nodes.

    E[(N - W)+] = int f_N(x) [x F_W(x) - m_W F_{W+}(x)] dx with W+ ~ Beta(aw+1, bw)
    and F_{W+} = F_W - x^aw (1-x)^bw / (aw B(aw, bw)) (the recurrence of the
    regularised incomplete beta function, DLMF 8.17.20).
    """
    aw_, bw_ = aw[:, None], bw[:, None]
    with np.errstate(divide="ignore"):
        log_term = (
            special.xlogy(aw_, x)
            + special.xlog1py(bw_, -x)
            - np.log(aw_)
            - special.betaln(aw_, bw_)
        )
    cdf_w_plus = cdf_w - np.exp(log_term)
    mean_w = (aw / (aw + bw))[:, None]
    p_w_above = np.sum(dens * (1.0 - cdf_w), axis=-1)
    n_minus_w = np.sum(dens * (x * cdf_w - mean_w * cdf_w_plus), axis=-1)
    return p_w_above, n_minus_w


def normal_summaries(
    mean: FloatArray, se: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The same three figures for normal posteriors N(mean, se^2), shape (E, V).

    Used for continuous metrics: with a flat prior and more than a few dozen units
    the posterior of a mean is close to normal (a large-sample approximation).
    Chance to beat and expected loss are closed-form; chance to be best is
    integrated like the beta case. NaN where a standard error is not positive.
    """
    d = mean[:, 1:] - mean[:, :1]
    s = np.sqrt(se[:, 1:] ** 2 + se[:, :1] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d / s
    ok_pair = (se[:, 1:] > 0) & (se[:, :1] > 0)
    beat = np.where(ok_pair, special.ndtr(ratio), np.nan)
    # E[max(c - t, 0)] for t - c ~ N(d, s^2).
    loss = np.where(
        ok_pair,
        s * np.exp(-0.5 * ratio**2) / np.sqrt(2 * np.pi) - d * special.ndtr(-ratio),
        np.nan,
    )
    ok = np.all(se > 0, axis=1)
    best = np.full(mean.shape, np.nan)
    if ok.any():
        m, sd = mean[ok], se[ok]
        uneven = sd.max(axis=1) / sd.min(axis=1) > PANEL_SD_RATIO
        out = np.empty(m.shape)
        for mask, panels in ((~uneven, False), (uneven, True)):
            rows = np.flatnonzero(mask)
            for start in range(0, rows.size, BLOCK_ROWS):
                idx = rows[start : start + BLOCK_ROWS]
                out[idx] = _normal_best(m[idx], sd[idx], panels)
        best[ok] = np.clip(out, 0.0, 1.0)
    return np.clip(beat, 0.0, 1.0), np.maximum(loss, 0.0), best


def _normal_best(mm: FloatArray, ss: FloatArray, panels: bool) -> FloatArray:
    """Chance to be best for normal posteriors (rows, V) on one quadrature rule."""
    # 9 sd leave ~1e-19 of each posterior outside.
    x, w = _nodes(mm - 9.0 * ss, mm + 9.0 * ss, panels)
    dens = np.exp(-0.5 * ((x - mm[..., None]) / ss[..., None]) ** 2)
    dens = dens / (ss[..., None] * np.sqrt(2 * np.pi)) * w
    n_var = mm.shape[1]
    part = np.empty(mm.shape)
    for j in range(n_var):
        prod = np.ones(x.shape[::2])
        for k in range(n_var):
            if k != j:
                prod = prod * special.ndtr((x[:, j] - mm[:, k, None]) / ss[:, k, None])
        part[:, j] = np.sum(dens[:, j] * prod, axis=-1)
    return part
