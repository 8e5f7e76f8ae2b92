"""Sentences for people: the verdicts and the warnings of an analysis.

Figures inside them are worded by stats.numbers, the module the web filters use
too, so a sentence and a table show the same figure the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import numbers as fig
from .srm import SRM_ALPHA

# An information fraction below this reads "under 0.1%" rather than "0.0%".
TINY_SHARE = 0.001


def simpson(metric: str) -> str:
    """The planned split changed between sprints: pooled figures can mislead."""
    how = (
        "The sprint looks, the verdict and its estimate compare the variants "
        "within each sprint (stratified); the tables show the pooled figures."
        if metric == "binomial"
        else "Read the pooled figures with care."
    )
    return (
        "The planned traffic split changed between sprints. Simply adding up "
        "the sprints can mislead (Simpson's paradox): a sprint that was better "
        "or worse for everyone weighs more in the variant that got more "
        "traffic then. " + how
    )


EXACT_DIFFERENCE = (
    "an exact difference: every unit of each variant has the same value, so the "
    "difference is certain"
)


def simpson_reversal(name: str, control: str, pooled: str, within: str) -> str:
    """The pooled figures point the other way from the comparison within sprints."""
    return (
        f"{name} vs {control}: added up over the sprints, the figures read "
        f"{pooled}, the opposite of the comparison within sprints ({within}). "
        "The within-sprint figures are the ones to trust; the pooled ones mix "
        "sprints in different proportions."
    )


OBSERVATIONAL = (
    "The variants were not assigned at random (for example each rep chose "
    "their own script), so a difference may come from who used which "
    "variant rather than from the variant itself. Treat it as a hint."
)


def always_valid_mode(planned_looks: int | None) -> str:
    """Why the looks are always-valid: no sample size could be planned."""
    why = (
        f"With {planned_looks} planned looks but no baseline rate and smallest "
        "lift, no sample size can be derived"
        if planned_looks
        else "No sample size was planned"
    )
    return (
        f"{why}, so every sprint is a look judged with always-valid intervals: "
        "a winner can be called at any sprint and the error rate still holds, "
        "however often you look. They are wider than a fixed test's; plan a "
        "sample size to get narrower ones."
    )


BEYOND_PLAN = (
    "The experiment has run past its plan: the first look that "
    "reached the planned sample was the final analysis and spent "
    "what was left of the error allowance, so later sprints cannot "
    "change the verdict."
)
BEST_UNDEFINED = (
    "The chance to be best cannot be computed until every variant has at least "
    "two units."
)
OMNIBUS_UNDEFINED = (
    "The test across all variants cannot be computed yet "
    "(a variant is empty, or nobody or everybody converted)."
)
CMH_UNDEFINED = (
    "The test stratified by sprint cannot be computed "
    "yet (no variation within the sprints)."
)


def alpha_spent(name: str) -> str:
    """Nothing of the error allowance is left for this look."""
    return (
        f"{name}: all of the error allowance was used at earlier "
        "looks, so this look cannot declare a winner."
    )


def early_look(name: str, share: float) -> str:
    """The look is so early that its boundary spends no alpha."""
    share_text = "under 0.1%" if share < TINY_SHARE else fig.pct(share, sign=False)
    return (
        f"{name}: this look comes so early in the plan "
        f"({share_text} of the planned information) that the "
        "boundary spends none of the error allowance on it, so it "
        "cannot declare a winner yet."
    )


def srm(names: Sequence[str], shares: Sequence[float], p: float) -> str:
    """Sample ratio mismatch: the traffic split is not what was planned."""
    text = ", ".join(
        f"{name} {fig.pct(share, sign=False)}"
        for name, share in zip(names, shares, strict=True)
    )
    return (
        f"Sample ratio mismatch: the traffic split ({text}) is not what was "
        f"planned (chance of a split this far off by luck: {fig.p_text(p)}, "
        f"alarm below {SRM_ALPHA:g}). Something in the set-up sends traffic "
        "unevenly, so the results may be biased: fix that before trusting them."
    )


# Notes on a figure that does not exist, or on how it was computed, by code:
# each a sentence with named parameters, worded by note().
NOTES = {
    "no_units": "{name} has no units yet, so its {label} is not available.",
    "too_few_units": (
        "{name} has fewer than two units, so its spread and interval for {label} "
        "are not available."
    ),
    "no_control_conversions": (
        "{control} has no conversions yet, so the relative lift of {name} cannot "
        "be computed (it would divide by zero); the difference in points is shown."
    ),
    "no_conversions": (
        "{name} has no conversions yet, so the interval for its relative lift "
        "cannot be computed."
    ),
    "all_converted": (
        "Every unit converted in both {control} and {name}: there is no spread to "
        "test, so the z statistic and the lift interval do not exist."
    ),
    "fisher": (
        "{name} vs {control}: the counts are small, so the p-value comes from "
        "Fisher's exact test."
    ),
    "no_spread": (
        "{name} and {control} show no spread at all, so Welch's t-test cannot be "
        "computed."
    ),
    "no_relative_lift": (
        "The mean of {control} is not above zero, so the relative lift of {name} "
        "is not defined; the difference is shown."
    ),
    "ended_without_winner": (
        "{vs}: no significant difference by the planned end of the test."
    ),
}


def note(code: str, **params: str) -> str:
    """The sentence of a NOTES code with its parameters filled in."""
    return NOTES[code].format(**params)


def underpowered(basis: str, mde: float, power: float, required: float, have: str):
    """The plan's sample cannot reliably detect the planned effect."""
    return (
        f"Too few units for the planned effect: {basis}, detecting a "
        f"{fig.pct(mde)} change reliably (power {power:.0%}) takes "
        f"about {int(required):,} units per variant, but {have} fall "
        "short. A real effect of that size could easily be missed."
    )


