"""Experiments: the list, the form, the page, status changes and the decision."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased, joinedload, selectinload

from auth.decorators import require
from auth.models import User
from content.models import OUTCOMES, SENTIMENTS, ContentItem, Feedback
from core.clock import utcnow
from core.limits import ALPHAS, POWERS
from database import db, get_or_404
from experiments.analysis import analyze_experiment, current_sprint
from experiments.forms import (
    HYPOTHESIS_TEMPLATE,
    ExperimentForm,
    metric_rows,
    new_row_key,
    variant_rows,
)
from experiments.models import (
    ASSIGNMENTS,
    CHANNELS,
    DECISIONS,
    FUNNEL_STAGES,
    METRIC_KINDS,
    METRIC_OWNERS,
    METRIC_ROLES,
    STATUSES,
    TRANSITIONS,
    Experiment,
    Metric,
    PlannedSplit,
    Result,
    ResultEdit,
    Sprint,
    Variant,
)
from web.fields import ChoiceField, TextField
from web.forms import (
    WebForm,
    new_form_token,
    parse_id,
    query_text,
)
from web.render import render

bp = Blueprint("experiments", __name__, url_prefix="/experiments")

PAGE_SIZE = 50
MAX_PAGE = 10_000
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


def form_choices() -> dict:
    """Everything the experiment form's selects offer."""
    users = db.session.execute(db.select(User).order_by(User.name)).scalars()
    sprints = db.session.execute(
        db.select(Sprint).order_by(Sprint.start_date)
    ).scalars()
    return {
        "user_choices": {str(u.id): u.name for u in users},
        "sprint_choices": {str(s.id): s.name for s in sprints},
        "channels": CHANNELS,
        "assignments": ASSIGNMENTS,
        "alphas": ALPHAS,
        "powers": POWERS,
        "metric_kinds": METRIC_KINDS,
        "funnel_stages": FUNNEL_STAGES,
        "metric_owners": METRIC_OWNERS,
        "metric_roles": METRIC_ROLES,
        "hypothesis_template": HYPOTHESIS_TEMPLATE,
        "content_items": db.session.execute(
            db.select(ContentItem).order_by(ContentItem.title)
        )
        .scalars()
        .all(),
    }


