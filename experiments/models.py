"""Sprints, experiments, their variants and metrics, and the results fact table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.limits import (
    MAX_COUNT,
    MAX_PLANNED_LOOKS,
    MAX_VARIANT_NAME,
    SHARE_TOLERANCE,
)
from core.vocabulary import FUNNEL_STAGES
from database import check_in, db, one_per_experiment

CHANNELS = {
    "email": "Email",
    "landing_page": "Landing page",
    "ads": "Ads",
    "linkedin": "LinkedIn",
    "sales_call": "Sales call",
    "website": "Website",
    "event": "Event",
    "other": "Other",
}
STATUSES = {
    "idea": "Idea",
    "planned": "Planned",
    "running": "Running",
    "analyzing": "Analyzing",
    "decided": "Decided",
    "archived": "Archived",
}
# The moves a status change may make; "decided" is reached only through a decision.
TRANSITIONS = {
    "idea": ("planned", "archived"),
    "planned": ("idea", "running", "archived"),
    "running": ("analyzing",),
    "analyzing": ("running",),
    "decided": ("archived",),
    "archived": ("idea",),
}
DECISIONS = {"ship": "Ship", "iterate": "Iterate", "stop": "Stop"}
ASSIGNMENTS = {
    "randomized": "Randomly assigned",
    "chosen": "Chosen by people (observational)",
}
METRIC_KINDS = {"binomial": "Conversion rate", "continuous": "Continuous value"}
METRIC_OWNERS = {"marketing": "Marketing", "sales": "Sales"}
METRIC_ROLES = {
    "primary": "Primary",
    "secondary": "Secondary",
    "guardrail": "Guardrail",
}
RESULT_SOURCES = {"form": "Form", "csv": "CSV import", "api": "API", "demo": "Demo"}


class Sprint(db.Model):
    __tablename__ = "sprints"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    goal: Mapped[str] = mapped_column(Text, default="")

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


# No two sprints share a day, enforced by the database so that two sprints saved
# at the same moment cannot both pass the form's check: an exclusion constraint on
# PostgreSQL, triggers on SQLite (which run inside its single writer's lock).
# The migration c9f1d2e8a4b6 adds the same to existing databases.
SPRINT_OVERLAP_DDL = {
    "postgresql": [
        "ALTER TABLE sprints ADD CONSTRAINT ex_sprints_no_overlap EXCLUDE USING gist "
        "(daterange(start_date, end_date, '[]') WITH &&)"
    ],
    "sqlite": [
        f"CREATE TRIGGER sprints_no_overlap_{when} BEFORE {event} ON sprints "
        "WHEN EXISTS (SELECT 1 FROM sprints WHERE start_date <= NEW.end_date "
        f"AND end_date >= NEW.start_date{other}) "
        "BEGIN SELECT RAISE(ABORT, 'sprints overlap'); END"
        for when, event, other in (
            ("insert", "INSERT", ""),
            ("update", "UPDATE OF start_date, end_date", " AND id != NEW.id"),
        )
    ],
}
for _dialect, _statements in SPRINT_OVERLAP_DDL.items():
    for _statement in _statements:
        event.listen(
            Sprint.__table__,
            "after_create",
            DDL(_statement).execute_if(dialect=_dialect),
        )


class Experiment(db.Model):
    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint(check_in("status", STATUSES), name="status_known"),
        CheckConstraint(check_in("channel", CHANNELS), name="channel_known"),
        CheckConstraint(check_in("assignment", ASSIGNMENTS), name="assignment_known"),
        CheckConstraint(
            "decision IS NULL OR " + check_in("decision", DECISIONS),
            name="decision_known",
        ),
        CheckConstraint(
            "ice_impact BETWEEN 1 AND 10 AND ice_confidence BETWEEN 1 AND 10 "
            "AND ice_ease BETWEEN 1 AND 10",
            name="ice_range",
        ),
        CheckConstraint("alpha > 0 AND alpha < 0.5", name="alpha_range"),
        CheckConstraint("power >= 0.5 AND power < 1", name="power_range"),
        CheckConstraint(
            f"planned_looks BETWEEN 1 AND {MAX_PLANNED_LOOKS}", name="looks_range"
        ),
        CheckConstraint(
            f"traffic_per_sprint IS NULL OR traffic_per_sprint BETWEEN 1 AND "
            f"{MAX_COUNT}",
            name="traffic_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="idea")
    assignment: Mapped[str] = mapped_column(String(16), default="randomized")
    ice_impact: Mapped[int] = mapped_column(default=5)
    ice_confidence: Mapped[int] = mapped_column(default=5)
    ice_ease: Mapped[int] = mapped_column(default=5)
    alpha: Mapped[float] = mapped_column(default=0.05)
    power: Mapped[float] = mapped_column(default=0.8)
    # The plan: relative minimum detectable effect and the control's expected rate
    # give the planned units per variant (computed, not stored).
    relative_mde: Mapped[float | None]
    baseline_rate: Mapped[float | None]
    planned_looks: Mapped[int] = mapped_column(default=4)
    # Units expected per sprint over all variants: how many sprints the plan needs.
    traffic_per_sprint: Mapped[int | None] = mapped_column(BigInteger)
    start_sprint_id: Mapped[int | None] = mapped_column(ForeignKey("sprints.id"))
    # The experiment this one follows up ("iterate"): a chain reads as a lineage.
    # No foreign key: SQLite cannot add one without rebuilding the table (which
    # would cascade to its variants); a parent that is gone reads as none.
    parent_id: Mapped[int | None] = mapped_column(index=True)
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner = relationship("User", foreign_keys=[owner_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    start_sprint = relationship("Sprint")
    parent: Mapped[Experiment | None] = relationship(
        primaryjoin="foreign(Experiment.parent_id) == remote(Experiment.id)",
        back_populates="follow_ups",
    )
    follow_ups: Mapped[list[Experiment]] = relationship(
        primaryjoin="remote(foreign(Experiment.parent_id)) == Experiment.id",
        back_populates="parent",
        order_by="Experiment.created_at",
        viewonly=True,
    )
    variants: Mapped[list[Variant]] = relationship(
        back_populates="experiment",
        order_by="Variant.position",
        cascade="all, delete-orphan",
    )
    metrics: Mapped[list[Metric]] = relationship(
        back_populates="experiment",
        order_by="Metric.position",
        cascade="all, delete-orphan",
    )
    decision_events: Mapped[list[DecisionEvent]] = relationship(
        order_by="DecisionEvent.id", cascade="all, delete-orphan"
    )

    @property
    def ice_score(self) -> float:
        """ICE as the mean of impact, confidence and ease (each 1-10)."""
        return round((self.ice_impact + self.ice_confidence + self.ice_ease) / 3, 1)

    @property
    def control(self) -> Variant | None:
        return next((v for v in self.variants if v.is_control), None)

    @property
    def primary_metric(self) -> Metric | None:
        return next((m for m in self.metrics if m.role == "primary"), None)

    @property
    def observational(self) -> bool:
        return self.assignment == "chosen"

    def start_problems(self) -> list[str]:
        """What keeps this experiment from running, in words; empty when it may."""
        problems = []
        if self.control is None:
            problems.append("Mark one variant as the control.")
        if len(self.variants) < 2:
            problems.append("Add at least one challenger variant.")
        if self.primary_metric is None:
            problems.append("Add a primary metric.")
        if (
            self.variants
            and abs(sum(v.planned_share for v in self.variants) - 1) > SHARE_TOLERANCE
        ):
            problems.append("The planned traffic shares must add up to 100%.")
        return problems


class Variant(db.Model):
    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("experiment_id", "name"),
        CheckConstraint("planned_share > 0 AND planned_share <= 1", name="share_range"),
        # One control per experiment, enforced by the database on both backends.
        one_per_experiment("uq_variants_one_control", "is_control"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(MAX_VARIANT_NAME))
    content_item_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id"))
    # The content item's version this variant was started with (pinned when the
    # experiment starts running): what was tested, whatever the library holds now.
    content_version: Mapped[int | None]
    is_control: Mapped[bool] = mapped_column(default=False)
    planned_share: Mapped[float]
    position: Mapped[int] = mapped_column(default=0)

    experiment: Mapped[Experiment] = relationship(back_populates="variants")
    content_item = relationship("ContentItem")


class Metric(db.Model):
    __tablename__ = "metrics"
    __table_args__ = (
        UniqueConstraint("experiment_id", "name"),
        CheckConstraint(check_in("kind", METRIC_KINDS), name="kind_known"),
        CheckConstraint(check_in("funnel_stage", FUNNEL_STAGES), name="stage_known"),
        CheckConstraint(check_in("owner", METRIC_OWNERS), name="owner_known"),
        CheckConstraint(check_in("role", METRIC_ROLES), name="role_known"),
        one_per_experiment("uq_metrics_one_primary", "role = 'primary'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    funnel_stage: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    higher_is_better: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    experiment: Mapped[Experiment] = relationship(back_populates="metrics")

    @property
    def is_binomial(self) -> bool:
        return self.kind == "binomial"


class Result(db.Model):
    """One (variant, sprint, metric): units and conversions, or for a continuous
    metric units, mean and M2 (the sum of squared deviations from the mean,
    (n - 1) sd^2), which combine across sprints by stats.combine_cells."""

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("variant_id", "sprint_id", "metric_id"),
        CheckConstraint(f"units >= 0 AND units <= {MAX_COUNT}", name="units_range"),
        CheckConstraint(
            "conversions IS NULL OR (conversions >= 0 AND conversions <= units)",
            name="conversions_range",
        ),
        CheckConstraint("value_m2 IS NULL OR value_m2 >= 0", name="m2_nonnegative"),
        CheckConstraint(check_in("source", RESULT_SOURCES), name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE")
    )
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="CASCADE"))
    units: Mapped[int] = mapped_column(BigInteger)
    conversions: Mapped[int | None] = mapped_column(BigInteger)
    value_mean: Mapped[float | None]
    value_m2: Mapped[float | None]
    source: Mapped[str] = mapped_column(String(8), default="form")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    entered_by = relationship("User")


class ResultEdit(db.Model):
    """The trail of a result: what it was before each change, who changed it."""

    __tablename__ = "result_edits"
    __table_args__ = (
        CheckConstraint(
            "old_value_m2 IS NULL OR old_value_m2 >= 0", name="old_m2_nonnegative"
        ),
        CheckConstraint(
            "new_value_m2 IS NULL OR new_value_m2 >= 0", name="new_m2_nonnegative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(
        ForeignKey("results.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(8))
    old_units: Mapped[int | None] = mapped_column(BigInteger)
    old_conversions: Mapped[int | None] = mapped_column(BigInteger)
    old_value_mean: Mapped[float | None]
    old_value_m2: Mapped[float | None]
    new_units: Mapped[int] = mapped_column(BigInteger)
    new_conversions: Mapped[int | None] = mapped_column(BigInteger)
    new_value_mean: Mapped[float | None]
    new_value_m2: Mapped[float | None]

    changed_by = relationship("User")


class PlannedSplit(db.Model):
    """The share a variant had in a past sprint, kept when the split is changed.

    A sprint without a row here used the variant's current `planned_share`.
    """

    __tablename__ = "planned_splits"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 1", name="share_range"),)

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id"), primary_key=True)
    share: Mapped[float]


DECISION_EVENTS = {"decided": "Decided", "reopened": "Reopened"}


class DecisionEvent(db.Model):
    """A decision with a snapshot of the figures it was based on, or a lead's
    reopening of the results with the reason: the experiment's decision log."""

    __tablename__ = "decision_events"
    __table_args__ = (
        CheckConstraint(check_in("kind", DECISION_EVENTS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    # JSON: the primary metric's recommendation, verdicts, warnings and figures.
    snapshot: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")
