"""The team's accounts: finding a user, the rules of a new one, and adding it.

Used by the users page and by `create-user`, so both apply the same rules.
"""

from __future__ import annotations

import re

from sqlalchemy import func

from auth.models import ROLES, User
from database import db
from web.forms import Form

EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
MIN_PASSWORD_LENGTH = 8


def find_user(email: str) -> User | None:
    """The user with this email, ignoring case and surrounding spaces."""
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def read_user_form(form: Form) -> dict:
    """A new user's name, email, role and password, checked; errors go to `form`."""
    values = {
        "name": form.text("name", "Name", max_length=100),
        "email": form.text("email", "Email", max_length=254).lower(),
        "role": form.choice("role", "Role", ROLES),
        "password": form.raw("password"),
    }
    if values["email"] and not re.fullmatch(EMAIL_PATTERN, values["email"]):
        form.error("email", "Enter an email address like name@company.com.")
    if len(values["password"]) < MIN_PASSWORD_LENGTH:
        form.error(
            "password", f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
        )
    if "email" not in form.errors and find_user(values["email"]) is not None:
        form.error("email", "A user with this email already exists.")
    return values


def create_user(name: str, email: str, role: str, password: str) -> User:
    """Add a user who can sign in (values checked by `read_user_form`)."""
    user = User(name=name, email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    return user
