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
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import String, Text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from database import db, insert_for

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
# What the figures and pages are computed by: a change here (a deployment, or a
# migration, which may rewrite data behind the session's back) makes every entry
# computed by the old code stale.
CODE = ("api", "auth", "content", "core", "experiments", "stats", "web", "templates",
        "migrations")  # fmt: skip


class CacheEntry(db.Model):
    __tablename__ = "page_cache"

    slot: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


@cache
def code_version(folders: tuple[str, ...] = CODE) -> str:
    """A digest of the app's source (Python and templates) in `folders`, once
    per process."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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


def store(entries: dict[str, tuple[str, object]]) -> None:
    """Write {slot: (version, payload)} and commit (a text payload as it is, any
    other as JSON); a failure (a busy database) is logged and forgotten: the entry
    is computed again next time.

    Called by pages that only read, so the commit writes nothing else.
    """
    if not entries:
        return
    rows = [
        {"slot": slot, "version": version,
         "payload": payload if isinstance(payload, str) else json.dumps(payload),
         "stored_at": utcnow()}
        for slot, (version, payload) in entries.items()
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
    session = db.session()
    # The page goes on rendering the objects it loaded: keep them loaded.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.execute(statement, rows)
        session.commit()
    except DBAPIError as error:
        session.rollback()
        log.warning("cache entries not stored: %s", error)
    finally:
        session.expire_on_commit = expire
