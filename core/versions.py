"""Versions of the data that cached figures and pages are computed from.

Every transaction that writes is seen here and, as it commits, raises counters in
`data_versions`:
- "experiment:<id>" for each experiment it touched (the experiment row, its
  variants, metrics, planned splits, results and their trail, its feedback): the
  key of that experiment's cached statistics;
- "all" whenever it wrote anything but the caches, the sign-in throttle and a
  user's session version: the key of every cached page.

The raises run in the committing transaction, so a reader that sees the new data
sees the new version, and a rollback takes them back with the data. They are the
transaction's last statements, experiments in id order before the shared row, on
rows nothing else locks: a writer waiting for them holds them only to commit, so
writers never deadlock over them. Writes through the ORM (any flush) and
statements run through the session are seen: a statement that names no row
(an UPDATE of results, a text() that is not a query) raises every experiment.
Writes that bypass the session (psql, another program) are not:
`flask --app run refresh-cache` raises everything after them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from database import db, insert_for

# Tables whose writes change no page: the caches themselves and the throttle.
UNVERSIONED = frozenset({"data_versions", "page_cache", "login_failures"})
# Columns whose change alone changes no page (a sign-out ends sessions).
UNVERSIONED_COLUMNS = {"users": {"session_version"}}
# Tables whose rows belong to an experiment's statistics or page.
EXPERIMENT_TABLES = frozenset(
    {"experiments", "variants", "metrics", "results", "result_edits",
     "planned_splits", "feedback", "decision_events"}
)  # fmt: skip
READS = ("SELECT", "WITH", "PRAGMA", "SHOW", "EXPLAIN", "VALUES")


class DataVersion(db.Model):
    """A counter per scope ("all", "experiment:<id>"), raised by every write."""

    __tablename__ = "data_versions"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def of_experiments(ids) -> dict[int, int]:
    """{experiment id: its version} (0 for one never raised)."""
    scopes = {f"experiment:{i}": i for i in ids}
    if not scopes:
        return {}
    rows = db.session.execute(
        db.select(DataVersion.scope, DataVersion.version).where(
            DataVersion.scope.in_(list(scopes))
        )
    )
    found = {scopes[scope]: version for scope, version in rows}
    return {i: found.get(i, 0) for i in scopes.values()}


def writing(session: Session) -> bool:
    """True while the transaction holds writes whose versions are not raised yet
    (they are at commit): what it reads is its own, not for a shared cache."""
    return bool(
        session.info.get("versions") or session.new or session.dirty or session.deleted
    )


def raise_everything(session: Session) -> None:
    """Mark every experiment and every page stale at the next commit."""
    pending = _pending(session)
    pending["scopes"].add("all")
    pending["every_experiment"] = True


def _pending(session: Session) -> dict:
    return session.info.setdefault(
        "versions", {"scopes": set(), "experiments": set(), "variants": set(),
                     "results": set(), "every_experiment": False}
    )  # fmt: skip


def _note(session: Session, table: str, row) -> None:
    """Record what a written row (an ORM object) touches."""
    if table in UNVERSIONED:
        return
    pending = _pending(session)
    pending["scopes"].add("all")
    if table == "experiments" and row.id is not None:
        pending["experiments"].add(row.id)
    elif table in ("variants", "metrics", "decision_events"):
        pending["experiments"].add(row.experiment_id)
    elif table in ("results", "planned_splits", "feedback"):
        pending["variants"].add(row.variant_id)
    elif table == "result_edits":
        pending["results"].add(row.result_id)


def _changes_anything(session: Session, row, table: str) -> bool:
    if row not in session.dirty:
        return True  # new or deleted
    ignored = UNVERSIONED_COLUMNS.get(table, set())
    state = inspect(row)
    return any(
        attr.history.has_changes() for attr in state.attrs if attr.key not in ignored
    )


@event.listens_for(Session, "before_flush")
def _seen_in_flush(session: Session, flush_context, instances) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        table = getattr(row, "__tablename__", None)
        if table and _changes_anything(session, row, table):
            _note(session, table, row)


@event.listens_for(Session, "do_orm_execute")
def _seen_in_statement(state) -> None:
    """A statement that writes: the rows it touches are unknown, so every page
    and, for an experiment's tables, every experiment is stale. A caller that
    notes its rows itself says so with execution_options(versions_noted=True)."""
    if state.session.info.get("raising") or state.is_select:
        return
    if state.execution_options.get("versions_noted"):
        return
    table = getattr(state.statement, "table", None)
    if table is not None:
        if table.name in UNVERSIONED:
            return
        if table.name in EXPERIMENT_TABLES:
            raise_everything(state.session)
        _pending(state.session)["scopes"].add("all")
        return
    text = str(state.statement).lstrip().upper()
    if not text.startswith(READS):  # a text() that writes: what, is unknown
        raise_everything(state.session)


@event.listens_for(Session, "before_commit")
def _raise_versions(session: Session) -> None:
    session.flush()  # what is still pending is noted by this flush
    if not session.info.get("versions"):
        return
    pending = session.info.pop("versions")
    session.info["raising"] = True
    try:
        if pending["every_experiment"]:
            _raise_every_experiment(session)
        else:
            for experiment_id in sorted(_experiments(session, pending)):
                _raise(session, f"experiment:{experiment_id}")
        for scope in sorted(pending["scopes"]):
            _raise(session, scope)
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


def _raise(session: Session, scope: str) -> None:
    """version + 1, inserting the row the first time (race-free on both backends)."""
    statement = insert_for(DataVersion).values(scope=scope, version=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DataVersion.scope],
            set_={"version": DataVersion.version + 1},
        )
    )


def _raise_every_experiment(session: Session) -> None:
    from experiments.models import Experiment

    ids = session.execute(db.select(Experiment.id).order_by(Experiment.id)).scalars()
    for experiment_id in ids.all():
        _raise(session, f"experiment:{experiment_id}")
