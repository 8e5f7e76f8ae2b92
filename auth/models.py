"""Users, their roles, and what each role may do."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from core.clock import utcnow
from core.limits import MAX_EMAIL_LENGTH
from database import check_in, db

ROLES = {
    "marketing": "Marketing",
    "sales": "Sales",
    "lead": "Team lead",
    "viewer": "Viewer",
}

# What each role may change. Reading is open to every signed-in user; sales may
# enter results only for the metrics sales owns (checked where results are saved).
PERMISSIONS: dict[str, frozenset[str]] = {
    "edit_experiments": frozenset({"marketing", "lead"}),
    "edit_content": frozenset({"marketing", "lead"}),
    "manage_sprints": frozenset({"marketing", "lead"}),
    "enter_results": frozenset({"marketing", "sales", "lead"}),
    "add_feedback": frozenset({"sales", "lead"}),
    "decide": frozenset({"lead"}),
    "manage_users": frozenset({"lead"}),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(check_in("role", ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the id a session cookie carries: raising it ends every session the
    # user has (sign-out, a role change), even a copied cookie replayed later.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """The session's user id: '<id>.<session version>'."""
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session of this user (the caller commits)."""
        self.session_version += 1

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, action: str) -> bool:
        return self.role in PERMISSIONS[action]

    def can_enter_results_for(self, metric_owner: str) -> bool:
        """Sales enters only the figures sales owns; marketing and leads enter all."""
        if not self.can("enter_results"):
            return False
        return self.role != "sales" or metric_owner == "sales"

    @property
    def role_label(self) -> str:
        return ROLES[self.role]
