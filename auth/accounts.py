"""The team's accounts: finding a user, the rules of a new one, and adding it.

Used by the users page and by `create-user`, so both apply the same rules.
"""

from __future__ import annotations

from functools import cache

from flask import current_app
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from auth.models import User
from database import db

EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
MIN_PASSWORD_LENGTH = 8


def find_user(email: str) -> User | None:
    """The user with this email, ignoring case and surrounding spaces."""
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def password_matches(user: User | None, password: str) -> bool:
    """Whether the password is the user's. Without a user a dummy hash is checked
    all the same, so the time taken tells nothing about which emails exist."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


@cache
def _dummy_hash() -> str:
    return generate_password_hash(
        "not-a-password", method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def create_user(name: str, email: str, role: str, password: str) -> User:
    """Add a user who can sign in (values checked by `auth.forms.UserForm`)."""
    user = User(name=name, email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    return user
