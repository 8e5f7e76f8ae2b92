"""View decorators for the roles: who may do what."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def require(action: str):
    """Sign-in plus the permission for `action`; a forbidden request answers 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(action):
                abort(403, f"Your role ({current_user.role_label}) cannot do this.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
