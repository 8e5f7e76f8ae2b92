"""Writing an experiment: its fields, variants and metrics, status and decision.

Plain functions over parsed data, with no request: the views, the CLI and the demo
loader all write through them, so every path applies the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from content.models import ContentItem, Feedback
from core.clock import utcnow
from database import db
from experiments.analysis import analyze_experiment
from experiments.models import (
    DECISIONS,
    STATUSES,
    TRANSITIONS,
    DecisionEvent,
    Experiment,
    Metric,
    PlannedSplit,
    Result,
    Variant,
)

# Statuses in which an experiment collects results and can be decided.
LIVE_STATUSES = ("running", "analyzing")
DECIDABLE_STATUSES = ("running", "analyzing", "decided")


@dataclass
class Row:
    """One parsed variant or metric row: which one, its values, or its removal.

    `key` names the row's form fields; `id` is None for a new row.
    """

    key: str
    id: int | None
    values: dict
    remove: bool = False


def edit_problems(
    experiment: Experiment, variants: Sequence[Row], metrics: Sequence[Row]
) -> dict[str, str]:
    """Why these rows cannot replace the experiment's: {field name: message}."""
    errors: dict[str, str] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, message)

    _check_removals(error, experiment, variants, metrics)
    if experiment.status in LIVE_STATUSES:
        if not any(r.values["role"] == "primary" for r in metrics if not r.remove):
            error("metrics", "A running experiment needs its primary metric.")
        if not any(not r.remove for r in variants):
            error("variants", "A running experiment needs its variants.")
    return errors


def save_experiment(
    experiment: Experiment | None,
    values: dict,
    variants: Sequence[Row],
    metrics: Sequence[Row],
) -> Experiment:
    """Write the fields and rows (checked by `edit_problems`); a new one is an idea."""
    if experiment is None:
        experiment = Experiment(status="idea")
        db.session.add(experiment)
    for name, value in values.items():
        setattr(experiment, name, value)
    _apply_variants(experiment, variants)
    _apply_metrics(experiment, metrics)
    db.session.flush()  # a new experiment has its id for the caller's redirect
    return experiment


def _check_removals(error, experiment: Experiment, variants, metrics) -> None:
    """Rows with results or feedback stay; a metric with results keeps its kind."""
    used = db.session.execute(
        db.select(Result.variant_id, Result.metric_id)
        .join(Variant, Variant.id == Result.variant_id)
        .where(Variant.experiment_id == experiment.id)
        .distinct()
    ).all()
    used_variants = {v for v, _ in used}
    used_metrics = {m for _, m in used}
    with_feedback = set(
        db.session.execute(
            db.select(Feedback.variant_id)
            .join(Variant, Variant.id == Feedback.variant_id)
            .where(Variant.experiment_id == experiment.id)
        ).scalars()
    )
    for row in variants:
        if row.remove and row.id in used_variants:
            error(f"variants-{row.key}-name", "Has results; it cannot be removed.")
        elif row.remove and row.id in with_feedback:
            error(
                f"variants-{row.key}-name", "Has field feedback; it cannot be removed."
            )
    kinds = {m.id: m.kind for m in experiment.metrics}
    for row in metrics:
        if row.remove and row.id in used_metrics:
            error(f"metrics-{row.key}-name", "Has results; it cannot be removed.")
        elif (
            not row.remove
            and row.id in used_metrics
            and row.values["kind"] not in (None, kinds[row.id])
        ):
            error(
                f"metrics-{row.key}-kind",
                "Has results; its type cannot change. Add a new metric instead.",
            )


def _apply_variants(experiment: Experiment, rows) -> None:
    existing = {v.id: v for v in experiment.variants}
    items = {v.id: v.content_item_id for v in experiment.variants}
    _freeze_split_history(experiment, rows)
    for v in experiment.variants:  # clear first: one control at a time in the DB
        v.is_control = False
    _drop_removed(experiment, "variants", rows)
    experiment.variants = _placed(existing, rows, Variant)
    for v in experiment.variants:
        if v.id in items and items[v.id] != v.content_item_id:
            v.content_version = None  # another item: pinned again below if live
    if experiment.status in LIVE_STATUSES:
        pin_content(experiment)


def pin_content(experiment: Experiment) -> None:
    """Each variant keeps the version of its content it is tested with: the
    item's version when the experiment starts (or when a running variant gets
    another item); a later edit in the library does not change what was tested."""
    for v in experiment.variants:
        if v.content_item_id is not None and v.content_version is None:
            v.content_version = db.session.execute(
                db.select(ContentItem.version).where(
                    ContentItem.id == v.content_item_id
                )
            ).scalar_one()


