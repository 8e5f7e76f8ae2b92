"""Reading submitted fields: one message per bad field, entered values kept.

Views build a `Form` over `request.form`, read each field with the method for its
type, and check `form.ok`; `form.errors` maps field names to messages that the
templates show next to the fields.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.limits import FIRST_YEAR, LAST_YEAR
from database import MAX_ID, db

# Characters no text column should hold: NUL breaks PostgreSQL, the others are
# invisible in a page and only ever arrive by accident or by attack.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_THOUSANDS = re.compile(r"(?<=\d)[,_ \u00a0\u202f](?=\d{3}\b)")


def parse_id(raw: str | None) -> int | None:
    """A row id typed into a URL or a form, or None when it cannot be one."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def query_text(raw: str | None, max_length: int) -> str:
    """A search or filter argument: control characters dropped, length capped."""
    return _CONTROL.sub("", raw or "").strip()[:max_length]


def article(noun: str) -> str:
    """'a sprint', 'an owner'."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


class Form:
    def __init__(self, data: Mapping[str, str]):
        self.data = data
        self.errors: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raw(self, name: str) -> str:
        return (self.data.get(name) or "").strip()

    def id(self, name: str) -> int | None:
        return parse_id(self.data.get(name))

    def text(
        self,
        name: str,
        label: str,
        *,
        required: bool = True,
        max_length: int = 200,
    ) -> str:
        value = self.raw(name).replace("\r\n", "\n")
        if _CONTROL.search(value):
            self.error(name, f"{label} contains a control character; remove it.")
        elif required and not value:
            self.error(name, f"{label} is required.")
        elif len(value) > max_length:
            self.error(
                name,
                f"{label} is too long: {len(value):,} characters, "
                f"at most {max_length:,}.",
            )
        return value

    def integer(
        self,
        name: str,
        label: str,
        *,
        minimum: int = 0,
        maximum: int,
        required: bool = True,
    ) -> int | None:
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, f"{label} is required.")
            return None
        cleaned = _THOUSANDS.sub("", value).replace("\u2212", "-")
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            self.error(name, f"{label} must be a whole number, not “{value[:40]}”.")
            return None
        digits = cleaned.lstrip("+-").lstrip("0")
        # Longer than the maximum: refused before int() meets thousands of digits.
        number = int(cleaned) if len(digits) <= len(str(maximum)) else None
        if number is None and not cleaned.startswith("-"):
            self.error(name, f"{label} must be at most {maximum:,}.")
            return None
        if number is None or number < minimum:
            if minimum == 0:
                self.error(name, f"{label} cannot be negative.")
            else:
                self.error(name, f"{label} must be at least {minimum:,}.")
            return None
        if number > maximum:
            self.error(name, f"{label} must be at most {maximum:,}.")
            return None
        return number

    def number(
        self,
        name: str,
        label: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
        below: float | None = None,
        required: bool = True,
    ) -> float | None:
        """A finite decimal; `above`/`below` are exclusive bounds."""
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, f"{label} is required.")
            return None
        cleaned = _THOUSANDS.sub("", value).replace("\u2212", "-")
        try:
            number = float(cleaned)
        except ValueError:
            self.error(name, f"{label} must be a number, not “{value[:40]}”.")
            return None
        if not math.isfinite(number):
            self.error(name, f"{label} must be a finite number.")
        elif minimum is not None and number < minimum:
            self.error(name, f"{label} must be at least {minimum:g}.")
        elif maximum is not None and number > maximum:
            self.error(name, f"{label} must be at most {maximum:g}.")
        elif above is not None and number <= above:
            self.error(name, f"{label} must be more than {above:g}.")
        elif below is not None and number >= below:
            self.error(name, f"{label} must be less than {below:g}.")
        else:
            return number
        return None

    def choice(
        self, name: str, label: str, choices: Iterable[str], *, required: bool = True
    ) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, f"Choose {article(label.lower())}.")
            return None
        if value not in set(choices):
            self.error(name, f"“{value[:40]}” is not a known {label.lower()}.")
            return None
        return value

    def date(self, name: str, label: str) -> date | None:
        value = self.raw(name)
        if not value:
            self.error(name, f"{label} is required.")
            return None
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            self.error(name, f"{label} must be a date like 2026-03-31.")
            return None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.error(name, f"{label} must be between {FIRST_YEAR} and {LAST_YEAR}.")
            return None
        return day

    def flag(self, name: str) -> bool:
        return self.raw(name) in {"1", "on", "true", "yes"}

    def tags(self, name: str, label: str, *, max_tags: int = 20) -> list[str]:
        """Comma-separated tags, lower-cased, de-duplicated, each 1-40 characters."""
        text = self.text(name, label, required=False, max_length=500)
        tags: list[str] = []
        for part in text.split(","):
            tag = " ".join(part.strip().lower().split())
            if not tag or tag in tags:
                continue
            if len(tag) > 40:
                self.error(name, f"Each tag is at most 40 characters: “{tag[:40]}…”.")
            tags.append(tag)
        if len(tags) > max_tags:
            self.error(name, f"At most {max_tags} tags.")
        return tags


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


def claim_form_token(form: Form) -> None:
    """Mark the form's token used, in the caller's transaction; error if it was."""
    token = form.raw("form_token")
    if not token or len(token) > 64:
        form.error("form_token", "The form is missing its token; reload the page.")
    elif db.session.get(FormToken, token) is not None:
        form.error("form_token", DOUBLE_SUBMIT)
    else:
        db.session.add(FormToken(token=token))
