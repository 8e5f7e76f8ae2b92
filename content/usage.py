"""Where library items are used: a question only the experiments package can answer.

Experiments depend on content (variants show content items), never the reverse, so
content asks through this small interface, which run.py fills in with the
experiments package's answers (`experiments.usage`).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app

EXTENSION = "content_usage"


class ContentUsage(Protocol):
    """What the library pages show about each item's use elsewhere."""

    def usage_counts(self) -> dict[int, int]:
        """How many variants use each item: {content item id: count}."""
        ...

    def used_in(self, item_id: int) -> list[Any]:
        """(experiment, variant) pairs that use the item, by experiment title."""
        ...

    def feedback_on(self, item_id: int) -> list[Any]:
        """Feedback on the item or on the variants that use it, newest first."""
        ...


def register(app, usage: ContentUsage) -> None:
    """Tell the library where its items are used (called by run.py)."""
    app.extensions[EXTENSION] = usage


def content_usage() -> ContentUsage:
    """The registered answers for the current app."""
    return current_app.extensions[EXTENSION]
