"""Bayesian view of binomial metrics: Beta(1, 1) priors, exact by quadrature.

The posterior of a rate after x conversions out of n units is Beta(1 + x, 1 + n - x).
Every figure is a one-dimensional integral of posterior densities and distribution
functions. All variants of an experiment share one grid: Chebyshev panels cut at
fixed multiples of each posterior's standard deviation inside its support, so every
panel spans at most a few standard deviations of every posterior that has mass in
it. The distribution functions are the spectral antiderivatives of the densities on
that grid (no incomplete beta function per node), and the densities are evaluated
relative to each posterior's mean with log1p, so nothing is lost to cancellation at
10^12 units. No sampling: results are deterministic and vectorised.

Error bound (measured against scipy.integrate.quad on the edge cases in
tests/test_stats_bayes.py): every figure within 1e-9 absolute, the chances to be best
summing to 1 within 1e-12 (normalised on the grid, see _grid_figures). The mass cut
off outside the supports is at most TAIL_MASS per side and posterior.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.polynomial import chebyshev
from scipy import special

from .arrays import FloatArray

# Posterior mass left outside the integration interval on each side. The bound
# used to place the interval (log-concave tail, see _beta_support) is tight to
# within a factor of ~1 + 1/k^2 at k standard deviations.
TAIL_MASS = 1e-12
# Chebyshev points per panel. With the cuts below, the spectral antiderivative of
# a Beta density is within ~3e-10 of betainc in the worst case measured (Beta(1,
# 24223), an exponential-like posterior); 12 points gave 2e-7.
PANEL_NODES = 16
# Cuts inside each posterior's support, in standard deviations from its mean,
# plus the midpoints of the two outer tails (which reach ~28 sd for Beta(1, b)).
# Cuts every 2 sd (-4..4) gave the same figures to 1e-10 against quad on the
# edge cases of tests/test_stats_bayes.py, with 30% more nodes.
_CUTS_SD = np.array([-3.0, 0.0, 3.0])
# First try for the support half-width, in standard deviations; widened by
# _WIDEN until the tail bound is below TAIL_MASS.
_START_SDS = 6.0
_WIDEN = 1.25
# Normal posteriors: 1 - Phi(7.5) = 3.2e-14 < TAIL_MASS.
NORMAL_SDS = 7.5

# Experiments per block: the grid arrays are (rows, V, panels, nodes), so the
# whole batch at once would need memory in proportion to its size. Rows are
# independent, so the results do not depend on the block size. _BLOCK_CELLS caps
# a block's grid at ~4 MB per array whatever the number of variants.
BLOCK_ROWS = 2_000
_BLOCK_CELLS = 200_000


def _chebyshev_rule(n: int) -> tuple[FloatArray, FloatArray]:
    """Chebyshev points on [-1, 1] (ends included, ascending) and the matrix Q.

    (Q @ f)[i] is the integral from -1 to t_i of the polynomial interpolating f at
    the points (Clenshaw-Curtis); its last row holds the quadrature weights.
    """
    t = -np.cos(np.pi * np.arange(n) / (n - 1))
    vander = chebyshev.chebvander(t, n - 1)
    integrals = np.empty((n, n))
    for k in range(n):
        unit = np.zeros(n)
        unit[k] = 1.0
        integrals[:, k] = chebyshev.chebval(t, chebyshev.chebint(unit, lbnd=-1))
    return t, np.linalg.solve(vander.T, integrals.T).T


_CHEB_T, _CHEB_Q = _chebyshev_rule(PANEL_NODES)
# One step inside -1: log1p stays finite at the support's ends.
_EDGE = np.nextafter(-1.0, 0.0)


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
    Rows are processed in blocks, so memory stays bounded.
    """
    beat = np.empty((a.shape[0], a.shape[1] - 1))
    loss = np.empty_like(beat)
    best = np.empty(a.shape)
    for idx in _blocks(a.shape):
        beat[idx], loss[idx], best[idx] = _beta_block(a[idx], b[idx])
    return beat, loss, best


