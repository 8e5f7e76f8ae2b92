"""Sign-in throttling: failed attempts per account and per address, kept in the
database so every worker sees them (issue 8 §3).

After ACCOUNT_LIMIT failures for one email, or ADDRESS_LIMIT from one address,
within WINDOW, further attempts are refused without checking the password until
the oldest failure leaves the window. The count does not depend on whether the
account exists, so the answer tells nothing about which emails have one.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from sqlalchemy import String, or_
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.limits import MAX_EMAIL_LENGTH
from database import db

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


class LoginFailure(db.Model):
    """One failed sign-in: the email as typed (lower-cased) and the address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def _key(email: str | None) -> str:
    """The email as counted: lower-cased, without control characters (PostgreSQL
    text cannot hold NUL), cut to the column's length."""
    cleaned = CONTROL.sub("", email or "").strip().lower()
    return cleaned[:MAX_EMAIL_LENGTH]


def wait_minutes(email: str | None, address: str) -> int | None:
    """Minutes until this account and address may try again, or None when they
    may now."""
    since = utcnow() - WINDOW
    rows = db.session.execute(
        db.select(LoginFailure.email, LoginFailure.address, LoginFailure.at).where(
            LoginFailure.at > since,
            or_(LoginFailure.email == _key(email), LoginFailure.address == address),
        )
    ).all()
    mine = sorted(at for e, _, at in rows if e == _key(email))
    here = sorted(at for _, a, at in rows if a == address)
    blocked = []
    if len(mine) >= ACCOUNT_LIMIT:
        blocked.append(mine[-ACCOUNT_LIMIT])
    if len(here) >= ADDRESS_LIMIT:
        blocked.append(here[-ADDRESS_LIMIT])
    if not blocked:
        return None
    left = max(blocked) + WINDOW - utcnow()
    return max(1, math.ceil(left.total_seconds() / 60))


def record_failure(email: str | None, address: str) -> None:
    """Count a failed attempt (the caller commits); drop failures past the window."""
    db.session.execute(
        db.delete(LoginFailure).where(LoginFailure.at <= utcnow() - WINDOW)
    )
    db.session.add(
        LoginFailure(email=_key(email), address=CONTROL.sub("", address)[:64])
    )


def forget_failures(email: str | None) -> None:
    """A successful sign-in clears the account's failures (the caller commits)."""
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.email == _key(email)))
