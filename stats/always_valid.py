"""Always-valid inference: a verdict that holds however often the team looks.

The normal-mixture sequential probability ratio test (mSPRT, Robbins 1970; Johari,
Pekelis & Walsh 2017) and its confidence sequence, in the asymptotic form of
Waudby-Smith et al. (2023) that GrowthBook uses. With an estimate d of a difference
and its variance V, z = d / sqrt(V), and a normal mixture N(0, tau^2) over the true
difference, the likelihood ratio against "no difference" is

    Lambda = (1 + r)^(-1/2) exp(z^2 r / (2 (1 + r))),   r = tau^2 / V.

Lambda is a martingale under no difference, so by Ville's inequality it passes
1/alpha with probability at most alpha, ever: p = min over looks of 1/Lambda is an
always-valid p-value, and {d : Lambda(d) < 1/alpha} is a confidence sequence,

    d +- sqrt(V) sqrt((1 + r)/r (2 ln(1/alpha) + ln(1 + r))).

Tuning: tau is set on the standardised scale, r = rho^2 n_eff with n_eff =
n_c n_t / (n_c + n_t) the effective units (the information up to the unit variance),
and rho^2 = (2 ln(1/alpha) + ln(1 + 2 ln(1/alpha))) / n_eff*, the choice that makes
the interval narrowest at n_eff* (Waudby-Smith et al. 2023, section 3.3). We tune at
the plan's units per variant (n_eff* = n/2 for an equal split), else at
DEFAULT_TUNED_UNITS_PER_VARIANT. The price: at the tuned size the interval is about
1.5 times the fixed-sample one at alpha 5%, so reaching 80% power needs roughly
twice the units (benchmarks/error_rates.py measures it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .arrays import BoolArray, FloatArray
from .binomial import check_binomial
from .continuous import check_cells, mean_and_sd
from .errors import StatsInputError, check_positive, check_probability

# GrowthBook's default tuning parameter is 5,000 (its "estimated users"); ours is
# per variant, so the interval is narrowest when each variant has about 5,000 units.
DEFAULT_TUNED_UNITS_PER_VARIANT = 5_000.0


@dataclass(frozen=True)
class AlwaysValid:
    """Figures per look (axis 0) and comparison; NaN where a figure does not exist.

    z_boundary: the |z| the estimate must reach at that look. p_value: the running
    minimum of 1/Lambda (raw), p_value_adjusted: times the number of challengers
    (Bonferroni), so significant (adjusted p below alpha) is exactly "the interval
    excluded 0 at some look". lower/upper: the running intersection of the
    intervals at alpha / (number of challengers).
    """

    alpha: float
    tuned_effective_units: float
    estimate: FloatArray
    z: FloatArray
    z_boundary: FloatArray
    p_value: FloatArray
    p_value_adjusted: FloatArray
    lower: FloatArray
    upper: FloatArray
    significant: BoolArray


def mixture_rho2(alpha: float, tuned_effective_units: float) -> float:
    """rho^2 that makes the confidence sequence narrowest at the tuned units."""
    two_log = 2.0 * math.log(1.0 / alpha)
    return (two_log + math.log1p(two_log)) / tuned_effective_units


def log_mixture_ratio(z: FloatArray, r: FloatArray) -> FloatArray:
    """ln Lambda for z-statistics z and variance ratios r = tau^2 / V."""
    return -0.5 * np.log1p(r) + 0.5 * z * z * r / (1.0 + r)


def z_boundary(r: FloatArray, alpha: float) -> FloatArray:
    """|z| at which Lambda reaches 1/alpha."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sqrt((1.0 + r) / r * (2.0 * math.log(1.0 / alpha) + np.log1p(r)))
    return np.where(r > 0, out, np.inf)


