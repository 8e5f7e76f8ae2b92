"""Pages that only read, rendered once per change of the data and served from the
shared cache (core.cache) until the next write.

What is cached is the page's own content (its `title` and `content` blocks, or the
htmx block asked for), per role, since a role decides which buttons show. The
layout around it is rendered on every request: the signed-in user, the flash
messages, the CSRF token of the page's meta tag. The values that must differ per
request inside the content (the CSRF token of each form, the one-time token of a
form that may be saved once) are rendered as a marker and filled in when served.

The version of an entry is the "all" data version (raised by every write), the
day (what is current moves with it) and the code; a transaction that has written
and not committed bypasses the cache (its figures are its own).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import lru_cache

import click
from flask import g, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from sqlalchemy import text

from core import cache, versions
from core.clock import today
from database import db
from web.forms import new_form_token
from web.render import is_partial, render

# Indentation is dropped from stored pages (a third of their size), except where
# whitespace is content: <pre> and <textarea>.
_INDENTED = re.compile(r"(<(pre|textarea)\b.*?</\2\s*>)|\n\s+", re.S | re.I)

# The "all" version and a slot's entry: plain SQL, since this runs on every view.
_LOOKUP = text(
    "SELECT v.version, c.version, c.payload FROM data_versions AS v "
    "LEFT OUTER JOIN page_cache AS c ON c.slot = :slot WHERE v.scope = 'all'"
)

# Values each request gets afresh, by the name the templates use.
FRESH: dict[str, Callable[[], str]] = {
    "csrf_token": generate_csrf,
    "form_token": new_form_token,
}


def fresh(name: str) -> str:
    """FRESH[name](), or while a page is rendered for the cache, its marker."""
    marker = g.get("cache_marker")
    return f"{marker}:{name}" if marker else FRESH[name]()


def register(app) -> None:
    """Forms' CSRF fields go through `fresh` (Flask-WTF's global, made markable);
    `asset(filename)` is the layout's static URLs, built once per script root."""
    app.jinja_env.globals["csrf_token"] = lambda: fresh("csrf_token")
    app.jinja_env.globals["asset"] = lambda filename: _asset(
        request.script_root, filename
    )

    @app.cli.command("refresh-cache")
    def refresh_cache() -> None:
        """Mark every cached page and statistic stale: after data was changed
        outside the app (psql, another program), which the app cannot see."""
        versions.raise_everything(db.session())
        db.session.commit()
        click.echo("Every cached page and statistic will be computed again.")


@lru_cache(maxsize=64)
def _asset(script_root: str, filename: str) -> str:
    return url_for("static", filename=filename)


def cached_page(
    slot: str, template: str, context: Callable[[], dict], block: str | None = None
) -> ResponseReturnValue:
    """`render(template, block, **context())`, from the cache when it is current.

    `slot` names the page and everything in the URL that changes it; `context`
    is only called (and the page's queries only run) when the entry is stale.
    """
    if versions.writing(db.session()):
        return render(template, block, **context())
    part = block if block is not None and is_partial() else None
    slot = f"page:{slot}:{part or 'page'}:{current_user.role}"
    version, entry = _lookup(slot)
    if entry is None:
        entry = _render_marked(template, part, context)
        cache.store({slot: (version, entry)})
    return _serve(entry)


def _lookup(slot: str) -> tuple[str, str | None]:
    """(the version the slot's entry must have, the entry if it has it): the
    "all" data version and the entry in one query, the day and the code added."""
    row = db.session.execute(_LOOKUP, {"slot": slot}).first()
    version = f"{row[0] if row else 0}.{today().isoformat()}.{cache.PAGES_VERSION}"
    if row is None:  # nothing was ever written: the version row does not exist yet
        return version, cache.fetch({slot: version}, raw=True).get(slot)
    return version, row[2] if row[1] == version else None


def _render_marked(
    template: str, block: str | None, context: Callable[[], dict]
) -> str:
    """A first line with the marker and the kind ("block" or "page"), then the
    block, or the page's title and content split by the marker as a comment
    (stored as text: nothing to decode when served)."""
    marker = "fresh-" + secrets.token_hex(12)
    g.cache_marker = marker  # before the context: it may hold fresh values too
    try:
        values = context()
        if block is not None:
            kind, html = "block", render_block(template, block, **values)
        else:  # base.html renders only the page's title and content
            html = render_template(template, content_only=marker, **values)
            kind = "page"
    finally:
        g.pop("cache_marker", None)
    return f"{marker} {kind}\n" + compact(html)


def compact(html: str) -> str:
    """The page without indentation, <pre> and <textarea> kept as they are."""
    return _INDENTED.sub(lambda m: m[1] or "\n", html)


def _filled(text: str, marker: str) -> Markup:
    for name, make in FRESH.items():
        placeholder = f"{marker}:{name}"
        if placeholder in text:
            text = text.replace(placeholder, make())
    return Markup(text)  # noqa: S704 - rendered (and escaped) by Jinja when cached


def _serve(entry: str) -> ResponseReturnValue:
    head, _, html = entry.partition("\n")
    marker, _, kind = head.partition(" ")
    if kind == "block":
        return make_response(_filled(html, marker))
    title, _, content = html.partition(f"<!--{marker}-->")
    return make_response(
        render_template(
            "_cached.html",
            cached_title=_filled(title, marker),
            cached_content=_filled(content, marker),
        )
    )
