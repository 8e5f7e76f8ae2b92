"""From stored results to the statistics engine and back: one experiment's analysis.

The results are read with one query per experiment page (or one for a page of
experiments on the dashboard), arranged as sprint x variant arrays, and handed to
`stats.analyze`. The statistics of each experiment are kept in the shared cache
(core.cache) under a version that every write to the experiment raises, so a
page computes them once per change, not once per view.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

import stats
from core import cache, versions
from database import db
from experiments.calendar import experiment_sprints
from experiments.models import (
    Experiment,
    Metric,
    PlannedSplit,
    Result,
    Sprint,
    Variant,
)
from experiments.plan import plan_of


@dataclass(frozen=True)
class Cell:
    """One sprint's figures for a variant and metric (None when nothing entered):
    counts, or the mean and M2 (sum of squared deviations) of a continuous one."""

    units: int
    conversions: int | None
    value_mean: float | None
    value_m2: float | None

    @property
    def rate(self) -> float | None:
        if self.conversions is None or self.units == 0:
            return None
        return self.conversions / self.units

    @property
    def mean(self) -> float | None:
        if self.value_mean is None or self.units == 0:
            return None
        return self.value_mean

    @property
    def sd(self) -> float | None:
        if self.value_m2 is None or self.units < 2:
            return None
        return float(np.sqrt(self.value_m2 / (self.units - 1)))


@dataclass
class MetricAnalysis:
    metric: Metric
    sprints: list[Sprint]
    report: dict | None  # stats Report.to_dict(), None while there is nothing to test
    error: str | None = None
    result: stats.Report | None = None  # the Report itself, for the guardrails


@dataclass
class ExperimentAnalysis:
    experiment: Experiment
    sprints: list[Sprint]
    # cells[(variant_id, metric_id, sprint_id)] and totals[(variant_id, metric_id)]
    cells: dict[tuple[int, int, int], Cell] = field(default_factory=dict)
    totals: dict[tuple[int, int], Cell] = field(default_factory=dict)
    metrics: list[MetricAnalysis] = field(default_factory=list)
    planned_units: int | None = None

    @property
    def primary(self) -> MetricAnalysis | None:
        return next((m for m in self.metrics if m.metric.role == "primary"), None)


def _result_rows(experiment_ids: list[int]):
    """The cells of the experiments (one row per variant, metric and sprint)."""
    if not experiment_ids:
        return []
    return db.session.execute(
        db.select(
            Variant.experiment_id,
            Result.variant_id,
            Result.metric_id,
            Result.sprint_id,
            Result.units,
            Result.conversions,
            Result.value_mean,
            Result.value_m2,
        )
        .join(Variant, Variant.id == Result.variant_id)
        .where(Variant.experiment_id.in_(experiment_ids))
    ).all()


def _split_rows(experiment_ids: list[int]):
    return db.session.execute(
        db.select(PlannedSplit.variant_id, PlannedSplit.sprint_id, PlannedSplit.share)
        .join(Variant, Variant.id == PlannedSplit.variant_id)
        .where(Variant.experiment_id.in_(experiment_ids))
    ).all()


def analyze_experiments(
    experiments: list[Experiment], show_sprint_id: int | None = None
) -> dict[int, ExperimentAnalysis]:
    """Analyses for several experiments from a handful of queries, whatever their
    number; the statistics come from the shared cache where they are current.

    `show_sprint_id` adds that sprint's column to the grid (a cell being edited).
    """
    ids = [e.id for e in experiments]
    # The versions before the data they key: figures newer than their key are
    # harmless (recomputed once more), older ones would be served as current.
    data_versions = versions.of_experiments(ids)
    by_experiment: dict[int, list] = defaultdict(list)
    for row in _result_rows(ids):
        by_experiment[row[0]].append(row)
    sprints = list(
        db.session.execute(db.select(Sprint).order_by(Sprint.start_date)).scalars()
    )
    analyses = {
        e.id: _grid(e, by_experiment.get(e.id, []), sprints, show_sprint_id)
        for e in experiments
    }
    keys = _cache_keys(list(analyses.values()), data_versions)
    cached = cache.fetch(keys)
    missing = []
    for experiment in experiments:
        metrics = _from_payload(
            experiment, cached.get(f"analysis:{experiment.id}"), sprints
        )
        if metrics is None:
            missing.append(analyses[experiment.id])
        else:
            analyses[experiment.id].metrics = metrics
    splits = _splits([a.experiment.id for a in missing])
    fresh = {}
    for analysis in missing:
        _add_metrics(analysis, splits)
        slot = f"analysis:{analysis.experiment.id}"
        if slot in keys:  # none inside a transaction that wrote
            fresh[slot] = (keys[slot], _to_payload(analysis))
    cache.store(fresh)
    return analyses


def analyze_experiment(
    experiment: Experiment, show_sprint_id: int | None = None
) -> ExperimentAnalysis:
    return analyze_experiments([experiment], show_sprint_id)[experiment.id]


def _cache_keys(
    analyses: list[ExperimentAnalysis], data: dict[int, int]
) -> dict[str, str]:
    """{slot: version} of each experiment's statistics: its data version, the
    sprints its results are in (their order and names label the looks) and the
    code that computes them; not the day, nor sprints without its results. Empty
    while this transaction has unsaved writes: their figures are its own."""
    if versions.writing(db.session()):
        return {}
    code = cache.STATISTICS_VERSION
    keys = {}
    for analysis in analyses:
        used = {sprint_id for _, _, sprint_id in analysis.cells}
        sprints = [
            f"{s.id}:{s.start_date.isoformat()}:{s.name}"
            for s in analysis.sprints
            if s.id in used
        ]
        digest = hashlib.sha256("|".join(sprints).encode()).hexdigest()[:16]
        version = f"{data[analysis.experiment.id]}.{digest}.{code}"
        keys[f"analysis:{analysis.experiment.id}"] = version
    return keys


def _splits(experiment_ids: list[int]) -> dict[tuple[int, int], float]:
    if not experiment_ids:
        return {}
    return {
        (variant_id, sprint_id): share
        for variant_id, sprint_id, share in _split_rows(experiment_ids)
    }


def _grid(
    experiment: Experiment,
    rows,
    all_sprints: list[Sprint],
    show_sprint_id: int | None,
) -> ExperimentAnalysis:
    """The cells, their sprints (the grid's columns) and each variant's totals."""
    cells: dict[tuple[int, int, int], Cell] = {}
    for _, variant_id, metric_id, sprint_id, units, conv, mean, m2 in rows:
        cells[(variant_id, metric_id, sprint_id)] = Cell(
            int(units),
            None if conv is None else int(conv),
            None if mean is None else float(mean),
            None if m2 is None else float(m2),
        )
    used = {key[2] for key in cells} | {show_sprint_id}
    sprints = experiment_sprints(experiment, used, all_sprints)
    analysis = ExperimentAnalysis(
        experiment, sprints, cells, planned_units=plan_of(experiment).units_per_variant
    )
    for metric in experiment.metrics:
        for variant in experiment.variants:
            parts = [
                cells[(variant.id, metric.id, s.id)]
                for s in sprints
                if (variant.id, metric.id, s.id) in cells
            ]
            if parts:
                analysis.totals[(variant.id, metric.id)] = _add(parts)
    return analysis


def _add_metrics(analysis: ExperimentAnalysis, splits) -> None:
    """Run the statistics on each metric, then weigh the guardrails."""
    experiment = analysis.experiment
    for metric in experiment.metrics:
        analysis.metrics.append(
            _metric_analysis(
                experiment,
                metric,
                analysis.sprints,
                analysis.cells,
                splits,
                analysis.planned_units,
            )
        )
    _weigh_guardrails(analysis)


def _to_payload(analysis: ExperimentAnalysis) -> list[dict]:
    return [
        {
            "metric": m.metric.id,
            "looks": [s.id for s in m.sprints],
            "report": m.report,
            "error": m.error,
        }
        for m in analysis.metrics
    ]


def _from_payload(
    experiment: Experiment, payload: list[dict] | None, sprints: list[Sprint]
) -> list[MetricAnalysis] | None:
    """The cached metrics in the experiment's order; None when there are none or
    they do not cover its metrics and sprints (then they are computed again)."""
    by_id = {s.id: s for s in sprints}
    stored = {entry["metric"]: entry for entry in payload or []}
    if set(stored) != {m.id for m in experiment.metrics} or any(
        i not in by_id for entry in stored.values() for i in entry["looks"]
    ):
        return None
    return [
        MetricAnalysis(
            metric,
            [by_id[i] for i in stored[metric.id]["looks"]],
            stored[metric.id]["report"],
            stored[metric.id]["error"],
        )
        for metric in experiment.metrics
    ]


def _weigh_guardrails(analysis: ExperimentAnalysis) -> None:
    """The primary metric's recommendation, checked against the guardrails.

    A challenger that wins the primary metric but significantly harms a
    guardrail is not a "ship" (stats.with_guardrails says which guardrail).
    """
    primary = analysis.primary
    if primary is None or primary.result is None or primary.report is None:
        return
    guardrails = [
        m.result
        for m in analysis.metrics
        if m.metric.role == "guardrail" and m.result is not None
    ]
    combined = stats.with_guardrails(stats.recommend(primary.result), guardrails)
    primary.report["recommendation"] = combined.to_dict()


def _add(parts: list[Cell]) -> Cell:
    """The sprints' cells as one: counts add, continuous cells combine by Chan's
    formula (stats.combine_cells)."""
    units = sum(p.units for p in parts)
    counts = [p.conversions for p in parts if p.conversions is not None]
    values = [p for p in parts if p.value_mean is not None]
    mean = m2 = None
    if values:
        _, total_mean, total_m2 = stats.combine_cells(
            [p.units for p in values],
            [p.value_mean for p in values],
            [p.value_m2 or 0.0 for p in values],
            cumulative=False,
        )
        mean, m2 = float(total_mean), float(total_m2)
    return Cell(units, sum(counts) if counts else None, mean, m2)


def _metric_analysis(
    experiment: Experiment,
    metric: Metric,
    sprints: list[Sprint],
    cells,
    splits,
    planned_units: int | None,
) -> MetricAnalysis:
    variants = experiment.variants
    control = experiment.control
    if control is None or len(variants) < 2:
        return MetricAnalysis(metric, [], None, "Needs a control and a challenger.")
    ordered = [control] + [v for v in variants if not v.is_control]
    # Sprints in which every variant has a figure for this metric are the looks.
    looks = [
        s for s in sprints if all((v.id, metric.id, s.id) in cells for v in ordered)
    ]
    if not looks:
        return MetricAnalysis(metric, [], None, None)
    units, kwargs, split = _arrays(metric, looks, ordered, cells, splits)
    try:
        report = stats.analyze(
            metric.kind,
            [v.name for v in ordered],
            units,
            **kwargs,
            alpha=experiment.alpha,
            power=experiment.power,
            planned_split=split,
            # The experiment's planned sample, for every metric: information
            # grows with the units whatever the metric measures.
            planned_units=planned_units,
            planned_looks=experiment.planned_looks,
            relative_mde=experiment.relative_mde,
            observational=experiment.observational,
            metric_label=metric.name,
            sprint_labels=[s.name for s in looks],
            higher_is_better=metric.higher_is_better,
        )
    except ValueError as error:  # stored figures the engine cannot use
        return MetricAnalysis(metric, looks, None, str(error))
    return MetricAnalysis(metric, looks, report.to_dict(), result=report)


def _arrays(metric: Metric, looks, ordered, cells, splits) -> tuple:
    """(units, the metric's other figures as analyze() keywords, planned split):
    one row per look, one column per variant, the control first."""
    shape = (len(looks), len(ordered))
    units = np.zeros(shape, dtype=np.int64)
    first = np.zeros(shape)
    second = np.zeros(shape)
    split = np.zeros(shape)
    for i, sprint in enumerate(looks):
        for j, variant in enumerate(ordered):
            cell = cells[(variant.id, metric.id, sprint.id)]
            units[i, j] = cell.units
            if metric.is_binomial:
                first[i, j] = cell.conversions or 0
            else:
                first[i, j] = cell.value_mean or 0.0
                second[i, j] = cell.value_m2 or 0.0
            split[i, j] = splits.get((variant.id, sprint.id), variant.planned_share)
    split = split / split.sum(axis=1, keepdims=True)
    kwargs = {}
    if metric.is_binomial:
        kwargs["conversions"] = first.astype(np.int64)
    else:
        kwargs["means"] = first
        kwargs["m2s"] = second
    return units, kwargs, split
