"""Sprints: the rules a new sprint follows, creating one, which sprint is current
and which sprints an experiment ran in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func

from core.clock import today
from core.limits import MAX_SPRINT_DAYS
from database import db
from experiments.models import Experiment, Result, Sprint, Variant


def sprint_problems(
    name: str | None, start: date | None, end: date | None
) -> dict[str, str]:
    """Why a sprint with these name and dates cannot be added: {field: message}.

    A None (unparsed) name or date skips the checks that need it.
    """
    errors: dict[str, str] = {}
    if start and end:
        if end < start:
            errors["end_date"] = "The end date must be on or after the start date."
        elif (end - start).days > MAX_SPRINT_DAYS:
            errors["end_date"] = f"A sprint lasts at most {MAX_SPRINT_DAYS} days."
        else:
            overlap = db.session.execute(
                db.select(Sprint.name).where(
                    Sprint.start_date <= end, Sprint.end_date >= start
                )
            ).scalar()
            if overlap:
                errors["start_date"] = f"These dates overlap {overlap}."
    if name:
        taken = db.session.execute(
            db.select(Sprint.id).where(func.lower(Sprint.name) == name.lower())
        ).first()
        if taken:
            errors["name"] = "A sprint with this name already exists."
    return errors


def create_sprint(name: str, start: date, end: date, goal: str = "") -> Sprint:
    """Add a sprint (checked by `sprint_problems`)."""
    sprint = Sprint(name=name, start_date=start, end_date=end, goal=goal)
    db.session.add(sprint)
    db.session.flush()  # its id, for the caller's redirect
    return sprint


def current_sprint() -> Sprint | None:
    """The sprint that contains today, else the latest one that has started."""
    day = today()
    return db.session.execute(
        db.select(Sprint)
        .where(Sprint.start_date <= day)
        .order_by(Sprint.start_date.desc())
        .limit(1)
    ).scalar_one_or_none()


def experiment_sprints(
    experiment: Experiment, used_sprint_ids: set[int], sprints: list[Sprint]
) -> list[Sprint]:
    """The sprints the experiment ran in (the grid's columns): from its start
    sprint to the current one while it runs, or to the one it was decided in,
    plus any sprint holding its results.

    A running experiment without a start sprint starts in the current sprint.
    """
    day = today()
    start = next(
        (s.start_date for s in sprints if s.id == experiment.start_sprint_id), None
    )
    live = experiment.status in ("running", "analyzing")
    if start is None and live:
        start = next((s.start_date for s in sprints if s.contains(day)), None)
    end = day if live else None
    if experiment.status == "decided" and experiment.decided_at is not None:
        end = experiment.decided_at.date()
    return [
        sprint
        for sprint in sprints
        if sprint.id in used_sprint_ids
        or (start is not None and end is not None and start <= sprint.start_date <= end)
    ]


def sprints_run(experiment: Experiment) -> list[Sprint]:
    """experiment_sprints from the database: the sprints field feedback may name."""
    used = set(
        db.session.execute(
            db.select(Result.sprint_id)
            .join(Variant, Variant.id == Result.variant_id)
            .where(Variant.experiment_id == experiment.id)
            .distinct()
        ).scalars()
    )
    sprints = db.session.execute(db.select(Sprint).order_by(Sprint.start_date))
    return experiment_sprints(experiment, used, list(sprints.scalars()))
