"""The message library's write rules: unique titles, and a version per rewording."""

from __future__ import annotations

from sqlalchemy import func

from content.models import ContentItem, ContentTag, ContentVersion
from database import ConcurrentChange, db

# The fields whose change makes a new version; the old wording is kept.
WORDING = ("title", "body", "call_to_action")


def item_problems(values: dict, item: ContentItem | None) -> dict[str, str]:
    """Why `values` cannot be saved (as `item`, or as a new item): {field: message}."""
    title = values.get("title")
    if not title:
        return {}
    query = db.select(ContentItem.id).where(
        func.lower(ContentItem.title) == title.lower()
    )
    if item is not None:
        query = query.where(ContentItem.id != item.id)
    if db.session.execute(query).first():
        return {"title": "A content item with this title already exists."}
    return {}


def _claim_next_version(item: ContentItem) -> None:
    """Move the stored version on by one, only from the version this edit read:
    of two edits at once, the second finds it moved and saves nothing (409), so
    no two archived wordings share a number."""
    moved = db.session.execute(
        db.update(ContentItem)
        .where(ContentItem.id == item.id, ContentItem.version == item.version)
        .values(version=ContentItem.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise ConcurrentChange(f"content item {item.id} was edited at the same time")


def save_item(
    item: ContentItem | None, values: dict, saved_by_id: int | None
) -> ContentItem:
    """Create or update an item (checked by `item_problems`).

    `values`: kind, title, body, call_to_action, persona, funnel_stage, tags (a list).
    Changing an existing item's wording first keeps the old wording as a version.
    """
    values = dict(values)
    tags = values.pop("tags")
    if item is None:
        item = ContentItem()
        db.session.add(item)
    elif any(values[k] != getattr(item, k) for k in WORDING):
        _claim_next_version(item)
        db.session.add(
            ContentVersion(
                content_item_id=item.id,
                version=item.version,
                title=item.title,
                body=item.body,
                call_to_action=item.call_to_action,
                saved_by_id=saved_by_id,
            )
        )
        item.version += 1
    for name, value in values.items():
        setattr(item, name, value)
    if sorted(tags) != item.tag_names:
        item.tags = [ContentTag(tag=t) for t in sorted(tags)]
    db.session.flush()  # a new item has its id for the caller's redirect
    return item
