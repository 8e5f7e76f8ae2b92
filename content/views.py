"""The message library: list with filters, create, edit (keeping versions), show."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from auth.decorators import require
from content.library import item_problems, save_item
from content.models import CONTENT_KINDS, ContentItem, ContentTag
from content.usage import content_usage
from core.vocabulary import FUNNEL_STAGES
from database import contains_text, db, get_or_404
from web.fields import ChoiceField, TagsField, TextField
from web.forms import (
    WebForm,
    query_text,
)
from web.render import render, saved

bp = Blueprint("content", __name__, url_prefix="/content")


@bp.get("")
@login_required
def index():
    kind = request.args.get("kind", "")
    persona = query_text(request.args.get("persona"), 100)
    tag = query_text(request.args.get("tag"), 40).lower()
    q = query_text(request.args.get("q"), 200)
    query = (
        db.select(ContentItem)
        .order_by(ContentItem.updated_at.desc(), ContentItem.id)
        .options(selectinload(ContentItem.tags))
    )
    if kind in CONTENT_KINDS:
        query = query.where(ContentItem.kind == kind)
    if persona:
        query = query.where(ContentItem.persona == persona)
    if tag:
        query = query.where(
            ContentItem.id.in_(
                db.select(ContentTag.content_item_id).where(ContentTag.tag == tag)
            )
        )
    if q:
        columns = (ContentItem.title, ContentItem.body, ContentItem.call_to_action)
        query = query.where(contains_text(columns, q))
    items = db.session.execute(query).scalars().all()
    usage = content_usage().usage_counts()
    personas = (
        db.session.execute(
            db.select(ContentItem.persona)
            .where(ContentItem.persona != "")
            .distinct()
            .order_by(ContentItem.persona)
        )
        .scalars()
        .all()
    )
    tags = (
        db.session.execute(
            db.select(ContentTag.tag).distinct().order_by(ContentTag.tag)
        )
        .scalars()
        .all()
    )
    return render(
        "content/index.html",
        "items",
        items=items,
        usage=usage,
        kinds=CONTENT_KINDS,
        personas=personas,
        tags=tags,
        filters={"kind": kind, "persona": persona, "tag": tag, "q": q},
    )


def _form_page(item: ContentItem | None, form, errors, status=200):
    return render(
        "content/form.html",
        status=status,
        item=item,
        form=form,
        errors=errors,
        kinds=CONTENT_KINDS,
        funnel_stages=FUNNEL_STAGES,
    )


def _item_values(item: ContentItem) -> dict:
    return {
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "call_to_action": item.call_to_action,
        "persona": item.persona,
        "funnel_stage": item.funnel_stage or "",
        "tags": ", ".join(item.tag_names),
    }


class ContentForm(WebForm):
    """A content item: kind, unique title, wording, persona, stage and tags."""

    kind = ChoiceField("Kind", CONTENT_KINDS)
    title = TextField("Title", max_length=200)
    body = TextField("Body", required=False, max_length=20000)
    call_to_action = TextField("Call to action", required=False, max_length=200)
    persona = TextField("Persona", required=False, max_length=100)
    funnel_stage = ChoiceField("Funnel stage", FUNNEL_STAGES, required=False)
    tags = TagsField("Tags")

    def __init__(self, item: ContentItem | None, **kwargs):
        super().__init__(**kwargs)
        self.item = item

    def cross_check(self) -> None:
        if "title" not in self.problems:
            for name, message in item_problems(self.field_data(), self.item).items():
                self.error(name, message)


@bp.get("/new")
@require("edit_content")
def new():
    return _form_page(None, form={}, errors={})


@bp.post("")
@require("edit_content")
def create():
    form = ContentForm(None)
    if not form.check():
        return _form_page(None, request.form, form.problems, status=422)
    item = save_item(None, form.field_data(), current_user.id)
    return saved(
        f"Added “{item.title}” to the library.", "content.show", item_id=item.id
    )


@bp.get("/<int:item_id>")
@login_required
def show(item_id: int):
    item = get_or_404(ContentItem, item_id)
    usage = content_usage()
    return render(
        "content/show.html",
        item=item,
        used_in=usage.used_in(item.id),
        feedback=usage.feedback_on(item.id),
        kinds=CONTENT_KINDS,
        funnel_stages=FUNNEL_STAGES,
    )


@bp.get("/<int:item_id>/edit")
@require("edit_content")
def edit(item_id: int):
    item = get_or_404(ContentItem, item_id)
    return _form_page(item, form=_item_values(item), errors={})


@bp.post("/<int:item_id>")
@require("edit_content")
def update(item_id: int):
    item = get_or_404(ContentItem, item_id)
    form = ContentForm(item)
    if not form.check():
        return _form_page(item, request.form, form.problems, status=422)
    save_item(item, form.field_data(), current_user.id)
    return saved("Saved.", "content.show", item_id=item.id)
