"""WTForms fields for the rules WTForms lacks, each with the message shown next to
the field.

Every field reads its text in `process_formdata` and never raises there; it checks
the text in `pre_validate` and stops at the first problem, so a field carries at
most one message. `data` is the parsed value, or None when the field is empty or
wrong; `raw` is the text as typed (stripped), which the page shows again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime

from wtforms import Field
from wtforms.validators import StopValidation

from core.limits import FIRST_YEAR, LAST_YEAR
from database import MAX_ID

# Characters no text column should hold: NUL breaks PostgreSQL, the others are
# invisible in a page and only ever arrive by accident or by attack.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A thousands separator: ",", "_", a space, a no-break space or a narrow no-break
# space between a digit and a group of exactly three digits.
THOUSANDS = re.compile(r"(?<=\d)[,_ \u00a0\u202f](?=\d{3}\b)")
# A comma followed by exactly three digits at the end: "1,234" is a thousand and
# more, never 1.234 (the English reading wins where both are possible).
_THOUSANDS_COMMA = re.compile(r",\d{3}$")
MINUS = "\u2212"
# Tags: at most this many per field, each at most this many characters.
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
# What a checkbox or a "remove" flag sends when it is on.
FLAG_ON = frozenset({"1", "on", "true", "yes"})
# A shown value is cut to this many characters inside a message.
_QUOTE = 40


def article(noun: str) -> str:
    """'a sprint', 'an owner'."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def parse_id(raw: str | None) -> int | None:
    """A row id typed into a URL or a form, or None when it cannot be one."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def decimal_text(text: str) -> str:
    """The text with a decimal comma turned into a point, separators dropped.

    The comma is the decimal mark when it is the only comma, there is no point,
    and it is not followed by exactly three digits at the end: "4,5" and
    "1 234,56" are decimals, "1,234" and "1,234.5" use the comma for thousands.
    """
    if text.count(",") == 1 and "." not in text and not _THOUSANDS_COMMA.search(text):
        text = text.replace(",", ".")
    return THOUSANDS.sub("", text).replace(MINUS, "-")


class _Read(Field):
    """A field that keeps its stripped text and checks it in `check`."""

    def __init__(self, label: str, *, required: bool = True, **kwargs):
        super().__init__(label, **kwargs)
        self.required = required
        self.raw = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None

    def _value(self) -> str:
        return self.raw

    @property
    def name_label(self) -> str:
        return str(self.label.text)

    def pre_validate(self, form) -> None:
        self.data = None
        if not self.raw:
            if self.required:
                raise StopValidation(self.missing())
            return
        self.data = self.check(self.raw)

    def missing(self) -> str:
        return f"{self.name_label} is required."

    def check(self, raw: str):
        return raw


class RawField(_Read):
    """Text taken as typed (stripped), checked by the form: a password, a token."""

    def __init__(self, label: str = "", **kwargs):
        super().__init__(label, required=False, **kwargs)

    def pre_validate(self, form) -> None:
        self.data = self.raw


class TextField(_Read):
    """Text without control characters, at most `max_length` characters once
    Windows line ends are counted as one."""

    def __init__(self, label: str, *, max_length: int = 200, **kwargs):
        super().__init__(label, **kwargs)
        self.max_length = max_length

    def pre_validate(self, form) -> None:
        value = self.raw.replace("\r\n", "\n")
        self.data = value
        if CONTROL.search(value):
            message = f"{self.name_label} contains a control character; remove it."
        elif self.required and not value:
            message = self.missing()
        elif len(value) > self.max_length:
            message = (
                f"{self.name_label} is too long: {len(value):,} characters, "
                f"at most {self.max_length:,}."
            )
        else:
            return
        raise StopValidation(message)


class IntegerField(_Read):
    """A whole number between `minimum` and `maximum`; accepts thousands
    separators and a real minus sign."""

    def __init__(self, label: str, *, maximum: int, minimum: int = 0, **kwargs):
        super().__init__(label, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def check(self, raw: str) -> int:
        cleaned = THOUSANDS.sub("", raw).replace(MINUS, "-")
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise StopValidation(
                f"{self.name_label} must be a whole number, not “{raw[:_QUOTE]}”."
            )
        digits = cleaned.lstrip("+-").lstrip("0")
        # Longer than the maximum: refused before int() meets thousands of digits.
        number = int(cleaned) if len(digits) <= len(str(self.maximum)) else None
        if (
            number is None
            and not cleaned.startswith("-")
            or (number is not None and number > self.maximum)
        ):
            raise StopValidation(f"{self.name_label} must be at most {self.maximum:,}.")
        if number is None or number < self.minimum:
            if self.minimum == 0:
                raise StopValidation(f"{self.name_label} cannot be negative.")
            raise StopValidation(
                f"{self.name_label} must be at least {self.minimum:,}."
            )
        return number


class DecimalField(_Read):
    """A finite decimal within bounds; `above`/`below` are exclusive. Accepts
    thousands separators, a real minus sign and a decimal comma (`decimal_text`)."""

    def __init__(
        self,
        label: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
        below: float | None = None,
        **kwargs,
    ):
        super().__init__(label, **kwargs)
        self.bounds = (minimum, maximum, above, below)

    def check(self, raw: str) -> float:
        try:
            number = float(decimal_text(raw))
        except ValueError:
            raise StopValidation(
                f"{self.name_label} must be a number, not “{raw[:_QUOTE]}”."
            ) from None
        minimum, maximum, above, below = self.bounds
        label = self.name_label
        if not math.isfinite(number):
            message = f"{label} must be a finite number."
        elif minimum is not None and number < minimum:
            message = f"{label} must be at least {minimum:g}."
        elif maximum is not None and number > maximum:
            message = f"{label} must be at most {maximum:g}."
        elif above is not None and number <= above:
            message = f"{label} must be more than {above:g}."
        elif below is not None and number >= below:
            message = f"{label} must be less than {below:g}."
        else:
            return number
        raise StopValidation(message)


class ChoiceField(_Read):
    """One of `choices` (the codes a select offers)."""

    def __init__(self, label: str, choices: Iterable[str], **kwargs):
        super().__init__(label, **kwargs)
        self.choices = frozenset(choices)

    def missing(self) -> str:
        return f"Choose {article(self.name_label.lower())}."

    def check(self, raw: str) -> str:
        if raw not in self.choices:
            raise StopValidation(
                f"“{raw[:_QUOTE]}” is not a known {self.name_label.lower()}."
            )
        return raw


class DateField(_Read):
    """A date written 2026-03-31, between FIRST_YEAR and LAST_YEAR."""

    def check(self, raw: str) -> date:
        try:
            day = datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            raise StopValidation(
                f"{self.name_label} must be a date like 2026-03-31."
            ) from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise StopValidation(
                f"{self.name_label} must be between {FIRST_YEAR} and {LAST_YEAR}."
            )
        return day


class IdField(_Read):
    """A row id (1..database.MAX_ID), or None: the form says what a bad one means."""

    def __init__(self, label: str = "", **kwargs):
        super().__init__(label, required=False, **kwargs)

    def pre_validate(self, form) -> None:
        self.data = parse_id(self.raw)


class FlagField(_Read):
    """A checkbox: on when it sends one of FLAG_ON."""

    def __init__(self, label: str = "", **kwargs):
        super().__init__(label, required=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.data = self.raw in FLAG_ON

    def pre_validate(self, form) -> None:
        self.data = self.raw in FLAG_ON


class TagsField(TextField):
    """Comma-separated tags, lower-cased, de-duplicated, each 1-40 characters."""

    def __init__(self, label: str, *, max_tags: int = MAX_TAGS, **kwargs):
        super().__init__(label, required=False, max_length=500, **kwargs)
        self.max_tags = max_tags

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        tags: list[str] = []
        for part in self.data.split(","):
            tag = " ".join(part.strip().lower().split())
            if not tag or tag in tags:
                continue
            if len(tag) > MAX_TAG_LENGTH:
                self.data = tags
                raise StopValidation(
                    f"Each tag is at most {MAX_TAG_LENGTH} characters: "
                    f"“{tag[:MAX_TAG_LENGTH]}…”."
                )
            tags.append(tag)
        self.data = tags
        if len(tags) > self.max_tags:
            raise StopValidation(f"At most {self.max_tags} tags.")
        # Lower-casing can lengthen text ("İ" becomes two characters): the stored,
        # comma-joined tags are measured again.
        if len(",".join(tags)) > self.max_length:
            raise StopValidation(
                f"{self.name_label} are too long together: at most "
                f"{self.max_length:,} characters."
            )
