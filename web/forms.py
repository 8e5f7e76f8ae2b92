"""Flask-WTF forms as the views use them: one message per bad field, entered
values kept.

A view builds a `WebForm` subclass over the request, calls `check()`, and hands
`problems` (field name -> message, nested rows flattened to their input names) to
the template, which shows each message next to its field. The fields live in
web/fields.py; CSRF is checked for every POST by CSRFProtect (run.py), so the
forms do not check it again.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask_wtf import FlaskForm
from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import Field, FieldList, FormField
from wtforms.utils import unset_value

from core.clock import utcnow
from database import db
from web.fields import CONTROL, RawField, article, parse_id

__all__ = [
    "DOUBLE_SUBMIT",
    "FormToken",
    "KeyedFieldList",
    "WebForm",
    "article",
    "TokenForm",
    "new_form_token",
    "parse_id",
    "query_text",
    "row_keys",
    "taken",
]


def query_text(raw: str | None, max_length: int) -> str:
    """A search or filter argument: control characters dropped, length capped."""
    return CONTROL.sub("", raw or "").strip()[:max_length]


class WebForm(FlaskForm):
    """A form whose problems are one message per input name."""

    class Meta:
        csrf = False  # CSRFProtect has checked the token before the view runs

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._extra: dict[str, str] = {}

    def error(self, name: str, message: str) -> None:
        """A problem found across fields, shown next to input `name` (with the
        form's prefix, as its fields' inputs are named)."""
        self._extra.setdefault(self._prefix + name, message)

    def check(self) -> bool:
        """Validate every field, then the rules across fields (`cross_check`)."""
        self.validate()
        self.cross_check()
        return self.ok

    def cross_check(self) -> None:
        """Rules that span fields; subclasses add them with `error`."""

    @property
    def problems(self) -> dict[str, str]:
        """Input name -> its first message, rows included."""
        found: dict[str, str] = {}
        _collect(self, found)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems

    def field_data(self, *names: str) -> dict:
        """The checked data of the named fields (all by default), by name."""
        return {name: self[name].data for name in names or self._fields}


def _collect(form: WebForm, found: dict[str, str]) -> None:
    for field in form._fields.values():
        _collect_field(field, found)
    for name, message in getattr(form, "_extra", {}).items():
        found.setdefault(name, message)


def _collect_field(field: Field, found: dict[str, str]) -> None:
    if isinstance(field, FieldList):
        for entry in field.entries:
            _collect_field(entry, found)
    elif isinstance(field, FormField):
        _collect(field.form, found)
    elif field.errors:
        found.setdefault(field.name, field.errors[0])


def row_keys(formdata, prefix: str, key_field: str = "name") -> list[str]:
    """The keys of rows `prefix-<key>-<key_field>`, in the order they arrived."""
    pattern = re.compile(rf"{re.escape(prefix)}-([0-9a-z]{{1,16}})-{key_field}")
    keys: list[str] = []
    for name in formdata:
        match = pattern.fullmatch(name)
        if match and match.group(1) not in keys:
            keys.append(match.group(1))
    return keys


class KeyedFieldList(FieldList):
    """A FieldList whose rows are named by short keys (`variants-a1-name`), kept in
    the order they were sent: rows added by htmx pick a random key, so two rows
    never share one and a removed row leaves no gap to renumber."""

    def __init__(self, *args, key_field: str = "name", **kwargs):
        super().__init__(*args, **kwargs)
        self.key_field = key_field

    def keys(self, formdata) -> list[str]:
        return row_keys(formdata, self.name, self.key_field)

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.entries = []
        self.object_data = data
        if formdata:
            for key in self.keys(formdata):
                self._add_entry(formdata, index=key)


def taken(column, value: str, id_column, own_id: int | None = None) -> bool:
    """Another row already holds `value` in `column`, ignoring case."""
    query = db.select(id_column).where(func.lower(column) == value.lower())
    if own_id is not None:
        query = query.where(id_column != own_id)
    return db.session.execute(query).first() is not None


class FormToken(db.Model):
    """A create form's one-time token: a second submit of the same form is refused."""

    __tablename__ = "form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


DOUBLE_SUBMIT = (
    "This form was already submitted, so it was not saved again. "
    "Reload the page to enter another."
)


class TokenForm(WebForm):
    """A form that may be saved once: its `form_token` is claimed when it is."""

    form_token = RawField()

    def claim_token(self) -> None:
        """Mark the token used, in the caller's transaction; error if it was."""
        token = self.form_token.raw
        if not token or len(token) > 64:
            self.error("form_token", "The form is missing its token; reload the page.")
        elif db.session.get(FormToken, token) is not None:
            self.error("form_token", DOUBLE_SUBMIT)
        else:
            db.session.add(FormToken(token=token))
