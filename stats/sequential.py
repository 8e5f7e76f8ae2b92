"""Group-sequential boundaries for looking at the results every sprint.

Lan-DeMets alpha spending (Lan & DeMets 1983): the type I error allowed up to
information fraction t is alpha(t); each look spends the increment. Boundaries are
found exactly by recursive numerical integration of the Brownian-motion
representation of the cumulative z statistic (Armitage, McPherson & Rowe 1969;
Jennison & Turnbull 2000, ch. 19), two-sided and symmetric.

Looks past the plan follow gsDesign's convention for over-running: each look's
fraction is its information over the planned information, the first look that
reaches the plan (fraction 1 or more) is the final analysis and spends whatever
alpha is left, and a look after it has nothing left to spend. Earlier boundaries
never move as data arrives, so a verdict once reached at a look stays reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import optimize, special

from .arrays import FloatArray
from .errors import StatsInputError, as_float_array, check_choice, check_probability

SPENDING_FUNCTIONS = ("obrien_fleming", "pocock")

# Grid step on the score scale: at most this, and at most a tenth of the sd of the
# increment between looks. Simpson's rule on such a grid reproduces the published
# boundaries to 1e-6 (checked by halving the step in the tests).
_MAX_STEP = 0.02
_STEPS_PER_SD = 10.0
_MAX_POINTS = 20_001
# Grid half-width (in sd of the score) when a look has no alpha to spend.
_OPEN_WIDTH_SDS = 9.0
# Looks closer than this in information are the same look (no new data).
_SAME_LOOK = 1e-9
_BRENTQ_TOL = 1e-12


def spending_function(t: FloatArray, alpha: float, kind: str) -> FloatArray:
    """Cumulative two-sided alpha spent by information fraction t (capped at alpha).

    "obrien_fleming": alpha(t) = 4 (1 - Phi(z_{1-alpha/4} / sqrt(t))), i.e. the
    Lan-DeMets O'Brien-Fleming function with alpha/2 on each side, as gsDesign
    (sfLDOF), rpact and ldbounds. "pocock": alpha(t) = alpha ln(1 + (e - 1) t).
    t is capped at 1: alpha(t) never exceeds alpha, so the first look at or past
    the plan spends what is left and later looks spend nothing.
    """
    tt = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    if kind == "obrien_fleming":
        z = special.ndtri(1.0 - alpha / 4.0)
        with np.errstate(divide="ignore"):
            out = 4.0 * special.ndtr(-z / np.sqrt(tt))
    else:
        out = alpha * np.log1p((math.e - 1.0) * tt)
    return np.minimum(out, alpha)


def _simpson_grid(half_width: float, step: float) -> tuple[FloatArray, FloatArray]:
    n = int(math.ceil(2.0 * half_width / step))
    n = min(max(n + (n % 2), 2), _MAX_POINTS - 1) + 1  # odd number of points
    x = np.linspace(-half_width, half_width, n)
    h = x[1] - x[0]
    w = np.full(n, 2.0)
    w[1::2] = 4.0
    w[0] = w[-1] = 1.0
    return x, w * h / 3.0


def _exit_probability(
    dens_w: FloatArray, u: FloatArray, bound: float, sqrt_t: float, sd: float
) -> float:
    """P(|S_k| >= bound * sqrt(t_k), not stopped before) from the weighted density."""
    c = bound * sqrt_t
    tails = special.ndtr((-c - u) / sd) + special.ndtr((u - c) / sd)
    return float(np.dot(dens_w, tails))


def _propagate(
    dens_w: FloatArray, u: FloatArray, x: FloatArray, sd: float
) -> FloatArray:
    """Density of S_k on grid x given the sub-density of S_{k-1} on grid u."""
    out = np.empty(x.size)
    rows = max(1, 4_000_000 // max(u.size, 1))
    norm = 1.0 / (sd * math.sqrt(2.0 * math.pi))
    for start in range(0, x.size, rows):
        diff = (x[start : start + rows, None] - u[None, :]) / sd
        out[start : start + rows] = np.exp(-0.5 * diff * diff) @ dens_w * norm
    return out


def _excess(
    bound: float,
    dens_w: FloatArray,
    u: FloatArray,
    sqrt_t: float,
    sd: float,
    inc: float,
) -> float:
    return _exit_probability(dens_w, u, bound, sqrt_t, sd) - inc


@lru_cache(maxsize=256)
def _bounds_cached(
    fractions: tuple[float, ...], alpha: float, kind: str
) -> tuple[float, ...]:
    t = np.asarray(fractions)
    cum = spending_function(t, alpha, kind)
    bounds: list[float] = []
    u = w_dens = None  # grid and weighted continuation sub-density of the last look
    prev_t = 0.0
    spent = 0.0
    for k, tk in enumerate(t):
        if k > 0 and tk - prev_t < _SAME_LOOK:
            bounds.append(bounds[-1])  # no new data: the previous decision stands
            continue
        inc = float(cum[k]) - spent
        sqrt_t = math.sqrt(tk)
        if u is None:
            # -ndtri(inc / 2), not ndtri(1 - inc / 2): 1 - inc / 2 rounds to 1 (and
            # the boundary to inf) once inc / 2 < 1.1e-16, i.e. at an early look.
            b = float(-special.ndtri(inc / 2.0)) if inc > 0 else math.inf
            sd = sqrt_t
        else:
            sd = math.sqrt(tk - prev_t)
            if inc > 0:
                b = optimize.brentq(
                    _excess,
                    0.0,
                    40.0,
                    args=(w_dens, u, sqrt_t, sd, inc),
                    xtol=_BRENTQ_TOL,
                )
            else:
                b = math.inf
        bounds.append(b)
        spent = float(cum[k]) if inc > 0 else spent
        # Continuation region of this look, on the score scale S = Z sqrt(t).
        half = b * sqrt_t if math.isfinite(b) else _OPEN_WIDTH_SDS * sqrt_t
        step = min(_MAX_STEP, sd / _STEPS_PER_SD)
        if u is not None:
            step = min(step, math.sqrt(tk - prev_t) / _STEPS_PER_SD)
        x, wx = _simpson_grid(half, step)
        if u is None:
            dens = np.exp(-0.5 * (x / sqrt_t) ** 2) / (sqrt_t * math.sqrt(2 * math.pi))
        else:
            dens = _propagate(w_dens, u, x, sd)
        u, w_dens = x, dens * wx
        prev_t = float(tk)
    return tuple(bounds)


def crossing_probabilities(
    bounds: Any, fractions: Any, drift: float = 0.0
) -> FloatArray:
    """P(first crossing |Z| >= bound at each look) when E[Z at fraction 1] = drift.

    drift 0 is no effect (the alpha spent); a drift theta gives the power of the
    design, sum over looks. The score S_t = Z sqrt(t) is Brownian motion with mean
    theta t. Works for any two-sided symmetric bounds (inf: no stop at that look).
    """
    b = np.asarray(bounds, dtype=np.float64)
    t = np.asarray(fractions, dtype=np.float64)
    out = np.empty(b.size)
    u = w_dens = None
    prev_t = 0.0
    for k in range(b.size):
        sqrt_t = math.sqrt(t[k])
        sd = math.sqrt(t[k] - prev_t)
        shift = drift * (t[k] - prev_t)
        if u is None:
            u, w_dens = np.zeros(1), np.ones(1)  # S_0 = 0 with probability 1
        out[k] = _exit_probability(w_dens, u + shift, float(b[k]), sqrt_t, sd)
        step = min(_MAX_STEP, sd / _STEPS_PER_SD)
        if math.isfinite(b[k]):
            x, wx = _simpson_grid(b[k] * sqrt_t, step)
        else:
            x, wx = _simpson_grid(_OPEN_WIDTH_SDS * sqrt_t, step)
            x = x + drift * t[k]
        u, w_dens = x, _propagate(w_dens, u + shift, x, sd) * wx
        prev_t = float(t[k])
    return out


def check_fractions(information_fractions: Any) -> FloatArray:
    """Positive, non-decreasing information fractions (1-D)."""
    t = as_float_array(information_fractions, "information_fractions")
    if t.ndim != 1 or t.size == 0:
        raise StatsInputError("information_fractions", "need a list of fractions")
    if np.any(t <= 0):
        raise StatsInputError("information_fractions", "fractions must be above 0")
    if np.any(np.diff(t) < 0):
        raise StatsInputError("information_fractions", "fractions must not decrease")
    return t


def z_boundaries(
    information_fractions: Any, alpha: float = 0.05, kind: str = "obrien_fleming"
) -> FloatArray:
    """Two-sided |z| boundaries at each look (inf where there is no alpha to spend).

    The first look with fraction 1 or more is the final analysis and gets what is
    left of alpha; the correlation between looks uses the actual fractions. A look
    gets inf when it has nothing to spend: a look after the final one, an early
    O'Brien-Fleming look whose spent alpha underflows to 0 (t below about 0.003 at
    alpha 0.05), or a look that adds no information to the previous one.
    """
    alpha = check_probability(alpha, "alpha")
    check_choice(kind, "spending", SPENDING_FUNCTIONS)
    t = check_fractions(information_fractions)
    return np.array(_bounds_cached(tuple(float(v) for v in t), alpha, kind))


@dataclass(frozen=True)
class Boundaries:
    """Boundaries at each look: |z| to cross, cumulative alpha spent, nominal p."""

    alpha: float
    spending: str
    information_fractions: tuple[float, ...]
    z_boundaries: tuple[float, ...]
    cumulative_alpha: tuple[float, ...]
    nominal_p: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: a look with no alpha left has boundary None, nominal_p 0."""
        return {
            "alpha": self.alpha,
            "spending": self.spending,
            "information_fractions": list(self.information_fractions),
            "z_boundaries": [
                b if math.isfinite(b) else None for b in self.z_boundaries
            ],
            "cumulative_alpha": list(self.cumulative_alpha),
            "nominal_p": list(self.nominal_p),
        }


def boundaries(
    alpha: float = 0.05,
    information_fractions: Any = (0.25, 0.5, 0.75, 1.0),
    spending: str = "obrien_fleming",
) -> Boundaries:
    """Lan-DeMets group-sequential boundaries at the given information fractions.

    The first look at fraction 1 or more is the final analysis: cumulative_alpha
    reaches alpha there, and later looks have boundary inf (None in to_dict).
    """
    z = z_boundaries(information_fractions, alpha, spending)
    t = check_fractions(information_fractions)
    cum = spending_function(t, alpha, spending)
    return Boundaries(
        alpha=float(alpha),
        spending=spending,
        information_fractions=tuple(float(v) for v in t),
        z_boundaries=tuple(float(v) for v in z),
        cumulative_alpha=tuple(float(v) for v in cum),
        nominal_p=tuple(float(2.0 * special.ndtr(-v)) for v in z),
    )
