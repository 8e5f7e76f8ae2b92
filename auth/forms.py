"""The forms of the sign-in page and the user list."""

from __future__ import annotations

import re

from auth.accounts import (
    EMAIL_PATTERN,
    MIN_PASSWORD_LENGTH,
    find_user,
    password_matches,
)
from auth.models import ROLES
from core.limits import MAX_EMAIL_LENGTH
from web.fields import ChoiceField, RawField, TextField
from web.forms import WebForm


class SignInForm(WebForm):
    email = TextField("Email", max_length=MAX_EMAIL_LENGTH)
    password = RawField()

    def cross_check(self) -> None:
        if not self.password.data:
            self.error("password", "Password is required.")
        self.user = find_user(self.email.data) if self.ok else None
        if self.ok and not password_matches(self.user, self.password.data):
            self.error("password", "That email and password do not match an account.")


class UserForm(WebForm):
    """A new user: name, unique email, role and a first password."""

    name = TextField("Name", max_length=100)
    email = TextField("Email", max_length=MAX_EMAIL_LENGTH)
    role = ChoiceField("Role", ROLES)
    password = RawField()

    def cross_check(self) -> None:
        email = self.email.data = (self.email.data or "").lower()
        # Measured again once lower-cased: "İ" becomes two characters.
        if len(email) > MAX_EMAIL_LENGTH:
            self.error(
                "email", f"Email is too long: at most {MAX_EMAIL_LENGTH} characters."
            )
        elif email and not re.fullmatch(EMAIL_PATTERN, email):
            self.error("email", "Enter an email address like name@company.com.")
        if len(self.password.data) < MIN_PASSWORD_LENGTH:
            self.error(
                "password",
                f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            )
        if "email" not in self.problems and find_user(email) is not None:
            self.error("email", "A user with this email already exists.")


class RoleForm(WebForm):
    role = ChoiceField("Role", ROLES)
