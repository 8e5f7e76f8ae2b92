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
from web.fields import ChoiceField, IdField, IntegerField, TagsField, TextField
from web.forms import DOUBLE_SUBMIT, TokenForm
from web.render import is_partial

bp = Blueprint("feedback", __name__)


class FeedbackForm(TokenForm):
    """A note on one variant's leads in one sprint, saved once."""

    variant_id = IdField()
    sprint_id = IdField()
    lead_quality = IntegerField("Lead quality", minimum=1, maximum=5)
    sentiment = ChoiceField("Sentiment", SENTIMENTS)
    outcome = ChoiceField("Outcome", OUTCOMES)
    objections = TagsField("Objections")
    text = TextField("Note", required=False, max_length=5000)

    def __init__(self, experiment, **kwargs):
        super().__init__(**kwargs)
        self.experiment = experiment

    def cross_check(self) -> None:
        problems = feedback_problems(
            self.experiment, self.variant_id.data, self.sprint_id.data
        )
        for name, message in problems.items():
            self.error(name, message)
        if self.ok:
            self.claim_token()

    @property
    def values(self) -> dict:
        """The note's figures and words as add_feedback takes them."""
        values = self.field_data("lead_quality", "sentiment", "outcome", "text")
        return values | {"objections": ",".join(self.objections.data)}


@bp.post("/experiments/<int:experiment_id>/feedback")
@require("add_feedback")
def create(experiment_id: int):
    experiment = load_experiment(experiment_id)
    form = FeedbackForm(experiment)
    form.check()
    if form.ok:
        add_feedback(
            form.variant_id.data, form.sprint_id.data, form.values, current_user.id
        )
        try:
            db.session.commit()
        except IntegrityError:  # the same token, submitted twice at once
            db.session.rollback()
            form.error("form_token", DOUBLE_SUBMIT)
    if not form.ok:
        token_error = form.problems.get("form_token")
        status = (
            422 if token_error is None else 409 if token_error == DOUBLE_SUBMIT else 400
        )
        return render_page(
            experiment,
            "feedback",
            status=status,
            feedback_form=request.form,
            feedback_errors=form.problems,
        )
    if is_partial():
        return render_page(experiment, "feedback")
    flash("Feedback added.", "success")
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="feedback"),
        303,
    )
