"""The dashboard: the current sprint, running experiments' verdicts, decisions."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import login_required
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from database import db
from experiments.analysis import analyze_experiments
from experiments.calendar import current_sprint
from experiments.models import (
    DECISIONS,
    STATUSES,
    Experiment,
)
from web.page_cache import cached_page

bp = Blueprint("dashboard", __name__)

RECENT_DECISIONS = 8
RUNNING_PAGE = 20
MAX_PAGE = 10_000
LIVE = ("running", "analyzing")


@bp.get("/")
@login_required
def index():
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    return cached_page(f"dashboard:{page}", "dashboard.html", lambda: _context(page))


def _context(page: int) -> dict:
    """The current sprint, the counts, a page of what runs and the last decisions.

    What runs is ordered experiments being analysed first, then by title, and
    shown RUNNING_PAGE at a time: the page costs the same at 5 or 1,000."""
    counts = dict(
        db.session.execute(
            db.select(Experiment.status, func.count()).group_by(Experiment.status)
        ).all()
    )
    running = (
        db.session.execute(
            db.select(Experiment)
            .where(Experiment.status.in_(LIVE))
            .order_by(Experiment.status, Experiment.title)  # "analyzing" sorts first
            .limit(RUNNING_PAGE)
            .offset((page - 1) * RUNNING_PAGE)
            .options(
                selectinload(Experiment.variants), selectinload(Experiment.metrics)
            )
        )
        .scalars()
        .all()
    )
    decided = (
        db.session.execute(
            db.select(Experiment)
            .where(Experiment.status == "decided")  # not those reopened since
            .order_by(Experiment.decided_at.desc())
            .limit(RECENT_DECISIONS)
        )
        .scalars()
        .all()
    )
    decisions = dict(
        db.session.execute(
            db.select(Experiment.decision, func.count())
            .where(Experiment.status == "decided")
            .group_by(Experiment.decision)
        ).all()
    )
    return {
        "sprint": current_sprint(),
        "running": running,
        "running_total": sum(counts.get(status, 0) for status in LIVE),
        "page": page,
        "page_size": RUNNING_PAGE,
        "analyses": analyze_experiments(running),
        "decided": decided,
        "counts": counts,
        "decision_counts": decisions,
        "statuses": STATUSES,
        "decisions": DECISIONS,
    }
