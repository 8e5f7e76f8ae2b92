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
from .checks import Inputs
from .looks import FRACTION_SLACK, Track, is_sequential
from .multiple import critical_levels
from .report_types import BoolArray, Notes, num


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


def headline(inp: Inputs, row: dict[str, Any], level: float) -> str:
    """'B beats A on conversion rate: +50% (95% CI +10% to +100%)'."""
    name, control = row["variant"], row["control"]
    if row["difference"] is None:
        return f"{name} vs {control} on {inp.label}"
    verb = wording.direction(row["difference"], inp.higher_is_better)
    effect = wording.effect_text(row, level, inp.metric == "binomial")
    return f"{name} {verb} {control} on {inp.label}: {effect}"


def _names(inp: Inputs, tr: Track, more: int | None):
    """A function naming look s (0-based) for this challenger."""
    past = tr.raw > 1.0 + FRACTION_SLACK

    def name(s: int) -> list[str]:
        past_units = None if inp.plan_units is None else bool(past[s])
        return wording.look_name(
            s + 1, inp.planned_looks, inp.n_sprints, more, past_units
        )

    return name


def sequential_status(
    inp: Inputs, row: dict[str, Any], tr: Track, more: int | None, notes: Notes
) -> str:
    """'significant at look 2 of 4', 'not significant yet: ...' and the like."""
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
            note = ["boundary crossed", f"now at {', '.join(current)}"]
        return f"significant at {name}" + (f" ({'; '.join(note)})" if note else "")
    vs = f"{row['variant']} vs {row['control']}"
    if tr.used[last] >= 1.0 - FRACTION_SLACK:
        notes.add("boundary_not_crossed", wording.ended_without_winner(vs))
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


def finish_comparisons(
    inp: Inputs,
    comparisons: list[dict[str, Any]],
    tracks: list[Track],
    more: int | None,
    notes: Notes,
) -> list[dict[str, Any]]:
    """Set each comparison's `significant` and `verdict`; return the look rows."""
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
        if row["difference"] is None:
            status = "no comparison possible yet"
        elif sequential:
            status = sequential_status(inp, row, tr, more, notes)
        else:
            pv = row["p_value_adjusted"]
            p_text = fig.p_text(pv) if pv is not None else "p not available"
            status = ("significant" if significant else "not significant") + (
                f" ({p_text})"
            )
        row["verdict"] = f"{headline(inp, row, level)}, {status}"
    return looks