def always_valid(
    estimate: FloatArray,
    variance: FloatArray,
    effective_units: FloatArray,
    alpha: float,
    tuned_units_per_variant: float,
    comparisons: int = 1,
) -> AlwaysValid:
    """Always-valid p-values and intervals from cumulative estimates per look.

    All arrays share a shape with looks along axis 0 (estimates on cumulative
    data). comparisons: how many challengers share alpha (Bonferroni). A look
    with no variance (nothing to compare yet) has NaN figures and spends nothing.
    """
    alpha = check_probability(alpha, "alpha")
    # The tuning is per variant; the mixture works on n_eff, n / 2 at an equal split.
    tuned = check_positive(tuned_units_per_variant, "tuned_units_per_variant") / 2.0
    a = alpha / comparisons
    d = np.asarray(estimate, dtype=np.float64)
    v = np.asarray(variance, dtype=np.float64)
    r = mixture_rho2(a, tuned) * np.asarray(effective_units, dtype=np.float64)
    ok = (v > 0) & (r > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(ok, d / np.sqrt(v), np.nan)
        p_look = np.minimum(np.exp(-log_mixture_ratio(z, r)), 1.0)
    bound = np.where(ok, z_boundary(r, a), np.nan)
    half = np.sqrt(np.where(ok, v, np.nan)) * bound
    p = np.fmin.accumulate(p_look, axis=0)
    p_adj = np.minimum(p * comparisons, 1.0)
    return AlwaysValid(
        alpha=alpha,
        tuned_effective_units=tuned,
        estimate=np.where(ok, d, np.nan),
        z=z,
        z_boundary=bound,
        p_value=p,
        p_value_adjusted=p_adj,
        lower=np.fmax.accumulate(d - half, axis=0),
        upper=np.fmin.accumulate(d + half, axis=0),
        significant=p_adj < alpha,
    )


def effective_units(n_c: FloatArray, n_t: FloatArray) -> FloatArray:
    """n_c n_t / (n_c + n_t): the information of a difference per unit variance."""
    with np.errstate(invalid="ignore"):
        return np.where((n_c > 0) & (n_t > 0), n_c * n_t / (n_c + n_t), 0.0)


def _looks_first(units: FloatArray) -> FloatArray:
    """(S, V) becomes (S, 1, V); (S, E, V) stays."""
    return units[:, None, :] if units.ndim == 2 else units


def always_valid_binomial(
    units: object,
    conversions: object,
    alpha: float = 0.05,
    tuned_units_per_variant: float = DEFAULT_TUNED_UNITS_PER_VARIANT,
) -> AlwaysValid:
    """Difference of proportions (challenger - control), cumulative counts per look.

    units, conversions: (S, V) or (S, E, V), control in column 0; results are
    (S, E, V-1). Variance: the unpooled p(1-p)/n of each side, the pooled one when
    both sides are 0% or 100% (then only a 0%-against-100% table has any).
    """
    n, x = check_binomial(units, conversions)
    n, x = _looks_first(n), _looks_first(x)
    if n.ndim != 3 or n.shape[-1] < 2:
        raise StatsInputError("units", "need looks x (experiments x) variants")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        var = p * (1.0 - p) / n
        pooled = (x[..., 1:] + x[..., :1]) / (n[..., 1:] + n[..., :1])
        var_pooled = pooled * (1.0 - pooled) * (1.0 / n[..., 1:] + 1.0 / n[..., :1])
    var_diff = var[..., 1:] + var[..., :1]
    var_diff = np.where(var_diff > 0, var_diff, var_pooled)
    return always_valid(
        p[..., 1:] - p[..., :1],
        np.nan_to_num(var_diff, nan=0.0),
        effective_units(n[..., :1], n[..., 1:]),
        alpha,
        tuned_units_per_variant,
        comparisons=n.shape[-1] - 1,
    )


def always_valid_continuous(
    units: object,
    sums: object = None,
    sum_squares: object = None,
    alpha: float = 0.05,
    tuned_units_per_variant: float = DEFAULT_TUNED_UNITS_PER_VARIANT,
    *,
    means: object = None,
    m2s: object = None,
) -> AlwaysValid:
    """Difference of means by the normal approximation (Welch's variance).

    units with sums and sum_squares, or with means and m2s (M2 = (n - 1) sd^2):
    cumulative per look, (S, V) or (S, E, V).
    """
    cells = check_cells(units, sums, sum_squares, means, m2s)
    n, cell_mean, m2 = (_looks_first(v) for v in cells)
    mean, sd = mean_and_sd(n, cell_mean, m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = sd**2 / n
    return always_valid(
        mean[..., 1:] - mean[..., :1],
        np.nan_to_num(var[..., 1:] + var[..., :1], nan=0.0),
        effective_units(n[..., :1], n[..., 1:]),
        alpha,
        tuned_units_per_variant,
        comparisons=n.shape[-1] - 1,
    )
