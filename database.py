"""The SQLAlchemy object and model base, kept apart from run.py so it exists once."""

from __future__ import annotations

from contextlib import contextmanager

from flask import abort
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Index, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# How long a SQLite writer waits for another one before it gives up.
SQLITE_BUSY_TIMEOUT_MS = 5000

# Ids are 32-bit on every backend; a longer number cannot name a row.
MAX_ID = 2**31 - 1


def get_or_404(model, row_id: int, **kwargs):
    """db.get_or_404 for an id from a URL, which may be any size a user types."""
    if not 0 < row_id <= MAX_ID:
        abort(404)
    return db.get_or_404(model, row_id, **kwargs)


migrate = Migrate(render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys and use WAL so readers never block the writer."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def insert_for(model):
    """An INSERT of the session's backend, which knows ON CONFLICT (PostgreSQL
    and SQLite alike): for race-free upserts."""
    from sqlalchemy.dialects import postgresql, sqlite

    backend = db.session.get_bind().dialect.name
    return (postgresql if backend == "postgresql" else sqlite).insert(model)


@contextmanager
def short_waits(connection, milliseconds: int):
    """Within the block, a lock held by another writer is waited for at most
    `milliseconds` (then the statement fails) instead of the usual timeouts."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(milliseconds)}")
        yield
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(milliseconds)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def contains_text(columns, text: str):
    """A WHERE clause: any of `columns` contains `text`, ignoring case, with
    LIKE's wildcards taken literally (a search for "50%" finds "50%")."""
    from sqlalchemy import func, or_

    escaped = text.lower().replace("\\", "\\\\")
    pattern = "%" + escaped.replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(func.lower(c).like(pattern, escape="\\") for c in columns))


def check_in(column: str, choices) -> str:
    """SQL for a CHECK that a column holds one of the given codes."""
    codes = ", ".join(f"'{code}'" for code in choices)
    return f"{column} IN ({codes})"


def one_per_experiment(name: str, condition: str) -> Index:
    """A partial unique index: at most one row per experiment where condition holds
    (one control variant, one primary metric), on SQLite and PostgreSQL alike."""
    where = db.text(condition)
    return Index(
        name,
        "experiment_id",
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
    )


class ConcurrentChange(RuntimeError):
    """A row kept changing under a write, which gave up: nothing was saved (the
    web layer answers 409, like a unique constraint that a race met)."""
