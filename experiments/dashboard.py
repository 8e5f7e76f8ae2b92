"""The dashboard: the current sprint, running experiments' verdicts, decisions."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from database import db
from experiments.analysis import analyze_experiments, current_sprint
from experiments.models import (
    DECISIONS,
    STATUSES,
    Experiment,
)
from web.render import render

bp = Blueprint("dashboard", __name__)

RECENT_DECISIONS = 8


@bp.get("/")
@login_required
def index():
    running = (
        db.session.execute(
            db.select(Experiment)
            .where(Experiment.status.in_(("running", "analyzing")))
            .order_by(Experiment.title)
            .options(
                selectinload(Experiment.variants), selectinload(Experiment.metrics)
            )
        )
        .scalars()
        .all()
    )
    analyses = analyze_experiments(running)
    decided = (
        db.session.execute(
            db.select(Experiment)
            .where(Experiment.decision.is_not(None))
            .order_by(Experiment.decided_at.desc())
            .limit(RECENT_DECISIONS)
        )
        .scalars()
        .all()
    )
    counts = dict(
        db.session.execute(
            db.select(Experiment.status, func.count()).group_by(Experiment.status)
        ).all()
    )
    decisions = dict(
        db.session.execute(
            db.select(Experiment.decision, func.count())
            .where(Experiment.decision.is_not(None))
            .group_by(Experiment.decision)
        ).all()
    )
    return render(
        "dashboard.html",
        sprint=current_sprint(),
        running=running,
        analyses=analyses,
        decided=decided,
        counts=counts,
        decision_counts=decisions,
        statuses=STATUSES,
        decisions=DECISIONS,
    )
