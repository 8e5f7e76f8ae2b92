"""Error pages: a page, an htmx fragment or JSON for the API, never a bare 500."""

from __future__ import annotations

from flask import (
    Flask,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from database import ConcurrentChange, db
from web.render import is_partial, render

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    500: "Something went wrong",
}


def error_page(status: int, message: str, headers=None):
    """The answer to a failed request in the form the requester reads."""
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


UNAVAILABLE = (
    "The database cannot be reached right now, so nothing was saved. Try again "
    "in a minute."
)


def unavailable():
    """503 when the database is down, busy or silent past its timeout: a page
    that needs no database (no user, no token), JSON for the API."""
    try:
        db.session.rollback()
    except (OperationalError, InterfaceError):
        pass  # the connection is gone; the session is discarded anyway
    headers = {"Retry-After": "30"}
    if request.path.startswith("/api/"):
        return jsonify({"error": UNAVAILABLE, "field": None}), 503, headers
    # Straight from the Jinja environment: render_template's context processors
    # would load the signed-in user, from the database that is down.
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    html = template.render(message=UNAVAILABLE, request=request, url_for=url_for)
    return make_response(html, 503, headers)


def register(app: Flask) -> None:
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

    @app.errorhandler(ConcurrentChange)
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

    @app.errorhandler(DataError)
    def unstorable(error):
        # Every form checks its input first; this is a value that slipped past a
        # check and the database refused (PostgreSQL: a NUL in text).
        db.session.rollback()
        return error_page(
            400,
            "The request holds a value the database cannot store (for example a "
            "control character), so nothing was saved.",
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        return unavailable()

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return error_page(
            500, "The server could not finish this request. Nothing was saved."
        )
