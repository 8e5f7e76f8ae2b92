"""The experiment list: filters, sort orders, and what each row says.

A row shows the primary metric, what the analysis recommends now with the lift
it is based on (from the shared cache of statistics), the owner and the sprint
the experiment started in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlalchemy.orm import joinedload, selectinload

from database import contains_text, db
from experiments.analysis import analyze_experiments
from experiments.models import CHANNELS, STATUSES, Experiment

PAGE_SIZE = 50
ANALYSED = ("running", "analyzing", "decided")
MAX_PAGE = 10_000
SORTS = {"updated": "Recently updated", "ice": "Highest ICE", "status": "Status"}
# What a recommendation asks for, in a few words (the sentence says it all).
ACTIONS = {
    "ship": "Ship",
    "keep_running": "Keep running",
    "stop": "Stop",
    "fix_setup": "Fix the setup",
    "no_winner": "No winner",
    "keep_control": "Keep the control",
    "hold": "Hold: guardrail harmed",
}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    channel: str = ""
    q: str = ""
    sort: str = "updated"
    page: int = 1

    def args(self, **changes) -> dict:
        """The URL arguments of these filters (defaults left out), with changes."""
        values = {"status": self.status, "channel": self.channel, "q": self.q,
                  "sort": self.sort, "page": self.page} | changes  # fmt: skip
        defaults = {"sort": "updated", "page": 1}
        return {k: v for k, v in values.items() if v and defaults.get(k) != v}


def read_filters(args, query_text) -> Filters:
    """Filters from a request's arguments; unknown values mean "any"."""
    status, channel = args.get("status", ""), args.get("channel", "")
    sort = args.get("sort", "updated")
    return Filters(
        status=status if status in STATUSES else "",
        channel=channel if channel in CHANNELS else "",
        q=query_text(args.get("q"), 200) or "",
        sort=sort if sort in SORTS else "updated",
        page=min(max(args.get("page", 1, type=int), 1), MAX_PAGE),
    )


def _query(filters: Filters):
    query = db.select(Experiment)
    if filters.status:
        query = query.where(Experiment.status == filters.status)
    if filters.channel:
        query = query.where(Experiment.channel == filters.channel)
    if filters.q:
        columns = (Experiment.title, Experiment.hypothesis, Experiment.audience)
        query = query.where(contains_text(columns, filters.q))
    return query


def _ordered(query, sort: str):
    if sort == "ice":
        ice = Experiment.ice_impact + Experiment.ice_confidence + Experiment.ice_ease
        return query.order_by(ice.desc(), Experiment.updated_at.desc(), Experiment.id)
    if sort == "status":
        ranks = {code: n for n, code in enumerate(STATUSES)}
        rank = case(ranks, value=Experiment.status)
        return query.order_by(rank, Experiment.updated_at.desc(), Experiment.id)
    return query.order_by(Experiment.updated_at.desc(), Experiment.id)


def list_context(filters: Filters) -> dict:
    """The page of experiments and, per row, its analysis summary."""
    query = _query(filters)
    total = db.session.execute(
        db.select(func.count()).select_from(query.subquery())
    ).scalar_one()
    experiments = (
        db.session.execute(
            _ordered(query, filters.sort)
            .limit(PAGE_SIZE)
            .offset((filters.page - 1) * PAGE_SIZE)
            .options(
                joinedload(Experiment.owner),
                joinedload(Experiment.start_sprint),
                selectinload(Experiment.variants),
                selectinload(Experiment.metrics),
            )
        )
        .scalars()
        .all()
    )
    analysed = [e for e in experiments if e.status in ANALYSED]
    analyses = analyze_experiments(analysed)
    return {
        "experiments": experiments,
        "now": {i: _now(a) for i, a in analyses.items()},
        "total": total,
        "page": filters.page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "statuses": STATUSES,
        "channels": CHANNELS,
        "sorts": SORTS,
        "actions": ACTIONS,
    }


def _now(analysis) -> dict | None:
    """The primary metric's recommendation and the lift it rests on, or None."""
    primary = analysis.primary
    if primary is None or primary.report is None:
        return None
    recommendation = primary.report.get("recommendation") or {}
    figures = recommendation.get("figures") or {}
    return {
        "action": recommendation.get("action"),
        "variant": recommendation.get("variant"),
        "sentence": recommendation.get("sentence", ""),
        "lift": figures.get("relative_lift"),
        "lift_ci": figures.get("relative_lift_ci"),
    }