def _freeze_split_history(experiment: Experiment, rows) -> None:
    """Before the split changes, record the old one for sprints that have results."""
    old = {v.id: v.planned_share for v in experiment.variants}
    new = {r.id: r.values["planned_share"] for r in rows if not r.remove}
    if not old or new == old:
        return
    sprint_ids = (
        db.session.execute(
            db.select(Result.sprint_id)
            .join(Variant, Variant.id == Result.variant_id)
            .where(Variant.experiment_id == experiment.id)
            .distinct()
        )
        .scalars()
        .all()
    )
    recorded = set(
        db.session.execute(
            db.select(PlannedSplit.variant_id, PlannedSplit.sprint_id).where(
                PlannedSplit.variant_id.in_(list(old))
            )
        ).all()
    )
    for sprint_id in sprint_ids:
        for variant_id, share in old.items():
            if (variant_id, sprint_id) not in recorded:
                db.session.add(
                    PlannedSplit(
                        variant_id=variant_id, sprint_id=sprint_id, share=share
                    )
                )


def _apply_metrics(experiment: Experiment, rows) -> None:
    existing = {m.id: m for m in experiment.metrics}
    for m in experiment.metrics:  # one primary at a time in the DB
        if m.role == "primary":
            m.role = "secondary"
    _drop_removed(experiment, "metrics", rows)
    experiment.metrics = _placed(existing, rows, Metric)


def _drop_removed(experiment: Experiment, collection: str, rows) -> None:
    """Delete the rows the form removes, and write the cleared flags, before any
    row is added: a new row may take a removed one's name (unique per experiment)."""
    if experiment.id is None:
        return
    kept = {row.id for row in rows if not row.remove}
    items = getattr(experiment, collection)
    setattr(experiment, collection, [item for item in items if item.id in kept])
    db.session.flush()


def _placed(existing: dict, rows: Sequence[Row], new: Callable) -> list:
    """The kept rows' objects, updated or new, numbered in the rows' order."""
    keep = []
    for position, row in enumerate(r for r in rows if not r.remove):
        item = existing.get(row.id) or new()
        for name, value in row.values.items():
            setattr(item, name, value)
        item.position = position
        keep.append(item)
    return keep


def status_problems(experiment: Experiment, target: str) -> list[str]:
    """Why the experiment cannot move to `target`; empty when it can."""
    if target not in STATUSES:
        return ["Choose a known status."]
    if target not in TRANSITIONS[experiment.status]:
        return [
            f"An experiment cannot go from {STATUSES[experiment.status].lower()} "
            f"to {STATUSES[target].lower()}."
        ]
    if target == "running":
        return experiment.start_problems()
    if target == "idea" and experiment.decision:
        return [
            "A decided experiment stays decided; to test the idea again, create a "
            "new experiment."
        ]
    return []


def set_status(experiment: Experiment, target: str) -> list[str]:
    """Move the experiment to `target` if allowed; return the problems otherwise."""
    problems = status_problems(experiment, target)
    if not problems:
        experiment.status = target
        if target == "running":
            pin_content(experiment)
    return problems


def decision_problems(experiment: Experiment) -> dict[str, str]:
    """Only a running, analyzed or already decided experiment can be decided."""
    if experiment.status not in DECIDABLE_STATUSES:
        return {"decision": "Only a running or analyzed experiment can be decided."}
    return {}


def record_decision(
    experiment: Experiment,
    decision: str,
    reason: str,
    learning: str,
    decided_by_id: int | None,
    decided_at: datetime | None = None,
) -> None:
    """Decide the experiment (checked by `decision_problems`): it becomes decided,
    its results are locked, and the log keeps the figures the decision used."""
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}.")
    snapshot = decision_snapshot(experiment)
    experiment.decision = decision
    experiment.decision_reason = reason
    experiment.learning = learning
    experiment.status = "decided"
    experiment.decided_at = decided_at or utcnow()
    experiment.decided_by_id = decided_by_id
    experiment.decision_events.append(
        DecisionEvent(
            kind="decided",
            decision=decision,
            reason=reason,
            snapshot=json.dumps(snapshot) if snapshot else None,
            by_id=decided_by_id,
            at=experiment.decided_at,
        )
    )


def reopen_problems(experiment: Experiment) -> dict[str, str]:
    if experiment.status != "decided":
        return {"reopen": "Only a decided experiment's results can be reopened."}
    return {}


def reopen(experiment: Experiment, reason: str, by_id: int | None) -> None:
    """Unlock a decided experiment's results (checked by `reopen_problems`): it is
    analysed again; its decision stays on record, beside the figures now."""
    experiment.status = "analyzing"
    experiment.decision_events.append(
        DecisionEvent(kind="reopened", reason=reason, by_id=by_id, at=utcnow())
    )


def decision_snapshot(experiment: Experiment) -> dict | None:
    """What a decision is based on: the primary metric's recommendation,
    verdicts, warnings and per-variant figures, as the page shows them now."""
    primary = analyze_experiment(experiment).primary
    if primary is None or primary.report is None:
        return None
    report = primary.report
    figures = ("units", "conversions", "rate", "mean")
    return {
        "metric": primary.metric.name,
        "looks": len(primary.sprints),
        "recommendation": (report.get("recommendation") or {}).get("sentence"),
        "verdicts": [c["verdict"] for c in report["comparisons"]],
        "warnings": [w["message"] for w in report["warnings"]],
        "variants": [
            {"name": v["name"]} | {k: v.get(k) for k in figures if v.get(k) is not None}
            for v in report["variants"]
        ],
    }
