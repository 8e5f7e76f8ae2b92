"""The sequential looks engine: z, information and boundaries per sprint.

Each sprint is a look at the cumulative data. A challenger's looks are tested
against Lan-DeMets boundaries (sequential.z_boundaries), each challenger with
alpha / (number of challengers) (Bonferroni).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from . import wording
from .arrays import BoolArray, FloatArray
from .binomial import fisher_exact_p, needs_fisher, pooled_z
from .checks import Inputs
from .continuous import mean_and_sd
from .planning import comparison_alpha
from .report_types import Notes
from .sequential import spending_function, z_boundaries
from .stratified import cmh_z

# Slack on information fractions compared with 1 (the plan reached, or passed).
FRACTION_SLACK = 1e-9


@dataclass(frozen=True)
class Track:
    """One challenger's sprint looks (arrays over sprints)."""

    z: FloatArray  # NaN where undefined
    raw: FloatArray  # information fraction of the plan (above 1 past the plan)
    used: FloatArray  # the fraction shown and spent on: capped at 1
    bounds: FloatArray  # |z| boundary, inf where nothing can be spent
    informed: BoolArray  # False: no information yet, so not a look

    @property
    def crossed(self) -> BoolArray:
        """Looks whose |z| reached the boundary."""
        with np.errstate(invalid="ignore"):
            return self.informed & (np.abs(self.z) >= self.bounds)


