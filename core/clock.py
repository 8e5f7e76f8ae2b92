"""Time helpers: naive UTC timestamps in the database, one definition of 'today'."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (how every backend stores it alike)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
