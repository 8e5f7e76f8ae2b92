"""Entering results, one cell (variant x metric x sprint) with its trail; feedback.

Every write of a result goes through `record_result`, from the form, the demo
loader and any import, so each change leaves one trail row with old and new values.
"""

from __future__ import annotations

from datetime import datetime

import stats
from content.models import Feedback
from core.clock import today
from database import ConcurrentChange, db
from experiments.calendar import sprints_run
from experiments.models import Experiment, Result, ResultEdit

# The statuses in which results can be entered: a decision locks them.
OPEN_FOR_RESULTS = ("running", "analyzing")


def sprint_problem(experiment: Experiment, sprint) -> str | None:
    """Why results cannot be entered for `sprint`: it has not started, or it
    ended before the experiment's start sprint; None when they can."""
    if sprint.start_date > today():
        return f"{sprint.name} has not started yet."
    start = experiment.start_sprint
    if start is not None and sprint.start_date < start.start_date:
        return f"{sprint.name} is before the experiment started ({start.name})."
    return None


def locked_message(experiment: Experiment) -> str:
    """Why a decided experiment's results cannot be changed, and who can."""
    day = experiment.decided_at.strftime("%d %b %Y") if experiment.decided_at else ""
    return (
        f"The results are locked by the decision of {day}. A team lead can reopen "
        "them with a reason."
    ).replace(" of .", ".")


CELL_FIELDS = ("units", "conversions", "value_mean", "value_m2")


def cell_from_entry(units: int, mean: float, sd: float) -> tuple[float, float]:
    """(n, mean, sample sd) as the stored mean and M2 = (n - 1) sd^2 (the one
    conversion lives in stats); a cell without units has the mean 0."""
    return (float(mean) if units else 0.0), float(stats.m2_from_sd(units, sd))


# Tries of the compare-and-set write before the cell counts as contended.
CELL_WRITE_TRIES = 5


def record_result(
    variant_id: int,
    sprint_id: int,
    metric_id: int,
    values: dict,
    source: str,
    entered_by_id: int | None = None,
) -> Result:
    """Insert or update one cell; a change leaves a trail row, a no-op leaves none.

    `values` holds the four CELL_FIELDS (None where the metric kind has none).
    An update is a compare-and-set on the values just read: when another save
    changed the cell in between, it re-reads and tries again, so each trail row's
    old values are the previous row's new ones, on SQLite and PostgreSQL alike.
    """
    for _ in range(CELL_WRITE_TRIES):
        result = db.session.execute(
            db.select(Result)
            .where(
                Result.variant_id == variant_id,
                Result.sprint_id == sprint_id,
                Result.metric_id == metric_id,
            )
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if result is None:
            result = Result(
                variant_id=variant_id, sprint_id=sprint_id, metric_id=metric_id
            )
            db.session.add(result)
            _apply(result, values, source, entered_by_id)
            db.session.flush()  # a racing insert meets the unique constraint: 409
            _trail(result, None, values, source, entered_by_id)
            return result
        old = {k: getattr(result, k) for k in CELL_FIELDS}
        if all(old[k] == values[k] for k in values):
            return result
        if _compare_and_set(result.id, old, values, source, entered_by_id):
            db.session.expire(result)
            _trail(result, old, values, source, entered_by_id)
            return result
    raise ConcurrentChange(f"cell {variant_id}/{sprint_id}/{metric_id} kept changing")


def _apply(result: Result, values: dict, source: str, by: int | None) -> None:
    for name, value in values.items():
        setattr(result, name, value)
    result.source = source
    result.entered_by_id = by


def _compare_and_set(
    result_id: int, old: dict, values: dict, source: str, by: int | None
) -> bool:
    """UPDATE the cell only where it still holds `old`: True when it did."""
    same = [
        getattr(Result, k).is_(None) if v is None else getattr(Result, k) == v
        for k, v in old.items()
    ]
    done = db.session.execute(
        db.update(Result)
        .where(Result.id == result_id, *same)
        .values(**values, source=source, entered_by_id=by)
        # The trail row added with it ties the cell to its experiment (versions).
        .execution_options(synchronize_session=False, versions_noted=True)
    )
    return done.rowcount == 1


def _trail(
    result: Result, old: dict | None, values: dict, source: str, by: int | None
) -> None:
    db.session.add(
        ResultEdit(
            result_id=result.id,
            changed_by_id=by,
            source=source,
            **{f"old_{k}": old and old[k] for k in CELL_FIELDS},
            **{f"new_{k}": values.get(k) for k in CELL_FIELDS},
        )
    )


def feedback_problems(
    experiment: Experiment, variant_id: int | None, sprint_id: int | None
) -> dict[str, str]:
    """Feedback names one of the experiment's variants and a sprint it ran in."""
    errors = {}
    if not any(v.id == variant_id for v in experiment.variants):
        errors["variant_id"] = "Choose the variant the leads came from."
    if sprint_id is None:
        errors["sprint_id"] = "Choose a sprint."
    elif not any(s.id == sprint_id for s in sprints_run(experiment)):
        errors["sprint_id"] = "Choose a sprint in which this experiment ran."
    return errors


def add_feedback(
    variant_id: int,
    sprint_id: int,
    values: dict,
    author_id: int | None,
    created_at: datetime | None = None,
) -> Feedback:
    """Add sales' note on a variant's leads (checked by `feedback_problems`).

    `values`: lead_quality, sentiment, outcome, objections (comma-joined), text.
    """
    feedback = Feedback(
        sprint_id=sprint_id, variant_id=variant_id, author_id=author_id, **values
    )
    if created_at is not None:
        feedback.created_at = created_at
    db.session.add(feedback)
    return feedback
