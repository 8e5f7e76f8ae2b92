"""Markdown to safe HTML: raw HTML is escaped by the parser, the output sanitised."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default" is CommonMark with raw HTML off and unsafe link schemes refused.
_parser = MarkdownIt("js-default").enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(text: str | None) -> Markup:
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
