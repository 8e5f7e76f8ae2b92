"""The team's accounts: finding a user, the rules of a new one, and adding it.

Used by the users page and by `create-user`, so both apply the same rules.
"""

from __future__ import annotations

from sqlalchemy import func

from auth.models import User
from database import db

EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
MIN_PASSWORD_LENGTH = 8


def find_user(email: str) -> User | None:
    """The user with this email, ignoring case and surrounding spaces."""
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def create_user(name: str, email: str, role: str, password: str) -> User:
    """Add a user who can sign in (values checked by `auth.forms.UserForm`)."""
    user = User(name=name, email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    return user
