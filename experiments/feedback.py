"""Sales field feedback on a variant's leads, added from the experiment page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from auth.decorators import require
from content.models import OUTCOMES, SENTIMENTS, Feedback
from database import db
from experiments.models import Sprint
from experiments.views import load_experiment, show_context
from web.forms import (
    DOUBLE_SUBMIT,
    Form,
    claim_form_token,
)
from web.render import is_partial, render

bp = Blueprint("feedback", __name__)


@bp.post("/experiments/<int:experiment_id>/feedback")
@require("add_feedback")
def create(experiment_id: int):
    experiment = load_experiment(experiment_id)
    form = Form(request.form)
    variant_id = form.id("variant_id")
    variant = next((v for v in experiment.variants if v.id == variant_id), None)
    if variant is None:
        form.error("variant_id", "Choose the variant the leads came from.")
    sprint_id = form.id("sprint_id")
    if sprint_id is None or db.session.get(Sprint, sprint_id) is None:
        form.error("sprint_id", "Choose a sprint.")
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
        db.session.add(
            Feedback(
                sprint_id=sprint_id,
                variant_id=variant.id,
                author_id=current_user.id,
                **values,
            )
        )
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
        return render(
            "experiments/show.html",
            "feedback",
            status=status,
            **show_context(
                experiment, feedback_form=request.form, feedback_errors=form.errors
            ),
        )
    if is_partial():
        return render("experiments/show.html", "feedback", **show_context(experiment))
    flash("Feedback added.", "success")
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="feedback"),
        303,
    )
