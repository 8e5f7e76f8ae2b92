"""Which experiments use a library item: answers for content.usage.ContentUsage."""

from __future__ import annotations

from sqlalchemy import func

from content.models import Feedback
from database import db
from experiments.models import Experiment, Variant


def usage_counts() -> dict[int, int]:
    """How many variants use each item: {content item id: count}."""
    return dict(
        db.session.execute(
            db.select(Variant.content_item_id, func.count(Variant.id))
            .where(Variant.content_item_id.is_not(None))
            .group_by(Variant.content_item_id)
        ).all()
    )


def used_in(item_id: int) -> list:
    """(experiment, variant) pairs that use the item, by experiment title."""
    return db.session.execute(
        db.select(Experiment, Variant)
        .join(Variant, Variant.experiment_id == Experiment.id)
        .where(Variant.content_item_id == item_id)
        .order_by(Experiment.title)
    ).all()


def feedback_on(item_id: int) -> list[Feedback]:
    """Feedback on the item or on the variants that use it, newest first."""
    return (
        db.session.execute(
            db.select(Feedback)
            .outerjoin(Variant, Variant.id == Feedback.variant_id)
            .where(
                (Feedback.content_item_id == item_id)
                | (Variant.content_item_id == item_id)
            )
            .order_by(Feedback.created_at.desc())
        )
        .scalars()
        .all()
    )