def _blocks(shape: tuple[int, ...]) -> list[slice]:
    """Row blocks of at most BLOCK_ROWS rows and about _BLOCK_CELLS grid cells."""
    rows, n_var = shape
    cells = n_var * (len(_CUTS_SD) + 4) * n_var * PANEL_NODES
    size = max(1, min(BLOCK_ROWS, _BLOCK_CELLS // cells))
    return [slice(i, i + size) for i in range(0, rows, size)]


def _beta_block(
    a: FloatArray, b: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """posterior_summaries for one block of rows.

    Each row is laid out around 0 or around 1 (d = p - 0 or p - 1, whichever end
    a posterior of the row comes closest to), so that p near 1 keeps its precision:
    1 - p at 10^12 units is ~1e-12, far below the spacing of doubles near 1.
    """
    total = a + b
    mean, comp = a / total, b / total  # comp = 1 - mean, without cancellation
    sd = np.sqrt(mean * comp / (total + 1.0))
    near_one = comp.min(axis=1, keepdims=True) < mean.min(axis=1, keepdims=True)
    centre = np.where(near_one, -comp, mean)  # mean - origin
    below, above = _beta_support(a, b, mean, comp, sd)

    def log_ratio(u: FloatArray) -> FloatArray:
        # log f(mean + u) - log f(mean). The clips absorb rounding at p = 0 or 1
        # and stop one ulp inside them, so a - 1 = 0 never meets log(0) there
        # (np.log1p is several times faster than special.xlog1py).
        up = u * (1.0 / mean)[..., None, None]
        np.log1p(np.maximum(up, _EDGE, out=up), out=up)
        up *= a[..., None, None] - 1.0
        down = u * (-1.0 / comp)[..., None, None]
        np.log1p(np.maximum(down, _EDGE, out=down), out=down)
        down *= b[..., None, None] - 1.0
        up += down
        return up

    return _grid_figures(centre, sd, centre - below, centre + above, log_ratio)


def _beta_support(
    a: FloatArray,
    b: FloatArray,
    mean: FloatArray,
    comp: FloatArray,
    sd: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """How far below and above its mean each posterior's support reaches.

    Widens from _START_SDS standard deviations until the tail beyond is below
    TAIL_MASS, or the support reaches 0 or 1 (room_below = mean, room above =
    1 - mean). Beta(a, b) with a, b >= 1 is log-concave, so the mass beyond t is
    at most f(t) / |(log f)'(t)|; that costs a few logs, no incomplete beta.
    """
    log_peak = special.xlogy(a - 1.0, mean) + special.xlogy(b - 1.0, comp)
    log_peak = log_peak - special.betaln(a, b)
    reach = []
    for sign, room in ((-1.0, mean), (1.0, comp)):
        k = np.full(a.shape, _START_SDS)
        for _ in range(60):
            dist = np.minimum(k * sd, room)
            u = sign * dist
            x_up, x_down = mean + u, comp - u
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = (a - 1.0) / x_up - (b - 1.0) / x_down
                log_f = (
                    log_peak
                    + special.xlog1py(a - 1.0, np.maximum(u / mean, -1.0))
                    + special.xlog1py(b - 1.0, np.maximum(-u / comp, -1.0))
                )
                bound = np.exp(log_f) / (-sign * slope)
            bad = (dist < room) & ~((bound > 0) & (bound <= TAIL_MASS))
            if not bad.any():
                break
            k = np.where(bad, k * _WIDEN, k)
        reach.append(dist)
    return reach[0], reach[1]


def _grid_figures(
    centre: FloatArray,
    sd: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    log_ratio: Callable[[FloatArray], FloatArray],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Chance to beat, expected loss and chance to be best on a shared grid.

    centre, sd, lo, hi: (E, V) in the row's coordinate; log_ratio(u) is each
    posterior's log density at centre + u up to a constant, u shaped
    (E, V, panels, nodes). Densities are normalised on the grid itself, so the
    cut-off tails and the constant cancel. With F the distribution function:
    P(p_j best) = int f_j prod_k!=j F_k, P(p_j > p_0) = int f_j F_0 and
    E[(p_0 - p_j)+] = int F_j (1 - F_0).
    """
    x, half = _panels(centre, sd, lo, hi)  # (E, P, n), (E, P)
    dens = log_ratio(x[:, None] - centre[..., None, None])
    np.exp(dens, out=dens)
    weights = half[..., None] * _CHEB_Q[-1]  # (E, P, n)
    dens /= np.einsum("evpn,epn->ev", dens, weights)[..., None, None]
    cdf = _antiderivative(dens, half)
    wd = dens * weights[:, None]
    best = np.einsum("evpn,evpn->ev", wd, _others(cdf))
    # The chances sum to int d(prod F) = 1 exactly; on the grid the product of the
    # distribution functions is a polynomial of higher degree than the rule
    # integrates exactly, which leaves up to ~2e-9 in the sum (10 variants at
    # 10^12 units). Dividing by the sum removes that error common to all of them.
    best /= best.sum(axis=1, keepdims=True)
    # P(p_j > p_0) and P(p_0 > p_j) sum to 1 in the same way: normalised alike.
    beat = np.einsum("evpn,epn->ev", wd[:, 1:], cdf[:, 0])
    beat /= beat + np.einsum("epn,evpn->ev", wd[:, 0], cdf[:, 1:])
    # E[(p_0 - p_j)+] = int F_j (1 - F_0): one more quadrature, no second
    # antiderivative.
    loss = np.einsum("evpn,epn->ev", cdf[:, 1:], (1.0 - cdf[:, 0]) * weights)
    return np.clip(beat, 0.0, 1.0), np.maximum(loss, 0.0), np.clip(best, 0.0, 1.0)


def _others(cdf: FloatArray) -> FloatArray:
    """prod_{k != j} F_k for every j, (E, V, P, n): the products of the F_k
    before j times those after j, one variant at a time (V is small; numpy's
    cumprod along that axis was the slowest step of the batch)."""
    n_var = cdf.shape[1]
    out = np.empty_like(cdf)
    out[:, 0] = 1.0
    for j in range(1, n_var):
        np.multiply(out[:, j - 1], cdf[:, j - 1], out=out[:, j])
    after = np.ones_like(cdf[:, 0])
    for j in range(n_var - 2, -1, -1):
        after *= cdf[:, j + 1]
        out[:, j] *= after
    return out


def _panels(
    centre: FloatArray, sd: FloatArray, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Chebyshev nodes (E, panels, n) and panel half-widths (E, panels).

    The panel edges of a row are, for every posterior, its support ends, the
    _CUTS_SD points and the middles of its two outer tails, all clipped to its
    support; sorted together, every panel spans at most ~3 sd (12 sd in an
    exponential-like tail) of each posterior with mass in it.
    """
    inner = centre[..., None] + sd[..., None] * _CUTS_SD
    tails = np.stack([(lo + inner[..., 0]) / 2, (inner[..., -1] + hi) / 2], axis=-1)
    cuts = np.concatenate([lo[..., None], inner, tails, hi[..., None]], axis=-1)
    cuts = np.clip(cuts, lo[..., None], hi[..., None]).reshape(centre.shape[0], -1)
    cuts = np.sort(cuts, axis=-1)
    half = (cuts[:, 1:] - cuts[:, :-1]) / 2.0
    x = cuts[:, :-1, None] + half[..., None] * (_CHEB_T + 1.0)
    return x, half


def _antiderivative(values: FloatArray, half: FloatArray) -> FloatArray:
    """Integral from the left end of the grid to every node, (E, V, P, n).

    Within a panel, the spectral integration matrix; across panels, the running
    sum of the panel totals.
    """
    local = (values @ _CHEB_Q.T) * half[:, None, :, None]
    carry = np.cumsum(local[..., -1], axis=-1) - local[..., -1]
    return local + carry[..., None]


def normal_summaries(
    mean: FloatArray, se: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The same three figures for normal posteriors N(mean, se^2), shape (E, V).

    Used for continuous metrics: with a flat prior and more than a few dozen units
    the posterior of a mean is close to normal (a large-sample approximation).
    Chance to beat and expected loss are closed-form; chance to be best is
    integrated on the same grid as the beta case. NaN where a standard error is
    not positive.
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
        out = np.empty(m.shape)
        for idx in _blocks(m.shape):
            mm, ss = m[idx], sd[idx]

            def log_ratio(u: FloatArray, ss: FloatArray = ss) -> FloatArray:
                return -0.5 * (u / ss[..., None, None]) ** 2

            reach = NORMAL_SDS * ss
            out[idx] = _grid_figures(mm, ss, mm - reach, mm + reach, log_ratio)[2]
        best[ok] = out
    return np.clip(beat, 0.0, 1.0), np.maximum(loss, 0.0), best
