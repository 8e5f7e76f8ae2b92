"""The application factory. `python run.py [--host H] [--port P]` serves the app."""

from __future__ import annotations

import argparse
import os

from flask import (
    Flask,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

import config
import filters
from database import db, migrate
from web import is_partial, render

csrf = CSRFProtect()
login_manager = LoginManager()

# No inline script anywhere; htmx injects its indicator style, Pico uses data: icons.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    500: "Something went wrong",
}


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
    _register_blueprints(app)
    _register_error_handlers(app)

    import cli

    cli.register(app)

    @app.after_request
    def common_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # Any URL may answer a fragment to htmx and a page to a browser: caches
        # and the back button must tell them apart (redirects included).
        response.vary.add("HX-Request")
        response.vary.add("HX-Request-Type")
        return response

    @app.get("/healthz")
    def healthz():
        db.session.execute(text("SELECT 1"))
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

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
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}


def _register_blueprints(app: Flask) -> None:
    from api import views as api_views
    from auth.views import bp as auth_bp
    from content.feedback import bp as feedback_bp
    from content.views import bp as content_bp
    from experiments.dashboard import bp as dashboard_bp
    from experiments.results import bp as results_bp
    from experiments.sprints import bp as sprints_bp
    from experiments.views import bp as experiments_bp

    for bp in (
        auth_bp,
        dashboard_bp,
        experiments_bp,
        results_bp,
        sprints_bp,
        content_bp,
        feedback_bp,
        api_views.bp,
    ):
        app.register_blueprint(bp)
    # The JSON API reads no stored data and acts for no session: no CSRF token.
    for view in (api_views.analyze, api_views.boundaries, api_views.sample_size):
        csrf.exempt(view)


def _register_error_handlers(app: Flask) -> None:
    def error_page(status: int, message: str, headers=None):
        if request.path.startswith("/api/"):
            return jsonify({"error": message, "field": None}), status, headers or {}
        context = {
            "code": status,
            "title": ERROR_TITLES.get(status, "Error"),
            "message": message,
        }
        if is_partial():
            response = render("errors/error.html", "message", status=status, **context)
        else:
            response = make_response(
                render_template("errors/error.html", **context), status
            )
        response.headers.extend(headers or {})
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(
            400,
            "The form's security token is missing or has expired, so nothing was "
            "saved. Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # Keep the headers the error carries (Allow on a 405).
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return error_page(error.code, error.description or "", headers)

    @app.errorhandler(IntegrityError)
    def conflict(error):
        # Validation catches duplicates first; this is the race that slipped past
        # it (two people saving the same name at once).
        db.session.rollback()
        return error_page(
            409,
            "Someone saved a conflicting change at the same moment, so nothing was "
            "saved. Reload the page and try again.",
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return error_page(
            500, "The server could not finish this request. Nothing was saved."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the experiment tracker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app()
    app.run(host=args.host, port=args.port, use_reloader=False)


if __name__ == "__main__":
    main()
