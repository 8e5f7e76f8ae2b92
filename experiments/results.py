"""Entering results: one cell of the grid (variant x metric x sprint) at a time."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from auth.decorators import require
from database import db
from experiments.calendar import sprints_run
from experiments.cells import CellForm
from experiments.entry import (
    OPEN_FOR_RESULTS,
    locked_message,
    record_result,
    sprint_problem,
)
from experiments.models import Experiment, Sprint
from experiments.page import load_experiment, render_page
from web.render import is_partial

bp = Blueprint("results", __name__, url_prefix="/experiments")


@bp.post("/<int:experiment_id>/results")
@require("enter_results")
def save(experiment_id: int):
    experiment: Experiment = load_experiment(experiment_id)
    form = CellForm()
    for field in (form.variant_id, form.metric_id, form.sprint_id):
        field.validate(form)
    if not form.names_a_cell():
        abort(400, "The form does not say which cell it is for; reload the page.")
    variant = _member(experiment.variants, form.variant_id.data)
    metric = _member(experiment.metrics, form.metric_id.data)
    sprint_id = form.sprint_id.data
    sprint = db.session.get(Sprint, sprint_id) if sprint_id else None
    if variant is None or metric is None or sprint is None:
        abort(404, "That variant, metric or sprint does not exist.")
    if not current_user.can_enter_results_for(metric.owner):
        abort(403, "Sales enters results only for metrics owned by sales.")
    editing = (variant.id, metric.id, sprint.id)
    if (problem := sprint_problem(experiment, sprint)) is not None:
        abort(422, problem)
    if experiment.status == "decided":
        return render_page(
            experiment,
            "results_panel",
            status=409,
            errors={"results": locked_message(experiment)},
        )
    if experiment.status not in OPEN_FOR_RESULTS:
        form.error("results", "Start the experiment before entering results.")
    values = form.read(metric) if form.ok else None
    if values is None:
        return render_page(
            experiment,
            "results_panel",
            status=422,
            editing=editing,
            cell_form=request.form,
            errors=form.problems,
        )
    cell = (variant.id, sprint.id, metric.id, values, "form", current_user.id)
    try:
        record_result(*cell)
        db.session.commit()
    except IntegrityError:
        # The same new cell saved twice at once: the other request inserted it
        # first, so this one updates it.
        db.session.rollback()
        record_result(*cell)
        db.session.commit()
    if is_partial():
        following = _next_cell(experiment, editing, request.form.get("then", ""))
        return render_page(experiment, "results_panel", editing=following)
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="results"), 303
    )


def _member(items, item_id: int | None):
    return next((item for item in items if item.id == item_id), None)


def _next_cell(experiment: Experiment, cell: tuple, direction: str):
    """The cell a keyboard save opens next: "down" is the next variant in the
    sprint, "across" the next sprint of the variant (among the sprints the
    experiment ran in); None past the last one or for a metric not theirs."""
    variant_id, metric_id, sprint_id = cell
    metric = _member(experiment.metrics, metric_id)
    if direction not in ("down", "across") or experiment.status == "decided":
        return None
    if not current_user.can_enter_results_for(metric.owner):
        return None
    if direction == "down":
        ids = [v.id for v in experiment.variants]
        at = ids.index(variant_id) + 1
        return (ids[at], metric_id, sprint_id) if at < len(ids) else None
    ids = [s.id for s in sprints_run(experiment)]
    at = ids.index(sprint_id) + 1 if sprint_id in ids else len(ids)
    return (variant_id, metric_id, ids[at]) if at < len(ids) else None
