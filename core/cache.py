"""A cache of derived figures and rendered pages, shared by every worker.

It lives in the database the app already has (SQLite or PostgreSQL), so all
workers of a deployment read and fill the same entries and no other service is
needed. An entry is a slot ("analysis:12", "page:...") holding a payload with
the version it was computed at; a reader uses it only when that version is the
one it computes now (core.versions, the day, the code), so a write never has to
find and delete what it made stale, and a stale entry is simply recomputed and
overwritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path

from flask import current_app
from sqlalchemy import String, Text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from database import db, insert_for, short_waits

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
# Entries not stored for this long are deleted as entries are stored, by each
# app (worker) at its first store and then at most once an hour: stale
# versions, pages no one asks for any more.
KEEP = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
# How long storing may wait for a busy database (a page that only reads does
# not wait on writers: it skips the store).
STORE_WAIT_MS = 200


class CacheEntry(db.Model):
    __tablename__ = "page_cache"

    slot: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


def _digest(paths: tuple[str, ...]) -> str:
    """The Python and template sources under `paths`, and every installed
    package's version (a library fix can change a page or a figure)."""
    digest = hashlib.sha256()
    for name in paths:
        top = ROOT / name
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    packages = sorted(f"{d.name}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:16]


# What pages and statistics are computed by, read once as the app is imported
# (a worker started before a deployment keeps the digest of the code it runs). A
# migration may rewrite data behind the session's back: it counts as code.
PAGES_VERSION = _digest(
    ("api", "auth", "content", "core", "experiments", "stats", "web", "templates",
     "migrations", "config.py", "database.py", "run.py")
)  # fmt: skip
STATISTICS_VERSION = _digest(("stats", "experiments", "migrations"))


def fetch(versions: dict[str, str], raw: bool = False) -> dict[str, object]:
    """{slot: payload} of the entries stored at exactly the version asked for
    (with `raw`, the stored text of a payload stored as text)."""
    if not versions:
        return {}
    rows = db.session.execute(
        db.select(CacheEntry.slot, CacheEntry.version, CacheEntry.payload).where(
            CacheEntry.slot.in_(list(versions))
        )
    )
    return {
        slot: payload if raw else json.loads(payload)
        for slot, version, payload in rows
        if versions[slot] == version
    }


def _prune_due() -> bool:
    state = current_app.extensions.setdefault("page_cache", {})
    now = utcnow()
    if now - state.get("pruned", datetime.min) < PRUNE_EVERY:
        return False
    state["pruned"] = now
    return True


def store(entries: dict[str, tuple[str, object]]) -> None:
    """Write {slot: (version, payload)} (a text payload as it is, any other as
    JSON) in a short transaction of its own, so a page that only reads commits
    nothing of its request; a busy database is not waited for: the entries are
    computed again next time."""
    if not entries:
        return
    rows = [
        {"slot": slot, "version": version,
         "payload": payload if isinstance(payload, str) else json.dumps(payload),
         "stored_at": utcnow()}
        for slot, (version, payload) in sorted(entries.items())  # one lock order
    ]  # fmt: skip
    statement = insert_for(CacheEntry)
    statement = statement.on_conflict_do_update(
        index_elements=[CacheEntry.slot],
        set_={
            "version": statement.excluded.version,
            "payload": statement.excluded.payload,
            "stored_at": statement.excluded.stored_at,
        },
    )
    try:
        with db.engine.begin() as connection, short_waits(connection, STORE_WAIT_MS):
            connection.execute(statement, rows)
            if _prune_due():
                connection.execute(
                    db.delete(CacheEntry).where(CacheEntry.stored_at < utcnow() - KEEP)
                )
    except DBAPIError as error:
        log.warning("cache entries not stored: %s", error)
