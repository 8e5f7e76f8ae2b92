"""Significance and the verdict of each comparison, told with its look rows.

Sequential: a comparison is significant when any of its looks crossed its
boundary; the verdict names the first such look. Single look: the Holm (or BH)
adjusted p-value decides, and the look shows the critical z of the level that
applied to the comparison (multiple.critical_levels), so its `crossed` is the
comparison's `significant`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from . import numbers as fig
from . import wording
from .arrays import BoolArray
from .checks import Inputs
from .estimates import Estimate
from .looks import FRACTION_SLACK, Track, is_sequential
from .multiple import critical_levels
from .report_types import Notes, num


def _look_rows(
    inp: Inputs, variant: str, tr: Track, bounds: Any, crossed: BoolArray
) -> list[dict[str, Any]]:
    return [
        {
            "variant": variant,
            "sprint": inp.labels[s],
            "information_fraction": num(tr.used[s]),
            "z": num(tr.z[s]) if tr.informed[s] else None,
            "boundary": num(bounds[s]) if tr.informed[s] else None,
            "crossed": bool(crossed[s]),
        }
        for s in range(inp.n_sprints)
    ]


def headline(inp: Inputs, row: dict[str, Any], est: Estimate, level: float) -> str:
    """'B beats A on conversion rate: +50% (95% CI +10% to +100%)'.

    est is the estimate at the decision point: the latest look, or the look
    that crossed its boundary; stratified by sprint when the looks are.
    """
    name, control = row["variant"], row["control"]
    if est["difference"] is None:
        return f"{name} vs {control} on {inp.label}"
    verb = wording.direction(est["difference"], inp.higher_is_better)
    effect = wording.effect_text(est, level, inp.metric == "binomial")
    within = " within sprints" if inp.stratify else ""
    return f"{name} {verb} {control} on {inp.label}{within}: {effect}"


def _names(inp: Inputs, tr: Track, more: int | None):
    """A function naming look s (0-based) for this challenger."""
    past = tr.raw > 1.0 + FRACTION_SLACK

    def name(s: int) -> list[str]:
        past_units = None if inp.plan_units is None else bool(past[s])
        return wording.look_name(
            s + 1, inp.planned_looks, inp.n_sprints, more, past_units
        )

    return name


def decision_look(inp: Inputs, tr: Track, sequential: bool) -> int:
    """The look the verdict reports: the first that crossed, else the latest."""
    crossed = tr.crossed
    if sequential and crossed.any():
        return int(np.argmax(crossed))
    return inp.n_sprints - 1


def sequential_status(
    inp: Inputs,
    row: dict[str, Any],
    tr: Track,
    more: int | None,
    notes: Notes,
    since: str | None = None,
) -> str:
    """'significant at look 2 of 4', 'not significant yet: ...' and the like.

    since: the latest estimate, worded, when the boundary was crossed earlier.
    """
    look = _names(inp, tr, more)
    last = inp.n_sprints - 1
    current = look(last)
    crossed = tr.crossed
    if crossed.any():
        # The first crossing decides; the verdict names that look.
        first = int(np.argmax(crossed))
        if first == last:
            name, *note = current
        else:
            name = look(first)[0]
            now = f"since then, at {', '.join(current)}, the estimate is {since}"
            note = ["boundary crossed", now]
        return f"significant at {name}" + (f" ({'; '.join(note)})" if note else "")
    vs = f"{row['variant']} vs {row['control']}"
    if tr.used[last] >= 1.0 - FRACTION_SLACK:
        notes.add("boundary_not_crossed", wording.note("ended_without_winner", vs=vs))
        return (
            "not significant: no clear winner at the planned end "
            f"({', '.join(current)})"
        )
    status = f"not significant yet: {current[0]}"
    if len(current) > 1:
        status += f" ({current[1]})"
    if more:
        status += f"; about {more} more sprint{'s' if more != 1 else ''}"
        status += " at current traffic"
    b = num(tr.bounds[last]) if tr.informed[last] else None
    if b is not None:
        notes.add("boundary_not_crossed", wording.below_threshold(vs, b))
    return status


def _exact(variants: list[dict[str, Any]], i: int) -> bool:
    """Both variants have two units or more and no spread: a certain difference."""
    pair = (variants[0], variants[i + 1])
    return all(v.get("sd") == 0 and v["units"] >= 2 for v in pair)


def _simpson_check(
    inp: Inputs, row: dict[str, Any], est: Estimate, level: float, notes: Notes
) -> None:
    """Warn when the pooled figures point the other way from the stratified."""
    pooled, within = row["difference"], est["difference"]
    if not inp.stratify or pooled is None or within is None:
        return
    if np.sign(pooled) == np.sign(within):
        return
    binomial = inp.metric == "binomial"
    notes.add(
        "simpson",
        wording.simpson_reversal(
            row["variant"],
            row["control"],
            wording.effect_text(row, level, binomial),
            wording.effect_text(est, level, binomial),
        ),
    )


def _status(
    inp: Inputs,
    row: dict[str, Any],
    tr: Track,
    ests: list[Estimate],
    context: dict[str, Any],
) -> str:
    """The part of the verdict after the headline."""
    if row["difference"] is None:
        return "no comparison possible yet"
    if context["exact"]:
        return wording.EXACT_DIFFERENCE
    if context["sequential"]:
        binomial = inp.metric == "binomial"
        since = wording.effect_text(ests[-1], context["level"], binomial)
        return sequential_status(inp, row, tr, context["more"], context["notes"], since)
    pv = row["p_value_adjusted"]
    p_text = fig.p_text(pv) if pv is not None else "p not available"
    significant = "significant" if row["significant"] else "not significant"
    return f"{significant} ({p_text})"


def finish_comparisons(
    inp: Inputs,
    variants: list[dict[str, Any]],
    comparisons: list[dict[str, Any]],
    tracks: list[Track],
    estimates: list[list[Estimate]],
    more: int | None,
    notes: Notes,
) -> list[dict[str, Any]]:
    """Set each comparison's `significant` and `verdict`; return the look rows.

    The verdict quotes estimates[i] at the decision look (look_estimates).
    """
    sequential = is_sequential(inp, tracks)
    level = 100 * (1 - inp.alpha)
    looks: list[dict[str, Any]] = []
    if not sequential:
        p = np.array(
            [np.nan if r["p_value"] is None else r["p_value"] for r in comparisons]
        )
        levels = critical_levels(p[None, :], inp.alpha, inp.correction)[0]
    for i, row in enumerate(comparisons):
        tr = tracks[i]
        if sequential:
            crossed, bounds = tr.crossed, tr.bounds
            significant = bool(crossed.any())
        else:
            pa = row["p_value_adjusted"]
            significant = pa is not None and pa < inp.alpha
            crossed = np.array([significant])
            with np.errstate(invalid="ignore"):
                bounds = np.array([-special.ndtri(levels[i] / 2.0)])
        row["significant"] = bool(significant)
        looks.extend(_look_rows(inp, row["variant"], tr, bounds, crossed))
        at = decision_look(inp, tr, sequential)
        est = estimates[i][at]
        row["decision"] = {
            **est,
            "sprint": inp.labels[at],
            "stratified": inp.stratify,
            "ended": bool(tr.used[-1] >= 1.0 - FRACTION_SLACK),
        }
        _simpson_check(inp, row, estimates[i][-1], level, notes)
        context = {
            "sequential": sequential,
            "exact": _exact(variants, i),
            "level": level,
            "more": more,
            "notes": notes,
        }
        status = _status(inp, row, tr, estimates[i], context)
        row["verdict"] = f"{headline(inp, row, est, level)}, {status}"
    return looks
