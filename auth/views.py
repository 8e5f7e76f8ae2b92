"""Sign in and out, and the team's user list (leads manage it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from auth import accounts, throttle
from auth.decorators import require
from auth.forms import RoleForm, SignInForm, UserForm
from auth.models import ROLES, User
from database import db, get_or_404
from web.render import render, saved

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render("auth/login.html", form={}, errors={}, next=request.args.get("next"))


@bp.post("/login")
def authenticate():
    email, address = request.form.get("email"), request.remote_addr or "unknown"
    wait = throttle.wait_minutes(email, address)
    if wait is not None:
        message = (
            "Too many failed sign-ins. For your security, try again in "
            f"{wait} minute{'s' if wait != 1 else ''}."
        )
        return _login_page({"password": message}, 429)
    form = SignInForm()
    if not form.check():
        throttle.record_failure(email, address)
        db.session.commit()
        return _login_page(form.problems, 422)
    throttle.forget_failures(email)
    db.session.commit()
    login_user(form.user)
    flash(f"Signed in as {form.user.name}.", "success")
    return redirect(_safe_next(request.form.get("next")), 303)


def _login_page(errors: dict, status: int):
    return render(
        "auth/login.html",
        status=status,
        form=request.form,
        errors=errors,
        next=request.form.get("next"),
    )


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()  # a copy of this session's cookie dies too
        db.session.commit()
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


@bp.post("/users")
@require("manage_users")
def create_user():
    form = UserForm()
    if not form.check():
        return _users_page(form=request.form, errors=form.problems, status=422)
    user = accounts.create_user(**form.field_data())
    return saved(f"Added {user.name} as {user.role_label.lower()}.", "auth.users")


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
    user.end_sessions()  # signed in again, they work with the new rights
    return saved(f"{user.name} is now {user.role_label.lower()}.", "auth.users")
