"""Sales field feedback on a variant's leads, added from the experiment page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from auth.decorators import require
from content.models import OUTCOMES, SENTIMENTS
from database import db
from experiments.entry import add_feedback, feedback_problems
from experiments.page import load_experiment, render_page
from web.forms import (
    DOUBLE_SUBMIT,
    Form,
    claim_form_token,
)
from web.render import is_partial

bp = Blueprint("feedback", __name__)


@bp.post("/experiments/<int:experiment_id>/feedback")
@require("add_feedback")
def create(experiment_id: int):
    experiment = load_experiment(experiment_id)
    form = Form(request.form)
    variant_id = form.id("variant_id")
    sprint_id = form.id("sprint_id")
    for name, message in feedback_problems(experiment, variant_id, sprint_id).items():
        form.error(name, message)
    values = {
        "lead_quality": form.integer(
            "lead_quality", "Lead quality", minimum=1, maximum=5
        ),
        "sentiment": form.choice("sentiment", "Sentiment", SENTIMENTS),
        "outcome": form.choice("outcome", "Outcome", OUTCOMES),
        "objections": ",".join(form.tags("objections", "Objections")),
        "text": form.text("text", "Note", required=False, max_length=5000),
    }
    if form.ok:
        claim_form_token(form)
    if form.ok:
        add_feedback(variant_id, sprint_id, values, current_user.id)
        try:
            db.session.commit()
        except IntegrityError:  # the same token, submitted twice at once
            db.session.rollback()
            form.error("form_token", DOUBLE_SUBMIT)
    if not form.ok:
        token_error = form.errors.get("form_token")
        status = (
            422 if token_error is None else 409 if token_error == DOUBLE_SUBMIT else 400
        )
        return render_page(
            experiment,
            "feedback",
            status=status,
            feedback_form=request.form,
            feedback_errors=form.errors,
        )
    if is_partial():
        return render_page(experiment, "feedback")
    flash("Feedback added.", "success")
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="feedback"),
        303,
    )
