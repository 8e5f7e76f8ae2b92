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
from web.fields import ChoiceField, IdField, IntegerField, TagsField, TextField
from web.forms import DOUBLE_SUBMIT, TokenForm
from web.render import is_partial, render

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
        self.variant = None

    def cross_check(self) -> None:
        variant_id = self.variant_id.data
        self.variant = next(
            (v for v in self.experiment.variants if v.id == variant_id), None
        )
        if self.variant is None:
            self.error("variant_id", "Choose the variant the leads came from.")
        sprint_id = self.sprint_id.data
        if sprint_id is None or db.session.get(Sprint, sprint_id) is None:
            self.error("sprint_id", "Choose a sprint.")
        if self.ok:
            self.claim_token()

    def feedback(self, author_id: int) -> Feedback:
        """The feedback this form describes, not yet added to the session."""
        return Feedback(
            sprint_id=self.sprint_id.data,
            variant_id=self.variant.id,
            author_id=author_id,
            lead_quality=self.lead_quality.data,
            sentiment=self.sentiment.data,
            outcome=self.outcome.data,
            objections=",".join(self.objections.data),
            text=self.text.data,
        )


@bp.post("/experiments/<int:experiment_id>/feedback")
@require("add_feedback")
def create(experiment_id: int):
    experiment = load_experiment(experiment_id)
    form = FeedbackForm(experiment)
    form.check()
    if form.ok:
        db.session.add(form.feedback(current_user.id))
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
        return render(
            "experiments/show.html",
            "feedback",
            status=status,
            **show_context(
                experiment, feedback_form=request.form, feedback_errors=form.problems
            ),
        )
    if is_partial():
        return render("experiments/show.html", "feedback", **show_context(experiment))
    flash("Feedback added.", "success")
    return redirect(
        url_for("experiments.show", experiment_id=experiment.id, _anchor="feedback"),
        303,
    )
