"""Experiments: the list, the form, the page, status changes and the decision."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from auth.decorators import require
from auth.models import User
from content.models import ContentItem
from core.limits import ALPHAS, POWERS
from database import db, get_or_404
from experiments.editing import (
    decision_problems,
    edit_problems,
    record_decision,
    reopen,
    reopen_problems,
    save_experiment,
    set_status,
)
from experiments.entry import locked_message
from experiments.form_values import (
    as_new_rows,
    content_groups,
    experiment_values,
    follow_up_values,
)
from experiments.forms import (
    HYPOTHESIS_TEMPLATE,
    ExperimentForm,
    PlanFields,
    metric_rows,
    new_row_key,
    variant_rows,
)
from experiments.listing import list_context, read_filters
from experiments.models import (
    ASSIGNMENTS,
    CHANNELS,
    DECISIONS,
    FUNNEL_STAGES,
    METRIC_KINDS,
    METRIC_OWNERS,
    METRIC_ROLES,
    STATUSES,
    Experiment,
    Sprint,
)
from experiments.page import TEMPLATE, load_experiment, page_context, render_page
from web.fields import ChoiceField, TextField
from web.forms import (
    WebForm,
    parse_id,
    query_text,
    row_keys,
)
from web.page_cache import cached_page
from web.render import render, saved

bp = Blueprint("experiments", __name__, url_prefix="/experiments")


def form_choices(channel: str = "") -> dict:
    """Everything the experiment form's selects offer (the content picker puts
    the kinds `channel` uses first)."""
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
        "content_groups": content_groups(
            db.session.execute(db.select(ContentItem)).scalars(), channel
        ),
    }


@bp.get("")
@login_required
def index():
    filters = read_filters(request.args, query_text)
    key = hashlib.sha256(repr(filters).encode()).hexdigest()[:20]
    return cached_page(
        f"experiments:{key}",
        "experiments/index.html",
        lambda: list_context(filters),
        "results",
    )


@bp.get("/new")
@require("edit_experiments")
def new():
    """A blank form, or with ?from=<id> the follow-up of that experiment."""
    origin = request.args.get("from")
    if origin:
        parent = get_or_404(Experiment, parse_id(origin) or 0)
        return _form_page(None, follow_up_values(parent), {}, like=parent)
    return _form_page(None, data=None, errors={})


@bp.get("/plan")
@require("edit_experiments")
def plan_preview():
    """What the plan in the form needs: units, sprints, and a warning when the
    looks and the sample do not meet. A GET: it changes nothing."""
    context = _plan_preview_context(request.args)
    status = 422 if context["plan_problems"] else 200
    return render("experiments/_plan_preview.html", status=status, **context)


def _plan_preview_context(formdata, variants: int = 2) -> dict:
    """The preview of the plan in `formdata` (with as many variants as it has
    rows, else `variants`), and the problems of its fields."""
    form = PlanFields(formdata=formdata)
    form.check()
    variants = len(row_keys(formdata, "variants")) or variants
    return {"plan_preview": form.plan(variants), "plan_problems": form.problems}


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
        always_block=True,
        row=row,
        errors={},
        **form_choices(request.args.get("channel", "")),
    )


def _form_page(
    experiment: Experiment | None, data, errors: dict, status: int = 200, like=None
):
    """The form: of `experiment`, as submitted (`data`), or new; `like` is the
    experiment a new one follows up, whose rows it starts with."""
    form = data if data is not None else experiment_values(experiment)
    if like is not None:
        variants = as_new_rows(variant_rows(like))
        metrics = as_new_rows(metric_rows(like))
    else:
        variants = variant_rows(experiment, data)
        metrics = metric_rows(experiment, data)
    return render(
        "experiments/form.html",
        status=status,
        experiment=experiment,
        form=form,
        **_plan_preview_context(
            MultiDict({name: str(value) for name, value in form.items()}),
            len(experiment.variants) if experiment else 2,
        ),
        errors=errors,
        variants=variants,
        metrics=metrics,
        parent=like or _parent(form),
        **form_choices(str(form.get("channel") or "")),
    )


def _parent(form) -> Experiment | None:
    """The experiment a submitted new one follows up, to name it on the form."""
    parent_id = parse_id(str(form.get("parent_id") or ""))
    return db.session.get(Experiment, parent_id) if parent_id else None


def _save(experiment: Experiment | None):
    """Validate the whole form; save it all or nothing."""
    form = ExperimentForm(experiment)
    form.check()
    values, variants, metrics = form.values, form.variant_rows, form.metric_rows
    if experiment is not None:
        for name, message in edit_problems(experiment, variants, metrics).items():
            form.error(name, message)
    if not form.ok:
        return None, form
    return save_experiment(experiment, values, variants, metrics), form


@bp.post("")
@require("edit_experiments")
def create():
    experiment, form = _save(None)
    if experiment is None:
        return _form_page(None, request.form, form.problems, status=422)
    return saved(
        f"Created “{experiment.title}”.",
        "experiments.show",
        experiment_id=experiment.id,
    )


@bp.get("/<int:experiment_id>/edit")
@require("edit_experiments")
def edit(experiment_id: int):
    experiment = load_experiment(experiment_id)
    return _form_page(experiment, data=None, errors={})


@bp.post("/<int:experiment_id>")
@require("edit_experiments")
def update(experiment_id: int):
    experiment = load_experiment(experiment_id)
    stored, form = _save(experiment)
    if stored is None:
        db.session.rollback()
        return _form_page(experiment, request.form, form.problems, status=422)
    return saved("Saved.", "experiments.show", experiment_id=experiment.id)


@bp.get("/<int:experiment_id>")
@login_required
def show(experiment_id: int):
    if request.args.get("edit"):
        experiment = load_experiment(experiment_id)
        editing = _editing_cell(experiment, request.args["edit"])
        return render_page(experiment, "results_panel", editing=editing)
    every_sprint = request.args.get("sprints") == "all"
    return cached_page(
        f"experiment:{experiment_id}:{'all' if every_sprint else 'latest'}",
        TEMPLATE,
        lambda: page_context(load_experiment(experiment_id), "results_panel"),
        "results_panel",
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
    if experiment.status == "decided":
        abort(409, locked_message(experiment))
    return (variant_id, metric_id, sprint_id)


@bp.post("/<int:experiment_id>/status")
@require("edit_experiments")
def change_status(experiment_id: int):
    experiment = load_experiment(experiment_id)
    target = request.form.get("status", "")
    problems = set_status(experiment, target)
    if problems:
        return render_page(experiment, "status", status=422, status_errors=problems)
    return saved(
        f"Status is now {STATUSES[target].lower()}.",
        "experiments.show",
        experiment_id=experiment.id,
    )


class DecisionForm(WebForm):
    decision = ChoiceField("Decision", DECISIONS)
    decision_reason = TextField("Reason", max_length=5000)
    learning = TextField("Learning", max_length=5000)


@bp.post("/<int:experiment_id>/decision")
@require("decide")
def decide(experiment_id: int):
    experiment = load_experiment(experiment_id)
    form = DecisionForm()
    refused = _refused(experiment, form, decision_problems(experiment), "decision")
    if refused:
        return refused
    decision = form.decision.data
    record_decision(
        experiment,
        decision,
        form.decision_reason.data,
        form.learning.data,
        current_user.id,
    )
    return saved(
        f"Decision recorded: {DECISIONS[decision].lower()}.",
        "experiments.show",
        experiment_id=experiment.id,
    )


class ReopenForm(WebForm):
    reason = TextField("Reason", max_length=2000)


@bp.post("/<int:experiment_id>/reopen")
@require("decide")
def reopen_results(experiment_id: int):
    """A lead unlocks a decided experiment's results, saying why."""
    experiment = load_experiment(experiment_id)
    form = ReopenForm()
    refused = _refused(experiment, form, reopen_problems(experiment), "reopen")
    if refused:
        return refused
    reopen(experiment, form.reason.data, current_user.id)
    return saved(
        "Results reopened: they can be changed until the next decision.",
        "experiments.show",
        experiment_id=experiment.id,
    )


def _refused(experiment: Experiment, form: WebForm, problems: dict, name: str):
    """The decision box again with the form's problems (422), or None when the
    form and the experiment's state allow it (`name`: the form's context keys)."""
    form.check()
    for field, message in problems.items():
        form.error(field, message)
    if form.ok:
        return None
    context = {f"{name}_form": request.form, f"{name}_errors": form.problems}
    return render_page(experiment, "decision", status=422, **context)
