"""The application factory. `python run.py [--host H] [--port P]` serves the app."""

from __future__ import annotations

import argparse
import os
from contextlib import suppress

from flask import Flask, flash, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.serving import WSGIRequestHandler

import config
from auth import cli as auth_cli
from core import cache, versions  # noqa: F401  (their tables and session hooks)
from database import db, migrate
from demo import cli as demo_cli
from web import errors, filters, headers, page_cache

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(__file__), "migrations")
    )
    csrf.init_app(app)
    _init_login(app)
    filters.register(app)
    page_cache.register(app)
    headers.register(app)
    errors.register(app)
    _register_blueprints(app)
    auth_cli.register(app)
    demo_cli.register(app)

    @app.get("/healthz")
    def healthz():
        plain = {"Content-Type": "text/plain; charset=utf-8"}
        try:
            db.session.execute(text("SELECT 1"))
        except (OperationalError, InterfaceError):
            with suppress(OperationalError, InterfaceError):
                db.session.rollback()
            return "database unavailable", 503, plain
        return "ok", 200, plain

    return app


def _init_login(app: Flask) -> None:
    from auth.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.unauthorized_handler
    def unauthorized():
        """Send the browser to sign in; an htmx request gets a whole-page redirect,
        not the login page swapped into a widget."""
        flash(login_manager.login_message, login_manager.login_message_category)
        target = url_for("auth.login", next=request.full_path.rstrip("?"))
        if request.headers.get("HX-Request") == "true":
            return "", 401, {"HX-Redirect": target}
        return redirect(target)

    @login_manager.user_loader
    def load_user(session_id: str):
        """The user of a session id '<id>.<version>', while that version holds."""
        user_id, _, version = session_id.partition(".")
        if not (user_id.isdigit() and version.isdigit()) or len(session_id) > 40:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version):
            return None
        return user

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}


def _register_blueprints(app: Flask) -> None:
    from api import views as api_views
    from auth.views import bp as auth_bp
    from content import usage as content_usage
    from content.views import bp as content_bp
    from experiments import usage as experiment_usage
    from experiments.dashboard import bp as dashboard_bp
    from experiments.feedback import bp as feedback_bp
    from experiments.results import bp as results_bp
    from experiments.sprint_entry import bp as sprint_entry_bp
    from experiments.sprints import bp as sprints_bp
    from experiments.views import bp as experiments_bp

    for bp in (
        auth_bp,
        dashboard_bp,
        experiments_bp,
        results_bp,
        sprint_entry_bp,
        sprints_bp,
        content_bp,
        feedback_bp,
        api_views.bp,
    ):
        app.register_blueprint(bp)
    # The JSON API reads no stored data and acts for no session: no CSRF token.
    content_usage.register(app, experiment_usage)
    for view in (api_views.analyze, api_views.boundaries, api_views.sample_size):
        csrf.exempt(view)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the experiment tracker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app()
    # The development server names itself and Python's version in a Server
    # header; like deploy/gunicorn.conf.py, say nothing about the software.
    WSGIRequestHandler.version_string = lambda handler: "tracker"
    app.run(host=args.host, port=args.port, use_reloader=False)


if __name__ == "__main__":
    main()
