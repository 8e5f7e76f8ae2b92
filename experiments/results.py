"""Entering results: one cell of the grid (variant x metric x sprint) at a time."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from auth.decorators import require
from core.limits import MAX_COUNT, MAX_VALUE
from database import db
from experiments.entry import (
    OPEN_FOR_RESULTS,
    cell_from_entry,
    locked_message,
    record_result,
)
from experiments.models import Experiment, Sprint
from experiments.page import load_experiment, render_page
from web.fields import DecimalField, IdField, IntegerField
from web.forms import WebForm
from web.render import is_partial

bp = Blueprint("results", __name__, url_prefix="/experiments")


class CellForm(WebForm):
    """One cell of the grid: which cell, and its counts (binomial) or its units,
    mean and standard deviation (continuous)."""

    variant_id = IdField()
    metric_id = IdField()
    sprint_id = IdField()
    units = IntegerField("Units", maximum=MAX_COUNT)
    conversions = IntegerField("Conversions", maximum=MAX_COUNT)
    mean = DecimalField("Mean", minimum=-MAX_VALUE, maximum=MAX_VALUE)
    sd = DecimalField("Standard deviation", minimum=0, maximum=MAX_VALUE)

    def names_a_cell(self) -> bool:
        return all(
            getattr(self, k).raw for k in ("variant_id", "metric_id", "sprint_id")
        )

    def read(self, metric) -> dict | None:
        """The cell's stored figures, or None with the problems next to the fields.

        Only the fields of the metric's kind are checked."""
        wanted = (
            ("units", "conversions") if metric.is_binomial else ("units", "mean", "sd")
        )
        for name in ("units", "conversions", "mean", "sd"):
            field = getattr(self, name)
            field.errors = []
            if name in wanted:
                field.validate(self)
        if metric.is_binomial:
            return self._counts()
        return self._continuous()

    def _counts(self) -> dict | None:
        units, conversions = self.units.data, self.conversions.data
        if units is not None and conversions is not None and conversions > units:
            self.error(
                "conversions",
                f"Conversions ({conversions:,}) cannot exceed units ({units:,}).",
            )
        if not self.ok:
            return None
        return {
            "units": units,
            "conversions": conversions,
            "value_mean": None,
            "value_m2": None,
        }

    def _continuous(self) -> dict | None:
        units, mean, sd = self.units.data, self.mean.data, self.sd.data
        if units is not None and sd is not None:
            if units < 2 and sd > 0:
                self.error("sd", "With fewer than 2 units the standard deviation is 0.")
            if units == 0 and mean:
                self.error("mean", "With no units the mean is 0.")
        if not self.ok:
            return None
        # Within the form's limits M2 stays below 1e36: always a finite float.
        value_mean, value_m2 = cell_from_entry(units, mean, sd)
        return {
            "units": units,
            "conversions": None,
            "value_mean": value_mean,
            "value_m2": value_m2,
        }


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
        return render_page(experiment, "results_panel")
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="results"), 303
    )


def _member(items, item_id: int | None):
    return next((item for item in items if item.id == item_id), None)
