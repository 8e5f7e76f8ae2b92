"""Sign in and out, and the team's user list (leads manage it)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func

from auth.decorators import require
from auth.models import ROLES, User
from database import db, get_or_404
from web.fields import ChoiceField, RawField, TextField
from web.forms import WebForm
from web.render import render

bp = Blueprint("auth", __name__)

EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
MIN_PASSWORD_LENGTH = 8


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


def find_user(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render("auth/login.html", form={}, errors={}, next=request.args.get("next"))


class SignInForm(WebForm):
    email = TextField("Email", max_length=254)
    password = RawField()

    def cross_check(self) -> None:
        if not self.password.data:
            self.error("password", "Password is required.")
        self.user = find_user(self.email.data) if self.ok else None
        if self.ok and (
            self.user is None or not self.user.check_password(self.password.data)
        ):
            self.error("password", "That email and password do not match an account.")


@bp.post("/login")
def authenticate():
    form = SignInForm()
    if not form.check():
        return render(
            "auth/login.html",
            status=422,
            form=request.form,
            errors=form.problems,
            next=request.form.get("next"),
        )
    login_user(form.user)
    flash(f"Signed in as {form.user.name}.", "success")
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logout")
def logout():
    logout_user()
    flash("Signed out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/users")
@require("manage_users")
def users():
    return _users_page(form={}, errors={})


def _users_page(form, errors, status=200):
    rows = db.session.execute(db.select(User).order_by(User.name)).scalars().all()
    return render(
        "auth/users.html",
        status=status,
        users=rows,
        roles=ROLES,
        form=form,
        errors=errors,
    )


class UserForm(WebForm):
    """A new user: name, unique email, role and a first password."""

    name = TextField("Name", max_length=100)
    email = TextField("Email", max_length=254)
    role = ChoiceField("Role", ROLES)
    password = RawField()

    def cross_check(self) -> None:
        email = self.email.data = (self.email.data or "").lower()
        if email and not re.fullmatch(EMAIL_PATTERN, email):
            self.error("email", "Enter an email address like name@company.com.")
        if len(self.password.data) < MIN_PASSWORD_LENGTH:
            self.error(
                "password",
                f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
            )
        if "email" not in self.problems and find_user(email) is not None:
            self.error("email", "A user with this email already exists.")

    def new_user(self) -> User:
        """The user this form describes, not yet added to the session."""
        user = User(name=self.name.data, email=self.email.data, role=self.role.data)
        user.set_password(self.password.data)
        return user


class RoleForm(WebForm):
    role = ChoiceField("Role", ROLES)


@bp.post("/users")
@require("manage_users")
def create_user():
    form = UserForm()
    if not form.check():
        return _users_page(form=request.form, errors=form.problems, status=422)
    user = form.new_user()
    db.session.add(user)
    db.session.commit()
    flash(f"Added {user.name} as {user.role_label.lower()}.", "success")
    return redirect(url_for("auth.users"), 303)


@bp.post("/users/<int:user_id>/role")
@require("manage_users")
def update_role(user_id: int):
    user = get_or_404(User, user_id)
    form = RoleForm()
    form.check()
    role = form.role.data
    if form.ok and user.id == current_user.id and role != "lead":
        form.error("role", "You cannot remove your own lead role.")
    if not form.ok:
        # The message belongs to that user's row, not to the "Add a user" form.
        errors = {f"role-{user.id}": form.problems["role"]}
        return _users_page(form={}, errors=errors, status=422)
    user.role = role
    db.session.commit()
    flash(f"{user.name} is now {user.role_label.lower()}.", "success")
    return redirect(url_for("auth.users"), 303)
