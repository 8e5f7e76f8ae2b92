"""Versions of the data that cached figures and pages are computed from.

Every transaction that writes is seen here and, as it commits, raises:
- the `data_version` of each experiment it touched (the experiment row, its
  variants, metrics, planned splits, results and their trail, its feedback):
  the key of that experiment's cached analysis;
- the "all" version whenever it wrote anything but the caches and the sign-in
  throttle: the key of every cached page.

The raises run in the committing transaction, so a reader that sees the new data
sees the new version, and a rollback takes them back with the data. They run at
commit, experiments in id order before the shared row, so two writers wait for
each other briefly and never deadlock. Writes through the ORM (any flush) and
SQL statements run through the session are seen; a result cell updated by a
statement is tied to its experiment by the trail row `record_result` adds.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from database import db, insert_for

SCOPES = ("all",)
# Tables whose writes change no page: the caches themselves and the throttle.
UNVERSIONED = frozenset({"data_versions", "page_cache", "login_failures"})


class DataVersion(db.Model):
    """A counter per scope ("all" for now), raised by every write in it."""

    __tablename__ = "data_versions"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def current() -> dict[str, int]:
    """{scope: version} as this transaction sees it (0 for a scope never raised)."""
    rows = db.session.execute(db.select(DataVersion.scope, DataVersion.version))
    return {scope: 0 for scope in SCOPES} | dict(rows.all())


def writing(session: Session) -> bool:
    """True while the transaction holds writes whose versions are not raised yet
    (they are at commit): what it reads is its own, not for a shared cache."""
    return bool(
        session.info.get("versions") or session.new or session.dirty or session.deleted
    )


def _pending(session: Session) -> dict:
    return session.info.setdefault(
        "versions", {"scopes": set(), "experiments": set(), "variants": set(),
                     "results": set()}
    )  # fmt: skip


def _note(session: Session, table: str, row) -> None:
    """Record what a written row (an ORM object, or None for a statement) touches."""
    if table in UNVERSIONED:
        return
    pending = _pending(session)
    pending["scopes"].add("all")
    if row is None:
        return
    if table == "experiments" and row.id is not None:
        pending["experiments"].add(row.id)
    elif table in ("variants", "metrics"):
        pending["experiments"].add(row.experiment_id)
    elif table in ("results", "planned_splits", "feedback"):
        pending["variants"].add(row.variant_id)
    elif table == "result_edits":
        pending["results"].add(row.result_id)


@event.listens_for(Session, "before_flush")
def _seen_in_flush(session: Session, flush_context, instances) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        table = getattr(row, "__tablename__", None)
        if table and (row not in session.dirty or session.is_modified(row)):
            _note(session, table, row)


@event.listens_for(Session, "do_orm_execute")
def _seen_in_statement(state) -> None:
    if state.session.info.get("raising") or not (
        state.is_insert or state.is_update or state.is_delete
    ):
        return
    table = getattr(state.statement, "table", None)
    if table is not None:
        _note(state.session, table.name, None)


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    session.flush()  # what is still pending is noted by this flush
    if not session.info.get("versions"):
        return
    pending = session.info.pop("versions")
    session.info["raising"] = True
    try:
        for experiment_id in sorted(_experiments(session, pending)):
            _raise_experiment(session, experiment_id)
        for scope in sorted(pending["scopes"]):
            _raise_scope(session, scope)
    finally:
        session.info.pop("raising", None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("versions", None)


def _experiments(session: Session, pending: dict) -> set[int]:
    from experiments.models import Result, Variant

    ids = pending["experiments"] - {None}
    variants = pending["variants"] - {None}
    if pending["results"]:
        variants |= set(
            session.execute(
                db.select(Result.variant_id).where(Result.id.in_(pending["results"]))
            ).scalars()
        )
    if variants:
        ids |= set(
            session.execute(
                db.select(Variant.experiment_id).where(Variant.id.in_(variants))
            ).scalars()
        )
    return ids


def _raise_experiment(session: Session, experiment_id: int) -> None:
    from experiments.models import Experiment

    session.execute(
        db.update(Experiment)
        .where(Experiment.id == experiment_id)
        # Results are not an edit of the experiment: its updated_at stays.
        .values(
            data_version=Experiment.data_version + 1,
            updated_at=Experiment.updated_at,
        )
        .execution_options(synchronize_session=False)
    )


def _raise_scope(session: Session, scope: str) -> None:
    """version + 1, inserting the row the first time (race-free on both backends)."""
    statement = insert_for(DataVersion).values(scope=scope, version=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DataVersion.scope],
            set_={"version": DataVersion.version + 1},
        )
    )
