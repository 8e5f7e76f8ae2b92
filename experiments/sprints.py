"""Sprints: the list, a new sprint, and one sprint's experiments by status."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, request
from flask_login import login_required
from sqlalchemy import func, or_

from auth.decorators import require
from content.models import Feedback
from core.limits import LAST_YEAR
from database import db, get_or_404
from experiments.calendar import create_sprint, current_sprint, sprint_problems
from experiments.models import (
    STATUSES,
    Experiment,
    Result,
    Sprint,
    Variant,
)
from web.fields import DateField, TextField
from web.forms import WebForm
from web.page_cache import cached_page
from web.render import render, saved

bp = Blueprint("sprints", __name__, url_prefix="/sprints")


@bp.get("")
@login_required
def index():
    return cached_page(
        "sprints", "sprints/index.html",
        lambda: _index_context(form=_next_sprint_defaults(), errors={}),
    )  # fmt: skip


def _index_page(form, errors, status=200):
    return render("sprints/index.html", status=status, **_index_context(form, errors))


def _index_context(form, errors) -> dict:
    counts = dict(
        db.session.execute(
            db.select(
                Result.sprint_id, func.count(func.distinct(Variant.experiment_id))
            )
            .join(Variant, Variant.id == Result.variant_id)
            .group_by(Result.sprint_id)
        ).all()
    )
    sprints = (
        db.session.execute(db.select(Sprint).order_by(Sprint.start_date.desc()))
        .scalars()
        .all()
    )
    return {
        "sprints": sprints,
        "counts": counts,
        "current": current_sprint(),
        "form": form,
        "errors": errors,
    }


def _next_sprint_defaults() -> dict:
    last = db.session.execute(
        db.select(Sprint).order_by(Sprint.end_date.desc()).limit(1)
    ).scalar_one_or_none()
    if last is None or last.end_date.year >= LAST_YEAR:
        return {}
    start = last.end_date + timedelta(days=1)
    number = db.session.execute(db.select(func.count(Sprint.id))).scalar_one() + 1
    return {
        "name": f"Sprint {number}",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=13)).isoformat(),
    }


class SprintForm(WebForm):
    """A new sprint: a unique name and dates that overlap no other sprint."""

    name = TextField("Name", max_length=100)
    start_date = DateField("Start date")
    end_date = DateField("End date")
    goal = TextField("Goal", required=False, max_length=2000)

    def cross_check(self) -> None:
        name = self.name.data if "name" not in self.problems else None
        problems = sprint_problems(name, self.start_date.data, self.end_date.data)
        for field, message in problems.items():
            self.error(field, message)


@bp.post("")
@require("manage_sprints")
def create():
    form = SprintForm()
    if not form.check():
        return _index_page(form=request.form, errors=form.problems, status=422)
    sprint = create_sprint(
        form.name.data, form.start_date.data, form.end_date.data, form.goal.data
    )
    return saved(f"Created {sprint.name}.", "sprints.show", sprint_id=sprint.id)


@bp.get("/<int:sprint_id>")
@login_required
def show(sprint_id: int):
    return cached_page(
        f"sprint:{sprint_id}", "sprints/show.html", lambda: _show_context(sprint_id)
    )


def _show_context(sprint_id: int) -> dict:
    sprint = get_or_404(Sprint, sprint_id)
    with_results = (
        db.select(Variant.experiment_id)
        .join(Result, Result.variant_id == Variant.id)
        .where(Result.sprint_id == sprint.id)
    )
    experiments = (
        db.session.execute(
            db.select(Experiment)
            .where(
                or_(
                    Experiment.id.in_(with_results),
                    Experiment.start_sprint_id == sprint.id,
                )
            )
            .order_by(Experiment.title)
        )
        .scalars()
        .all()
    )
    by_status = {code: [] for code in STATUSES}
    for experiment in experiments:
        by_status[experiment.status].append(experiment)
    feedback_count = db.session.execute(
        db.select(func.count(Feedback.id)).where(Feedback.sprint_id == sprint.id)
    ).scalar_one()
    return {
        "sprint": sprint,
        "by_status": by_status,
        "statuses": STATUSES,
        "total": len(experiments),
        "feedback_count": feedback_count,
    }
