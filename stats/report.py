"""analyze(): one experiment, all looks, figures and verdicts in plain words.

The steps run in one direction, each on plain data: checks (Inputs) -> figures
(pooled rows, sample ratio, stratified test) -> looks (z, information,
boundaries) -> planning -> verdicts -> the Report.

How analyze() reads its inputs and decides:
units (and conversions, or for a continuous metric means and m2s, M2 being
the sum of squared deviations (n - 1) sd^2, or sums and sum_squares) are (S, V):
one row per sprint, the control in column 0; a (V,) array is one look. Means
and M2 keep a small spread around a large mean that sums of squares lose; the
sprints' cells combine by Chan et al.'s formula (continuous.combine_cells).
Figures for the comparisons use the cumulative totals.

Significance, with a planned sample size (planned_units): a comparison is
significant as soon as any look crosses its Lan-DeMets boundary (the verdict
names the first such look), spent by information: n_t n_c / (n_t + n_c) (summed
over sprints for the stratified test) over the planned P_t P_c / (P_t + P_c).
With two or more challengers each comparison gets alpha / (number of
challengers) (Bonferroni). A sprint at which a challenger (or the control) has
no units yet is not a look for it: no alpha is spent, and its look row has z and
boundary None and crossed False. Past the plan the first look that reached it
was the final analysis and spent what alpha was left; later looks spend nothing
and cannot change the verdict (gsDesign's convention). The look rows show the
fractions capped at 1. A single look that completes the plan is judged by the
Holm (or BH) adjusted p-value, and its boundary is the critical z of the level
the adjustment applied to it (multiple.critical_levels); so is a plan of one
look without a sample size (later sprints are past it).

Without a planned sample size (planned_looks alone with no baseline rate and
smallest lift to size it, or no plan at all) every sprint is an always-valid
look (stats.anytime): significant once the mixture SPRT's
confidence sequence for the difference excludes 0, and the verdict quotes the
always-valid intervals. The look rows then have no
information fraction.

The looks use the pooled z (binomial) or the normal equivalent of Welch's t
(continuous) on the cumulative counts; when the planned split changed between
sprints the binomial looks use the Cochran-Mantel-Haenszel z stratified by
sprint, because the pooled counts can mislead (Simpson's paradox). A look
whose cumulative table calls for Fisher's exact test (as the comparison's
does) uses the z with the same two-sided p-value as Fisher's test.

metric_label names the metric in the verdicts; by default "conversion rate"
(binomial) or "mean value" (continuous).

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from . import anytime, wording
from .checks import Inputs, check_inputs
from .curtail import chance_by_the_end
from .estimates import look_estimates
from .figures import pooled_figures, srm_figures, stratified_figures
from .information import information_plan
from .looks import tracks
from .plan import planning_figures
from .recommend import recommend
from .report_types import Notes, Report
from .verdicts import finish_comparisons


def analyze(
    metric: str,
    names: Sequence[str],
    units: Any,
    conversions: Any = None,
    sums: Any = None,
    sum_squares: Any = None,
    *,
    means: Any = None,
    m2s: Any = None,
    alpha: float = 0.05,
    power: float = 0.8,
    planned_split: Any = None,
    planned_units: Any = None,
    planned_looks: int | None = None,
    spending: str = "obrien_fleming",
    correction: str = "holm",
    relative_mde: float | None = None,
    baseline_rate: float | None = None,
    observational: bool = False,
    metric_label: str | None = None,
    sprint_labels: Sequence[str] | None = None,
    higher_is_better: bool = True,
) -> Report:
    """Analyse one experiment from per-sprint sufficient statistics.

    The conventions it follows are in this module's docstring. With
    planned_looks, a binomial baseline_rate and a relative_mde but no
    planned_units, the planned units are the plan's sample size inflated for
    the looks (stats.information.information_plan).
    """
    if planned_units is None and metric == "binomial":
        plan = (planned_looks, baseline_rate, relative_mde, alpha, power, spending)
        planned_units = _sized_plan(len(names), *plan)
    inp = check_inputs(
        metric,
        names,
        units,
        conversions=conversions,
        sums=sums,
        sum_squares=sum_squares,
        means=means,
        m2s=m2s,
        alpha=alpha,
        power=power,
        planned_split=planned_split,
        planned_units=planned_units,
        planned_looks=planned_looks,
        spending=spending,
        correction=correction,
        relative_mde=relative_mde,
        observational=observational,
        metric_label=metric_label,
        sprint_labels=sprint_labels,
        higher_is_better=higher_is_better,
    )
    return _report(inp)


def _sized_plan(
    variants: int,
    looks: int | None,
    baseline: float | None,
    mde: float | None,
    alpha: float,
    power: float,
    spending: str,
) -> int | None:
    """Units per variant of a plan given by its looks, baseline and smallest
    lift, inflated for the looks; None when it cannot be sized."""
    if not looks or baseline is None or mde is None:
        return None
    plan = information_plan(looks, baseline, mde, alpha, power, variants, spending)
    return plan.units_per_variant


def _report(inp: Inputs) -> Report:
    """The figures, looks, planning and verdicts of checked inputs."""
    notes = Notes()
    figures = pooled_figures(inp, notes)
    srm = srm_figures(inp, notes)
    if inp.split_changed:
        notes.add("simpson", wording.simpson(inp.metric))
    stratified = stratified_figures(inp, notes)
    if anytime.applies(inp):
        tracks_, estimates = anytime.looks(inp, notes)
    else:
        tracks_, estimates = tracks(inp, notes), look_estimates(inp)
    planning = planning_figures(inp, notes)
    comparisons = [dict(row) for row in figures.comparisons]
    looks = finish_comparisons(
        inp,
        figures.variants,
        comparisons,
        tracks_,
        estimates,
        planning["more_sprints"],
        notes,
    )
    if inp.observational:
        notes.add("observational", wording.OBSERVATIONAL)
    report = Report(
        metric=inp.metric,
        metric_label=inp.label,
        alpha=inp.alpha,
        higher_is_better=inp.higher_is_better,
        variants=tuple(figures.variants),
        comparisons=tuple(comparisons),
        chance_to_be_best=figures.best,
        omnibus=figures.omnibus,
        srm=srm,
        looks=tuple(looks),
        stratified=stratified,
        planning=planning,
        warnings=tuple(notes.items),
    )
    chance = None if anytime.applies(inp) else chance_by_the_end(inp, tracks_)
    return replace(report, recommendation=recommend(report, chance).to_dict())
