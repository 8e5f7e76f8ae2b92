"""The experiment page: loading it and one context builder per block.

The views of experiments, results and feedback render this page or one block of
it; a partial htmx answer builds only its block's context, so a feedback post or a
decision error does not run the statistics.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import aliased, joinedload, selectinload

from auth.models import User
from content.models import OUTCOMES, SENTIMENTS, Feedback
from database import db, get_or_404
from experiments.analysis import analyze_experiment
from experiments.calendar import current_sprint, sprints_run
from experiments.editing import decision_snapshot
from experiments.entry import OPEN_FOR_RESULTS
from experiments.models import (
    CHANNELS,
    DECISIONS,
    FUNNEL_STAGES,
    STATUSES,
    TRANSITIONS,
    Experiment,
    Metric,
    Result,
    ResultEdit,
    Sprint,
    Variant,
)
from experiments.plan import plan_of
from web.page_cache import fresh
from web.render import is_partial, render

TEMPLATE = "experiments/show.html"
# Sprints the results grid shows unless asked for all: the latest ones (the totals
# cover every sprint).
GRID_SPRINTS = 8
HISTORY_ROWS = 15


def load_experiment(experiment_id: int) -> Experiment:
    """The experiment with its variants, their content and its metrics, or 404."""
    return get_or_404(
        Experiment,
        experiment_id,
        options=[
            selectinload(Experiment.variants).joinedload(Variant.content_item),
            selectinload(Experiment.metrics),
            joinedload(Experiment.owner),
            joinedload(Experiment.start_sprint),
        ],
    )


def _sprint_choices(experiment: Experiment) -> dict[str, str]:
    """The sprints the experiment ran in, the latest first: feedback names one."""
    return {str(s.id): s.name for s in reversed(sprints_run(experiment))}


def status_context(experiment: Experiment) -> dict:
    """The status bar (where the experiment may move next) and the plan box."""
    return {
        "experiment": experiment,
        "plan": plan_of(experiment),
        "statuses": STATUSES,
        "transitions": TRANSITIONS,
        "channels": CHANNELS,
        "status_errors": [],
    }


def results_context(experiment: Experiment, editing=None) -> dict:
    """The results grid, its analysis and the trail of changes to it."""
    changed_by = aliased(User)
    history = db.session.execute(
        db.select(ResultEdit, Variant.name, Metric.name, Sprint.name, changed_by.name)
        .join(Result, Result.id == ResultEdit.result_id)
        .join(Variant, Variant.id == Result.variant_id)
        .join(Metric, Metric.id == Result.metric_id)
        .join(Sprint, Sprint.id == Result.sprint_id)
        .outerjoin(changed_by, changed_by.id == ResultEdit.changed_by_id)
        .where(Variant.experiment_id == experiment.id)
        .order_by(ResultEdit.changed_at.desc(), ResultEdit.id.desc())
        .limit(HISTORY_ROWS)
    ).all()
    analysis = analyze_experiment(experiment, editing[2] if editing else None)
    every_sprint = editing is not None or request.args.get("sprints") == "all"
    return {
        "experiment": experiment,
        "analysis": analysis,
        "grid_sprints": analysis.sprints[-GRID_SPRINTS:]
        if not every_sprint
        else analysis.sprints,
        "every_sprint": every_sprint,
        # "Enter all" per sprint: for who may enter one of its metrics, while open.
        "can_enter_sprints": experiment.status in OPEN_FOR_RESULTS
        and any(
            current_user.can_enter_results_for(m.owner) for m in experiment.metrics
        ),
        "grid_limit": GRID_SPRINTS,
        "history": history,
        "current_sprint": current_sprint(),
        "funnel_stages": FUNNEL_STAGES,
        "editing": editing,
        "cell_form": {},
        "errors": {},
    }


def feedback_context(experiment: Experiment) -> dict:
    """The field feedback on the experiment's variants, and the form to add one."""
    feedback = db.session.execute(
        db.select(Feedback)
        .join(Variant, Variant.id == Feedback.variant_id)
        .where(Variant.experiment_id == experiment.id)
        .order_by(Feedback.created_at.desc())
        .options(
            joinedload(Feedback.author),
            joinedload(Feedback.sprint),
            joinedload(Feedback.variant),
        )
    )
    sprint = current_sprint()
    current = str(sprint.id) if sprint else ""
    choices = _sprint_choices(experiment)
    return {
        "experiment": experiment,
        "feedback": feedback.scalars().all(),
        "sentiments": SENTIMENTS,
        "outcomes": OUTCOMES,
        "variant_choices": {str(v.id): v.name for v in experiment.variants},
        "sprint_choices": choices,
        # The current sprint if the experiment runs in it, else its latest.
        "feedback_form": {
            "sprint_id": current if current in choices else next(iter(choices), "")
        },
        "feedback_errors": {},
        "form_token": fresh("form_token"),
    }


def decision_context(experiment: Experiment) -> dict:
    """The decision box with the figures it was based on (and today's, when they
    have changed since), its log, and the forms to decide and to reopen."""
    decided = [e for e in experiment.decision_events if e.kind == "decided"]
    snapshot = None
    if experiment.decision and decided and decided[-1].snapshot:
        snapshot = json.loads(decided[-1].snapshot)
    now = decision_snapshot(experiment) if snapshot else None
    return {
        "experiment": experiment,
        "decisions": DECISIONS,
        "decision_form": {},
        "decision_errors": {},
        "snapshot": snapshot,
        "snapshot_now": now if now != snapshot else None,
        "reopened": next(
            (e for e in reversed(experiment.decision_events) if e.kind == "reopened"),
            None,
        )
        if experiment.decision and experiment.status != "decided"
        else None,
        "reopen_form": {},
        "reopen_errors": {},
    }


BLOCKS: dict[str, Callable[..., dict]] = {
    "status": status_context,
    "results_panel": results_context,
    "feedback": feedback_context,
    "decision": decision_context,
}


def render_page(
    experiment: Experiment,
    block: str,
    *,
    status: int = 200,
    editing=None,
    **overrides,
) -> ResponseReturnValue:
    """The page, or only `block` of it for htmx; `overrides` replace context keys."""
    context = page_context(experiment, block, editing) | overrides
    return render(TEMPLATE, block, status=status, **context)


def page_context(experiment: Experiment, block: str, editing=None) -> dict:
    """What the page needs, or for an htmx request only what `block` needs."""
    builders = [BLOCKS[block]] if is_partial() else list(BLOCKS.values())
    context: dict = {}
    for builder in builders:
        if builder is results_context:
            context.update(builder(experiment, editing))
        else:
            context.update(builder(experiment))
    return context
