"""Sprints: the rules a new sprint follows, and creating one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func

from core.limits import MAX_SPRINT_DAYS
from database import db
from experiments.models import Sprint


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