@bp.get("")
@login_required
def index():
    status = request.args.get("status", "")
    channel = request.args.get("channel", "")
    q = query_text(request.args.get("q"), 200)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    query = db.select(Experiment).order_by(Experiment.updated_at.desc(), Experiment.id)
    if status in STATUSES:
        query = query.where(Experiment.status == status)
    if channel in CHANNELS:
        query = query.where(Experiment.channel == channel)
    if q:
        pattern = (
            "%"
            + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        query = query.where(
            or_(
                func.lower(Experiment.title).like(pattern, escape="\\"),
                func.lower(Experiment.hypothesis).like(pattern, escape="\\"),
                func.lower(Experiment.audience).like(pattern, escape="\\"),
            )
        )
    total = db.session.execute(
        db.select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    experiments = (
        db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
        .scalars()
        .all()
    )
    return render(
        "experiments/index.html",
        "results",
        experiments=experiments,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        filters={"status": status, "channel": channel, "q": q},
        statuses=STATUSES,
        channels=CHANNELS,
    )


@bp.get("/new")
@require("edit_experiments")
def new():
    return _form_page(None, data=None, errors={})


@bp.get("/rows/<any(variants, metrics):kind>")
@require("edit_experiments")
def new_row(kind: str):
    """One blank variant or metric row, for the form's "Add" buttons."""
    row = {"key": new_row_key()}
    if kind == "metrics":
        row.update(
            kind="binomial",
            funnel_stage="lead",
            owner="marketing",
            role="secondary",
            direction="higher",
        )
    return render(
        "experiments/form.html",
        "variant_row" if kind == "variants" else "metric_row",
        row=row,
        errors={},
        **form_choices(),
    )


def _form_page(experiment: Experiment | None, data, errors: dict, status: int = 200):
    return render(
        "experiments/form.html",
        status=status,
        experiment=experiment,
        form=data if data is not None else _experiment_values(experiment),
        errors=errors,
        variants=variant_rows(experiment, data),
        metrics=metric_rows(experiment, data),
        **form_choices(),
    )


def _experiment_values(experiment: Experiment | None) -> dict:
    if experiment is None:
        sprint = current_sprint()
        return {
            "hypothesis": HYPOTHESIS_TEMPLATE,
            "assignment": "randomized",
            "ice_impact": 5,
            "ice_confidence": 5,
            "ice_ease": 5,
            "alpha": "0.05",
            "power": "0.8",
            "planned_looks": 4,
            "owner_id": str(current_user.id),
            "start_sprint_id": str(sprint.id) if sprint else "",
        }
    e = experiment
    return {
        "title": e.title,
        "hypothesis": e.hypothesis,
        "channel": e.channel,
        "audience": e.audience,
        "assignment": e.assignment,
        "ice_impact": e.ice_impact,
        "ice_confidence": e.ice_confidence,
        "ice_ease": e.ice_ease,
        "alpha": f"{e.alpha:g}",
        "power": f"{e.power:g}",
        "relative_mde": "" if e.relative_mde is None else f"{e.relative_mde * 100:g}",
        "baseline_rate": ""
        if e.baseline_rate is None
        else f"{e.baseline_rate * 100:g}",
        "planned_looks": e.planned_looks,
        "owner_id": str(e.owner_id or ""),
        "start_sprint_id": str(e.start_sprint_id or ""),
    }


def _save(experiment: Experiment | None):
    """Validate the whole form; save it all or nothing."""
    form = ExperimentForm(experiment)
    form.check()
    values, variants, metrics = form.values, form.variant_rows, form.metric_rows
    if experiment is not None:
        _check_removals(form, experiment, variants, metrics)
        if experiment.status in ("running", "analyzing"):
            kept_variants = [r for r in variants if not r.remove]
            kept_metrics = [r for r in metrics if not r.remove]
            if not any(r.values["role"] == "primary" for r in kept_metrics):
                form.error("metrics", "A running experiment needs its primary metric.")
            if not kept_variants:
                form.error("variants", "A running experiment needs its variants.")
    if not form.ok:
        return None, form
    if experiment is None:
        experiment = Experiment(status="idea")
        db.session.add(experiment)
    for name, value in values.items():
        setattr(experiment, name, value)
    _apply_variants(experiment, variants)
    _apply_metrics(experiment, metrics)
    return experiment, form


def _check_removals(form: WebForm, experiment: Experiment, variants, metrics) -> None:
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
            form.error(f"variants-{row.key}-name", "Has results; it cannot be removed.")
        elif row.remove and row.id in with_feedback:
            form.error(
                f"variants-{row.key}-name",
                "Has field feedback; it cannot be removed.",
            )
    kinds = {m.id: m.kind for m in experiment.metrics}
    for row in metrics:
        if row.remove and row.id in used_metrics:
            form.error(f"metrics-{row.key}-name", "Has results; it cannot be removed.")
        elif (
            not row.remove
            and row.id in used_metrics
            and row.values["kind"] not in (None, kinds[row.id])
        ):
            form.error(
                f"metrics-{row.key}-kind",
                "Has results; its type cannot change. Add a new metric instead.",
            )


def _apply_variants(experiment: Experiment, rows) -> None:
    existing = {v.id: v for v in experiment.variants}
    _freeze_split_history(experiment, rows)
    for v in experiment.variants:  # clear first: one control at a time in the DB
        v.is_control = False
    if experiment.id is not None:
        db.session.flush()
    keep = []
    for position, row in enumerate(r for r in rows if not r.remove):
        variant = existing.get(row.id) or Variant()
        for name, value in row.values.items():
            setattr(variant, name, value)
        variant.position = position
        keep.append(variant)
    experiment.variants = keep


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
    if experiment.id is not None:
        db.session.flush()
    keep = []
    for position, row in enumerate(r for r in rows if not r.remove):
        metric = existing.get(row.id) or Metric()
        for name, value in row.values.items():
            setattr(metric, name, value)
        metric.position = position
        keep.append(metric)
    experiment.metrics = keep


@bp.post("")
@require("edit_experiments")
def create():
    experiment, form = _save(None)
    if experiment is None:
        return _form_page(None, request.form, form.problems, status=422)
    db.session.commit()
    flash(f"Created “{experiment.title}”.", "success")
    return redirect(url_for("experiments.show", experiment_id=experiment.id), 303)


@bp.get("/<int:experiment_id>/edit")
@require("edit_experiments")
def edit(experiment_id: int):
    experiment = load_experiment(experiment_id)
    return _form_page(experiment, data=None, errors={})


@bp.post("/<int:experiment_id>")
@require("edit_experiments")
def update(experiment_id: int):
    experiment = load_experiment(experiment_id)
    saved, form = _save(experiment)
    if saved is None:
        db.session.rollback()
        return _form_page(experiment, request.form, form.problems, status=422)
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("experiments.show", experiment_id=experiment.id), 303)


def show_context(experiment: Experiment, **overrides) -> dict:
    """What the experiment page shows; views override the part they re-render."""
    editing = overrides.get("editing")
    analysis = analyze_experiment(experiment, editing[2] if editing else None)
    feedback = (
        db.session.execute(
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
        .scalars()
        .all()
    )
    sprint = current_sprint()
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
    context = {
        "history": history,
        "experiment": experiment,
        "analysis": analysis,
        "feedback": feedback,
        "statuses": STATUSES,
        "transitions": TRANSITIONS,
        "decisions": DECISIONS,
        "sentiments": SENTIMENTS,
        "outcomes": OUTCOMES,
        "channels": CHANNELS,
        "funnel_stages": FUNNEL_STAGES,
        "variant_choices": {str(v.id): v.name for v in experiment.variants},
        "sprint_choices": {
            str(s.id): s.name
            for s in db.session.execute(
                db.select(Sprint).order_by(Sprint.start_date.desc())
            ).scalars()
        },
        "current_sprint": sprint,
        "editing": None,
        "cell_form": {},
        "errors": {},
        "status_errors": [],
        "decision_form": {},
        "decision_errors": {},
        "feedback_form": {"sprint_id": str(sprint.id) if sprint else ""},
        "feedback_errors": {},
        "form_token": new_form_token(),
    }
    context.update(overrides)
    return context


@bp.get("/<int:experiment_id>")
@login_required
def show(experiment_id: int):
    experiment = load_experiment(experiment_id)
    editing = _editing_cell(experiment, request.args.get("edit", ""))
    return render(
        "experiments/show.html",
        "results_panel",
        **show_context(experiment, editing=editing),
    )


def _editing_cell(experiment: Experiment, key: str):
    """`?edit=variant-metric-sprint` opens that cell of the grid, if the user may."""
    parts = [parse_id(part) for part in key.split("-")]
    if len(parts) != 3:
        return None
    if None in parts:
        abort(404)
    variant_id, metric_id, sprint_id = parts
    variant = next((v for v in experiment.variants if v.id == variant_id), None)
    metric = next((m for m in experiment.metrics if m.id == metric_id), None)
    if variant is None or metric is None or db.session.get(Sprint, sprint_id) is None:
        abort(404)
    if not current_user.can_enter_results_for(metric.owner):
        abort(403, "Your role cannot enter results for this metric.")
    return (variant_id, metric_id, sprint_id)


@bp.post("/<int:experiment_id>/status")
@require("edit_experiments")
def change_status(experiment_id: int):
    experiment = load_experiment(experiment_id)
    target = request.form.get("status", "")
    problems = []
    if target not in STATUSES:
        problems.append("Choose a known status.")
    elif target not in TRANSITIONS[experiment.status]:
        problems.append(
            f"An experiment cannot go from {STATUSES[experiment.status].lower()} "
            f"to {STATUSES[target].lower()}."
        )
    elif target == "running":
        problems = experiment.start_problems()
    elif target == "idea" and experiment.decision:
        problems.append(
            "A decided experiment stays decided; to test the idea again, create a "
            "new experiment."
        )
    if problems:
        return render(
            "experiments/show.html",
            "status",
            status=422,
            **show_context(experiment, status_errors=problems),
        )
    experiment.status = target
    db.session.commit()
    flash(f"Status is now {STATUSES[target].lower()}.", "success")
    return redirect(url_for("experiments.show", experiment_id=experiment.id), 303)


class DecisionForm(WebForm):
    decision = ChoiceField("Decision", DECISIONS)
    decision_reason = TextField("Reason", max_length=5000)
    learning = TextField("Learning", max_length=5000)


@bp.post("/<int:experiment_id>/decision")
@require("decide")
def decide(experiment_id: int):
    experiment = load_experiment(experiment_id)
    form = DecisionForm()
    form.check()
    if experiment.status not in ("running", "analyzing", "decided"):
        form.error("decision", "Only a running or analyzed experiment can be decided.")
    if not form.ok:
        return render(
            "experiments/show.html",
            "decision",
            status=422,
            **show_context(
                experiment, decision_form=request.form, decision_errors=form.problems
            ),
        )
    decision = experiment.decision = form.decision.data
    experiment.decision_reason = form.decision_reason.data
    experiment.learning = form.learning.data
    experiment.status = "decided"
    experiment.decided_at = utcnow()
    experiment.decided_by_id = current_user.id
    db.session.commit()
    flash(f"Decision recorded: {DECISIONS[decision].lower()}.", "success")
    return redirect(url_for("experiments.show", experiment_id=experiment.id), 303)
