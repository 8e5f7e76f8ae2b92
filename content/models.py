"""The messaging library, its version history, and sales field feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.vocabulary import FUNNEL_STAGES
from database import check_in, db

CONTENT_KINDS = {
    "headline": "Headline",
    "email_subject": "Email subject",
    "email_body": "Email body",
    "landing_page": "Landing page",
    "ad": "Ad",
    "social_post": "Social post",
    "sales_script": "Sales script",
    "one_pager": "One-pager",
}
SENTIMENTS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
OUTCOMES = {
    "open": "Still open",
    "won": "Won",
    "lost": "Lost",
    "no_decision": "No decision",
}


class ContentItem(db.Model):
    __tablename__ = "content_items"
    __table_args__ = (
        CheckConstraint(check_in("kind", CONTENT_KINDS), name="kind_known"),
        CheckConstraint(
            "funnel_stage IS NULL OR " + check_in("funnel_stage", FUNNEL_STAGES),
            name="stage_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    call_to_action: Mapped[str] = mapped_column(String(200), default="")
    persona: Mapped[str] = mapped_column(String(100), default="")
    funnel_stage: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tags: Mapped[list[ContentTag]] = relationship(
        cascade="all, delete-orphan", order_by="ContentTag.tag"
    )
    versions: Mapped[list[ContentVersion]] = relationship(
        cascade="all, delete-orphan", order_by="ContentVersion.version.desc()"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    def wording(self, version: int | None):
        """The title, body and call to action of `version` (this item, or the
        archived ContentVersion); the current one for None or an unknown one."""
        if version is None or version == self.version:
            return self
        return next((v for v in self.versions if v.version == version), self)


class ContentTag(db.Model):
    __tablename__ = "content_tags"

    content_item_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ContentVersion(db.Model):
    """An earlier version of a content item, kept when the item is edited."""

    __tablename__ = "content_versions"
    # One archived wording per version number (edits at once: the second is 409).
    __table_args__ = (
        Index("uq_content_versions_number", "content_item_id", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_item_id: Mapped[int] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    call_to_action: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Feedback(db.Model):
    """A salesperson's note on the leads a variant or a content item produced."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("lead_quality BETWEEN 1 AND 5", name="quality_range"),
        CheckConstraint(check_in("sentiment", SENTIMENTS), name="sentiment_known"),
        CheckConstraint(check_in("outcome", OUTCOMES), name="outcome_known"),
        CheckConstraint(
            "variant_id IS NOT NULL OR content_item_id IS NOT NULL",
            name="has_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id"))
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    content_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lead_quality: Mapped[int]
    sentiment: Mapped[str] = mapped_column(String(10))
    objections: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sprint = relationship("Sprint")
    variant = relationship("Variant")
    content_item = relationship("ContentItem")
    author = relationship("User")

    @property
    def objection_list(self) -> list[str]:
        return [o for o in self.objections.split(",") if o]