def harmonic(n_t: FloatArray, n_c: FloatArray) -> FloatArray:
    """n_t n_c / (n_t + n_c) = 1 / (1/n_t + 1/n_c), and 0 where either is 0."""
    both = (n_t > 0) & (n_c > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(both, n_t * n_c / (n_t + n_c), 0.0)


def _fisher_z(z: FloatArray, x_t, n_t, x_c, n_c) -> FloatArray:
    """Where a table needs Fisher's test, the z with Fisher's two-sided p."""
    fisher = needs_fisher(x_t, n_t, x_c, n_c)
    if fisher.any():
        p = fisher_exact_p(x_t[fisher], n_t[fisher], x_c[fisher], n_c[fisher])
        diff = x_t[fisher] / n_t[fisher] - x_c[fisher] / n_c[fisher]
        # + 0.0 turns the -0.0 of a zero difference into 0.0.
        z[fisher] = np.sign(diff) * -special.ndtri(p / 2.0) + 0.0
    return z


def _binomial_z(inp: Inputs) -> FloatArray:
    assert inp.x is not None
    cum_n, cum_x = inp.cum_n, np.cumsum(inp.x, axis=0)
    x_t, n_t = cum_x[:, 1:], cum_n[:, 1:]
    x_c = np.broadcast_to(cum_x[:, :1], x_t.shape)
    n_c = np.broadcast_to(cum_n[:, :1], n_t.shape)
    z = pooled_z(x_t, n_t, x_c, n_c)
    if inp.stratify:
        for s in range(inp.n_sprints):
            sl = slice(0, s + 1)
            z[s] = cmh_z(inp.x[sl, 1:], inp.n[sl, 1:], inp.x[sl, :1], inp.n[sl, :1])
    return _fisher_z(z, x_t, n_t, x_c, n_c)


def _continuous_z(inp: Inputs) -> FloatArray:
    cum_n, cum_mean, cum_m2 = inp.cum_cells
    mean, sd = mean_and_sd(cum_n, cum_mean, cum_m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = sd**2 / cum_n
        se = np.sqrt(var[:, 1:] + var[:, :1])
        t = (mean[:, 1:] - mean[:, :1]) / se
        df = se**4 / (
            var[:, 1:] ** 2 / (cum_n[:, 1:] - 1) + var[:, :1] ** 2 / (cum_n[:, :1] - 1)
        )
    ok = np.isfinite(t) & np.isfinite(df) & (se > 0)
    z = np.full(t.shape, np.nan)
    if ok.any():
        # The normal z with the same two-sided p-value as Welch's t. Beyond
        # |z| of about 38 the p-value underflows to 0 (ndtri would give inf):
        # there |t| itself stands in, far past every finite boundary.
        p = stats.t.sf(np.abs(t[ok]), df[ok])
        safe_p = np.where(p > 0, p, 0.5)
        z[ok] = np.sign(t[ok]) * np.where(p > 0, -special.ndtri(safe_p), np.abs(t[ok]))
    return z


def look_z(inp: Inputs) -> FloatArray:
    """z per sprint (rows) per challenger (columns), cumulative data.

    Binomial: the pooled z, or the CMH z stratified by sprint when the split
    changed; where the cumulative table needs Fisher's exact test (the rule of
    the comparison, binomial.needs_fisher) the z with the same two-sided
    p-value as Fisher's test, signed like the difference. Continuous: the z
    with the same two-sided p-value as Welch's t.
    """
    return _binomial_z(inp) if inp.metric == "binomial" else _continuous_z(inp)


def information(inp: Inputs) -> FloatArray:
    """Statistical information per sprint per challenger, up to a constant.

    The variance of a difference of two means or rates is proportional to
    1/n_t + 1/n_c, so its information is n_t n_c / (n_t + n_c) on the
    cumulative units (0 while either arm has none). For the test stratified by
    sprint (CMH) it is the sum over sprints of each sprint's n_t n_c /
    (n_t + n_c).
    """
    if inp.stratify:
        return np.cumsum(harmonic(inp.n[:, 1:], inp.n[:, :1]), axis=0)
    cum_n = inp.cum_n
    return harmonic(cum_n[:, 1:], cum_n[:, :1])


def fractions(inp: Inputs, info: FloatArray) -> FloatArray:
    """Planned information fraction per sprint per challenger (may exceed 1).

    With planned_units: the information reached over the planned information
    P_t P_c / (P_t + P_c). With a one-look plan and no planned units: sprint s
    is at s (the first look is the final one). A challenger with no information
    yet (it, or the control, has no units) is at 0: it has no look at that
    sprint. Otherwise the looks are always-valid (stats.anytime) and this is not
    used.
    """
    if inp.plan_units is not None:
        return info / harmonic(inp.plan_units[1:], inp.plan_units[:1])
    assert inp.planned_looks is not None  # without any plan the looks are anytime's
    steps = np.arange(1, inp.n_sprints + 1, dtype=np.float64) / inp.planned_looks
    return np.where(info > 0, steps[:, None], 0.0)


def _track_notes(
    inp: Inputs, name: str, tj: FloatArray, used: FloatArray, bounds, notes: Notes
) -> None:
    """Warnings about one challenger's latest look: past the plan, no alpha."""
    informed = tj > 0
    if tj[-1] > 1.0 + FRACTION_SLACK:
        notes.add("beyond_plan", wording.BEYOND_PLAN)
    if not (informed[-1] and not math.isfinite(bounds[-1]) and tj[-1] <= 1.0):
        return
    alpha_c = comparison_alpha(inp.alpha, inp.n_var)
    earlier = used[informed][:-1]
    spent = (
        float(spending_function(earlier[-1:], alpha_c, inp.spending)[0])
        if earlier.size
        else 0.0
    )
    if spent >= alpha_c * (1.0 - FRACTION_SLACK):
        notes.add("alpha_spent", wording.alpha_spent(name))
    else:
        notes.add("early_look", wording.early_look(name, float(tj[-1])))


def tracks(inp: Inputs, notes: Notes) -> list[Track]:
    """z, information fractions and Lan-DeMets boundaries per challenger.

    Each challenger gets alpha / (number of challengers) (Bonferroni), spent
    over its own looks. Sprints where it has no information yet are not
    looks: no alpha is spent on them and their boundary is None. The first
    look that reaches the plan is the final analysis; later looks spend nothing.
    """
    z = look_z(inp)
    raw = fractions(inp, information(inp))
    alpha_c = comparison_alpha(inp.alpha, inp.n_var)
    out = []
    for j in range(inp.n_var - 1):
        tj = raw[:, j]
        informed = tj > 0
        used = np.zeros(inp.n_sprints)
        bounds = np.full(inp.n_sprints, np.inf)
        if informed.any():
            used[informed] = np.minimum(tj[informed], 1.0)
            bounds[informed] = z_boundaries(tj[informed], alpha_c, inp.spending)
        _track_notes(inp, inp.names[j + 1], tj, used, bounds, notes)
        out.append(Track(z[:, j], tj, used, bounds, informed))
    return out


def is_sequential(inp: Inputs, tracks_: list[Track]) -> bool:
    """Several looks, planned or made, or no planned sample size: significance
    comes from the boundaries."""
    no_plan = inp.plan_units is None and inp.planned_looks is None
    if no_plan or inp.n_sprints > 1 or (inp.planned_looks or 1) > 1:
        return True  # without any plan, always-valid from the first look
    return inp.plan_units is not None and any(
        t.raw[-1] < 1.0 - FRACTION_SLACK for t in tracks_
    )