def below_threshold(vs: str, boundary: float) -> str:
    return (
        f"{vs}: the difference has not crossed this look's threshold (|z| "
        f"of {boundary:.2f} needed), so it could still be chance: keep the test "
        "running."
    )


def look_name(
    s: int,
    planned_looks: int | None,
    n_sprints: int,
    more: int | None,
    past_units: bool | None,
) -> list[str]:
    """'look 2 of 4', plus a note when the look is past the plan.

    s is 1-based; past_units is None when no sample was planned, else whether
    this look is past it; more is the sprints still needed. Returns [name] or
    [name, note]: never "look 3 of 2".
    """
    k = planned_looks
    if k is not None and s > k:
        return [f"look {s}", f"past the {k} planned"]
    if k is not None:
        name = f"look {s} of {k}"
    elif past_units is None:  # no plan at all: always-valid looks, no last one
        name = f"look {s}"
    elif more is not None and not past_units:
        name = f"look {s} of about {n_sprints + more}"
    else:
        name = f"look {s}"
    return [name, "past the planned sample"] if past_units else [name]


def effect_text(
    estimate: dict[str, Any], level: float, binomial: bool, pooled: bool = False
) -> str:
    """'+50% (95% CI +10% to +100%)', or the difference when there is no lift."""
    lift = estimate["relative_lift"]
    if lift is not None:
        fmt, text, (lo, hi) = fig.pct, fig.pct(lift), estimate["relative_lift_ci"]
    else:
        fmt = fig.points if binomial else fig.mean_difference
        text, (lo, hi) = fmt(estimate["difference"]), estimate["difference_ci"]
    if lo is not None and hi is not None:
        ci = fig.ci_text(level, fmt(lo), fmt(hi))
        if estimate.get("always_valid"):
            ci = f"{ci[:-1]}, valid at any look)"
        text += " " + ci
    return text


def direction(difference: float, higher_is_better: bool) -> str:
    """'beats', 'trails' or 'ties with', from the estimate's sign."""
    if difference == 0:
        return "ties with"
    better = difference > 0 if higher_is_better else difference < 0
    return "beats" if better else "trails"
