"""The figures of one analysis: per-variant rows, comparisons, omnibus and checks.

A batch of one experiment through the batch functions (binomial, continuous) on
the cumulative totals, plus the sample ratio check and the test stratified by
sprint. Each function reads the checked Inputs and adds its warnings to Notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scipy import special

from . import wording
from .binomial import analyze_binomial_batch
from .checks import Inputs
from .continuous import continuous_batch
from .estimates import stratified_at
from .report_types import Notes, count, num
from .srm import sample_ratio_mismatch
from .stratified import cmh_general, cmh_z


@dataclass(frozen=True)
class Figures:
    """The pooled figures: variant rows, comparison rows, omnibus, chance best."""

    variants: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    omnibus: dict[str, Any] | None
    best: tuple[float | None, ...]


def _pair(low: Any, high: Any) -> list[float | None]:
    return [num(low), num(high)]


def _comparison(b: Any, i: int, control: str, name: str) -> dict[str, Any]:
    """The fields a binomial and a continuous comparison row share."""
    return {
        "variant": name,
        "control": control,
        "difference": num(b.difference[0, i]),
        "difference_ci": _pair(b.difference_low[0, i], b.difference_high[0, i]),
        "relative_lift": num(b.relative_lift[0, i]),
        "relative_lift_ci": _pair(
            b.relative_lift_low[0, i], b.relative_lift_high[0, i]
        ),
    }


def _tail(b: Any, i: int) -> dict[str, Any]:
    return {
        "p_value": num(b.p_value[0, i]),
        "p_value_adjusted": num(b.p_value_adjusted[0, i]),
        "chance_to_beat_control": num(b.chance_to_beat_control[0, i]),
        "expected_loss": num(b.expected_loss[0, i]),
    }


def _binomial_notes(inp: Inputs, b: Any, i: int, notes: Notes) -> None:
    control, name = inp.names[0], inp.names[i + 1]
    x_c, n_c = b.conversions[0, 0], b.units[0, 0]
    x_t, n_t = b.conversions[0, i + 1], b.units[0, i + 1]
    if not (n_t > 0 and n_c > 0):
        return
    if x_c == 0:
        notes.add(
            "undefined",
            wording.note("no_control_conversions", control=control, name=name),
        )
    elif x_t == 0:
        notes.add("undefined", wording.note("no_conversions", name=name))
    if x_c == n_c and x_t == n_t:
        notes.add(
            "undefined", wording.note("all_converted", control=control, name=name)
        )
    if b.fisher[0, i]:
        notes.add("small_sample", wording.note("fisher", name=name, control=control))


# A variant row's figures: (key, how it is read, the batch's array name).
_BINOMIAL_FIGURES = (
    ("conversions", "count", "conversions"),
    ("rate", "num", "rate"),
    ("rate_ci", "interval", "rate"),
)
_CONTINUOUS_FIGURES = (
    ("mean", "num", "mean"),
    ("sd", "num", "sd"),
    ("mean_ci", "interval", "mean"),
)


def _figure(b: Any, how: str, name: str, j: int) -> Any:
    if how == "interval":
        return _pair(getattr(b, name + "_low")[0, j], getattr(b, name + "_high")[0, j])
    value = getattr(b, name)[0, j]
    return count(value) if how == "count" else num(value)


def _rows(
    inp: Inputs,
    b: Any,
    notes: Notes,
    figures: tuple[tuple[str, str, str], ...],
    finish: Callable[[int, dict[str, Any]], None],
) -> tuple[list, list]:
    """Variant rows (name, units, figures) and comparison rows, each finished by
    finish(i, row) with the metric's own figures and notes. A variant with too
    few units for its figures (1 for a rate, 2 for a mean and sd) gets a note."""
    minimum, code = (
        (1, "no_units") if figures is _BINOMIAL_FIGURES else (2, "too_few_units")
    )
    variants = []
    for j, name in enumerate(inp.names):
        units = count(b.units[0, j])
        if units < minimum:
            notes.add("undefined", wording.note(code, name=name, label=inp.label))
        row = {"name": name, "units": units}
        row.update({key: _figure(b, how, arr, j) for key, how, arr in figures})
        variants.append(row)
    comparisons = []
    for i, name in enumerate(inp.names[1:]):
        row = _comparison(b, i, inp.names[0], name)
        finish(i, row)
        row.update(_tail(b, i))
        comparisons.append(row)
    return variants, comparisons


def binomial_rows(inp: Inputs, b: Any, notes: Notes) -> tuple[list, list]:
    """Variant rows (units, conversions, rate and its interval) and comparisons."""

    def finish(i: int, row: dict[str, Any]) -> None:
        row["z"] = num(b.z[0, i])
        row["test"] = "fisher_exact" if b.fisher[0, i] else "z_pooled"
        _binomial_notes(inp, b, i, notes)

    return _rows(inp, b, notes, _BINOMIAL_FIGURES, finish)


def continuous_rows(inp: Inputs, b: Any, notes: Notes) -> tuple[list, list]:
    """Variant rows (units, mean, sd, interval of the mean) and comparisons."""
    control = inp.names[0]

    def finish(i: int, row: dict[str, Any]) -> None:
        row.update(t=num(b.t[0, i]), df=num(b.df[0, i]), test="welch_t")
        name = row["variant"]
        if b.units[0, i + 1] >= 2 and b.units[0, 0] >= 2 and not _has_p(b, i):
            notes.add(
                "undefined", wording.note("no_spread", name=name, control=control)
            )
        if row["relative_lift"] is None and row["difference"] is not None:
            notes.add(
                "undefined",
                wording.note("no_relative_lift", control=control, name=name),
            )

    return _rows(inp, b, notes, _CONTINUOUS_FIGURES, finish)


def _has_p(b: Any, i: int) -> bool:
    return num(b.p_value[0, i]) is not None


def omnibus(
    inp: Inputs, test: str, stat: float, dof: int, p: float, notes: Notes
) -> dict[str, Any] | None:
    """The test across all variants (three or more), or None for two."""
    if inp.n_var < 3:
        return None
    if not math.isfinite(stat):
        notes.add("undefined", wording.OMNIBUS_UNDEFINED)
    return {"test": test, "statistic": num(stat), "dof": dof, "p_value": num(p)}


def pooled_figures(inp: Inputs, notes: Notes) -> Figures:
    """The figures on the cumulative totals of all sprints."""
    total = inp.total_n[None, :]
    args = (inp.alpha, inp.correction, inp.higher_is_better)
    if inp.metric == "binomial":
        assert inp.x is not None
        b: Any = analyze_binomial_batch(total, inp.x.sum(axis=0)[None, :], *args)
        variants, comparisons = binomial_rows(inp, b, notes)
        test = "chi_square"
    else:
        b = continuous_batch(*(v[None, :] for v in inp.total_cells), *args)
        variants, comparisons = continuous_rows(inp, b, notes)
        test = "welch_anova"
    omni = omnibus(
        inp, test, b.omnibus_statistic[0], b.omnibus_dof, b.omnibus_p_value[0], notes
    )
    if omni is not None and test == "welch_anova":
        omni["dof_denominator"] = num(b.omnibus_dof_denominator[0])
    best = tuple(num(v) for v in b.chance_to_be_best[0])
    if inp.n_var >= 3 and any(v is None for v in best):
        notes.add("undefined", wording.BEST_UNDEFINED)
    return Figures(variants, comparisons, omni, best)


def srm_figures(inp: Inputs, notes: Notes) -> dict[str, Any]:
    """Sample ratio mismatch of the units against the planned split."""
    r = sample_ratio_mismatch(inp.n, inp.split)
    if r.mismatch:
        total = inp.total_n
        shares = [float(u / total.sum()) for u in total]
        notes.add("srm", wording.srm(inp.names, shares, r.p_value))
    return {
        "statistic": num(r.statistic),
        "dof": r.dof,
        "p_value": num(r.p_value),
        "mismatch": r.mismatch,
        "expected_units": [num(e) for e in r.expected],
    }


def stratified_figures(inp: Inputs, notes: Notes) -> dict[str, Any] | None:
    """The CMH test stratified by sprint (binomial, two sprints or more)."""
    if inp.n_sprints < 2 or inp.metric != "binomial":
        return None
    assert inp.x is not None
    stat, dof, p = cmh_general(inp.n, inp.x)
    rows = []
    mh = stratified_at(inp, inp.n_sprints - 1)
    for j in range(1, inp.n_var):
        zf = float(cmh_z(inp.x[:, j], inp.n[:, j], inp.x[:, 0], inp.n[:, 0]))
        rows.append(
            {
                "variant": inp.names[j],
                "z": num(zf),
                "statistic": num(zf * zf),
                "p_value": num(2.0 * special.ndtr(-abs(zf))),
                **mh[j - 1],  # Mantel-Haenszel difference and lift, intervals
            }
        )
    if not math.isfinite(stat):
        notes.add("undefined", wording.CMH_UNDEFINED)
    return {
        "test": "cmh",
        "statistic": num(stat),
        "dof": dof,
        "p_value": num(p),
        "comparisons": rows,
    }
