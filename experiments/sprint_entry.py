"""Entering a whole sprint at once: every variant and metric the user may enter,
in one form, saved all together or not at all."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from auth.decorators import require
from database import db, get_or_404
from experiments.calendar import sprints_run
from experiments.cells import CellForm
from experiments.entry import OPEN_FOR_RESULTS, locked_message, record_result
from experiments.models import Experiment, Result, Sprint, Variant
from experiments.page import load_experiment
from experiments.paste import read_block
from web.render import render

bp = Blueprint("sprint_entry", __name__, url_prefix="/experiments")
FIGURES = ("units", "conversions", "mean", "sd")


def _cells(experiment: Experiment) -> list[tuple]:
    """(metric, variant, input prefix) of the cells this user may enter."""
    return [
        (metric, variant, f"c{variant.id}-{metric.id}")
        for metric in experiment.metrics
        if current_user.can_enter_results_for(metric.owner)
        for variant in experiment.variants
    ]


def _checked(experiment_id: int, sprint_id: int) -> tuple[Experiment, Sprint]:
    experiment = load_experiment(experiment_id)
    sprint = get_or_404(Sprint, sprint_id)
    if experiment.status == "decided":
        abort(409, locked_message(experiment))
    if experiment.status not in OPEN_FOR_RESULTS:
        abort(409, "Start the experiment before entering results.")
    if all(s.id != sprint.id for s in sprints_run(experiment)):
        abort(404, "The experiment did not run in that sprint.")
    return experiment, sprint


def _stored(experiment: Experiment, sprint: Sprint) -> dict[str, str]:
    """The sprint's stored figures as the form's inputs show them."""
    rows = db.session.execute(
        db.select(Result)
        .join(Variant, Variant.id == Result.variant_id)
        .where(Variant.experiment_id == experiment.id, Result.sprint_id == sprint.id)
    ).scalars()
    values = {}
    for row in rows:
        prefix = f"c{row.variant_id}-{row.metric_id}"
        values[f"{prefix}-units"] = str(row.units)
        if row.conversions is not None:
            values[f"{prefix}-conversions"] = str(row.conversions)
        if row.value_mean is not None:
            sd = (row.value_m2 / (row.units - 1)) ** 0.5 if row.units > 1 else 0.0
            values[f"{prefix}-mean"] = f"{row.value_mean:g}"
            values[f"{prefix}-sd"] = f"{sd:.6g}"
    return values


def _page(experiment, sprint, form: dict, errors: dict, status: int = 200, **more):
    return render(
        "experiments/sprint_results.html",
        status=status,
        experiment=experiment,
        sprint=sprint,
        cells=_cells(experiment),
        form=form,
        errors=errors,
        **({"paste": "", "preview": False} | more),
    )


@bp.get("/<int:experiment_id>/sprints/<int:sprint_id>/results")
@require("enter_results")
def sprint_form(experiment_id: int, sprint_id: int):
    experiment, sprint = _checked(experiment_id, sprint_id)
    return _page(experiment, sprint, _stored(experiment, sprint), {})


@bp.post("/<int:experiment_id>/sprints/<int:sprint_id>/results")
@require("enter_results")
def save_sprint(experiment_id: int, sprint_id: int):
    experiment, sprint = _checked(experiment_id, sprint_id)
    if request.form.get("action") == "paste":
        return _preview(experiment, sprint)
    values, problems = _read_cells(experiment, request.form)
    if problems or not values:
        if not values and not problems:
            problems["cells"] = "Enter the figures of at least one cell."
        return _page(experiment, sprint, request.form, problems, status=422)
    try:
        _record(values, sprint.id)
    except IntegrityError:  # a cell inserted meanwhile: update it instead
        db.session.rollback()
        _record(values, sprint.id)
    flash(f"Saved {len(values)} cells for {sprint.name}.", "success")
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="results"),
        303,
    )


def _preview(experiment: Experiment, sprint: Sprint):
    """A pasted block in the cells it covers, checked, nothing saved yet."""
    cells = _cells(experiment)
    filled, problems = read_block(request.form.get("paste", ""), cells)
    form = _stored(experiment, sprint) | filled
    covered = {k.rsplit("-", 1)[0] for k in filled}
    checked = [c for c in cells if c[2] in covered]
    problems = _read_cells(experiment, form, checked)[1] | problems
    if problems:
        return _page(experiment, sprint, form, problems, status=422,
                     paste=request.form.get("paste", ""))  # fmt: skip
    flash(f"{len(covered)} cells filled from the paste: check them, then save.", "info")
    return _page(experiment, sprint, form, {}, preview=True)


def _read_cells(experiment: Experiment, form, cells=None) -> tuple[dict, dict]:
    """({(variant id, metric id): stored figures}, problems by input name) of the
    cells with anything typed in them."""
    values, problems = {}, {}
    for metric, variant, prefix in cells or _cells(experiment):
        if not any(str(form.get(f"{prefix}-{k}", "")).strip() for k in FIGURES):
            continue  # left empty: not entered this time
        cell_form = CellForm(formdata=MultiDict(form), prefix=f"{prefix}-")
        cell = cell_form.read(metric)
        if cell is None:
            problems.update(cell_form.problems)
        else:
            values[(variant.id, metric.id)] = cell
    return values, problems


def _record(values: dict, sprint_id: int) -> None:
    for (variant_id, metric_id), cell in values.items():
        record_result(variant_id, sprint_id, metric_id, cell, "form", current_user.id)
    db.session.commit()
