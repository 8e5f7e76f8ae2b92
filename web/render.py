"""Answering requests: full pages or htmx fragments from one template."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from jinja2_fragments.flask import render_block

from database import db


def is_partial() -> bool:
    """True for an htmx request that targets part of the page.

    htmx 4 sends HX-Request-Type "partial" for targeted swaps and "full" for boosted
    navigation and history restores, which must get the whole page.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Request-Type") == "partial"
    )


def render(
    template: str,
    block: str | None = None,
    *,
    status: int = 200,
    always_block: bool = False,
    **context,
) -> ResponseReturnValue:
    """The whole page, or only `block` of it for a partial htmx request (or for
    every request with always_block: an endpoint that only serves fragments)."""
    if block is not None and (always_block or is_partial()):
        html = render_block(template, block, **context)
    else:
        html = render_template(template, **context)
    # run.py adds Vary: HX-Request, HX-Request-Type to every response.
    return make_response(html, status)


def saved(message: str, endpoint: str, **values) -> ResponseReturnValue:
    """Commit the request's changes, say so, and send the browser on (303)."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)
