"""Marshmallow fields for strict JSON input, and the API's one error shape.

Marshmallow's own number fields accept strings ("10") and booleans; the API has
always refused both, so its fields read JSON values as JSON gives them. A field's
messages leave out the field's name: `first_error` puts the path
(`variants[1].units`) in front, so every message names exactly what is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, missing
from marshmallow.validate import Length


class InputError(Exception):
    """A request the API refuses: `status` 400 when malformed, 422 when invalid."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def to_dict(self) -> dict:
        return {"error": self.message, "field": self.field}


class Sentence(str):
    """A message that is a whole sentence: `first_error` does not prefix its path."""


def first_error(messages: Any, path: str = "") -> InputError:
    """The first of marshmallow's nested error messages, as one InputError.

    Marshmallow keeps errors in the order it met the fields (declaration order), so
    the first leaf is the error a reader meets first; list items are keyed by index.
    """
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        if isinstance(key, int):
            return first_error(value, f"{path}[{key}]")
        if key == "_schema":
            return first_error(value, path)
        return first_error(value, f"{path}.{key}" if path else key)
    if isinstance(messages, list):
        return first_error(messages[0], path)
    if isinstance(messages, Sentence) or not path:
        return InputError(str(messages), path or None)
    return InputError(f"{path} {messages}", path)


def is_finite_number(value: Any) -> bool:
    """A finite JSON number: true/false are not numbers, 1e400 and 10**400 are
    not finite for our purposes."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


class JsonField(fields.Field):
    """A field whose one message `refusal` also answers a missing or null value.

    With `default` given the field is optional and null means the default, as
    the API has always read `{"alpha": null}`; with `fallback` it is optional but
    null is refused (`{"metric": null}`).
    """

    refusal = "is not valid."
    openapi: dict[str, Any] = {}

    def __init__(
        self,
        *,
        default: Any = missing,
        fallback: Any = missing,
        required: bool | None = None,
        **kwargs: Any,
    ) -> None:
        optional = default is not missing
        if required is None:
            required = not optional and fallback is missing
        metadata = {**self.openapi, **kwargs.pop("metadata", {})}
        super().__init__(
            required=required,
            load_default=default if optional else fallback,
            metadata=metadata,
            **kwargs,
        )
        refusal = self.refusal
        self.error_messages.update(required=refusal, null=refusal, invalid=refusal)
        self.null_means_default = optional

    def deserialize(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if value is None and self.null_means_default:
            return self.load_default
        return super().deserialize(value, *args, **kwargs)


class Number(JsonField):
    """A finite number within optional open (`above`, `below`) or closed bounds."""

    refusal = "must be a finite number."

    def __init__(
        self,
        *,
        above: float | None = None,
        below: float | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        **kwargs: Any,
    ) -> None:
        self.bounds = (above, below, minimum, maximum)
        spec = {
            "type": "number",
            "exclusiveMinimum": above,
            "exclusiveMaximum": below,
            "minimum": minimum,
            "maximum": maximum,
        }
        kwargs["metadata"] = {k: v for k, v in spec.items() if v is not None}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if not is_finite_number(value):
            raise ValidationError(self.refusal)
        value = float(value)
        above, below, minimum, maximum = self.bounds
        if above is not None and value <= above:
            raise ValidationError(f"must be greater than {above:g}.")
        if below is not None and value >= below:
            raise ValidationError(f"must be less than {below:g}.")
        if minimum is not None and value < minimum:
            raise ValidationError(f"must be at least {minimum:g}.")
        if maximum is not None and value > maximum:
            raise ValidationError(f"must be at most {maximum:g}.")
        return value


class Count(JsonField):
    """A whole number from 0 to `maximum` (2.0 is accepted as 2)."""

    refusal = "must be a whole number."

    def __init__(self, *, maximum: int, **kwargs: Any) -> None:
        self.maximum = maximum
        kwargs["metadata"] = {"type": "integer", "minimum": 0, "maximum": maximum}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if not is_finite_number(value):
            raise ValidationError(self.refusal)
        if value != int(value):
            raise ValidationError(f"must be a whole number, not {value!r}.")
        if value < 0:
            raise ValidationError("cannot be negative.")
        if value > self.maximum:
            raise ValidationError(f"must be at most {self.maximum:,}.")
        return int(value)


class WholeNumber(JsonField):
    """A whole number from `minimum` to `maximum`."""

    refusal = "must be a whole number."

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        self.range = (minimum, maximum)
        kwargs["metadata"] = {"type": "integer", "minimum": minimum, "maximum": maximum}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if not is_finite_number(value) or value != int(value):
            raise ValidationError(self.refusal)
        minimum, maximum = self.range
        if not minimum <= value <= maximum:
            raise ValidationError(f"must be from {minimum} to {maximum}.")
        return int(value)


class Choice(JsonField):
    """One of a few option names."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        self.choices = choices
        self.refusal = f"must be one of: {', '.join(choices)}."
        kwargs["metadata"] = {"type": "string", "enum": list(choices)}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise ValidationError(self.refusal)
        return value


class Flag(JsonField):
    """true or false, nothing else (1 and "yes" are refused)."""

    refusal = "must be true or false."
    openapi = {"type": "boolean"}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(self.refusal)
        return value


class Text(JsonField):
    """Text of 1 to `maximum` characters; with `strip`, not only spaces and read
    stripped (a variant's name), else taken as given (a label)."""

    def __init__(self, *, maximum: int, strip: bool = True, **kwargs: Any) -> None:
        self.maximum = maximum
        self.strip = strip
        self.refusal = f"must be text of 1 to {maximum} characters."
        kwargs["metadata"] = {"type": "string", "minLength": 1, "maxLength": maximum}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not 0 < len(value) <= self.maximum:
            raise ValidationError(self.refusal)
        if self.strip and not value.strip():
            raise ValidationError(self.refusal)
        return value.strip() if self.strip else value


def json_list(
    item: fields.Field, minimum: int, maximum: int, *, required: bool = True
) -> fields.List:
    """A list of `minimum` to `maximum` items, with the API's messages."""
    refusal = "must be a list."
    length = f"must have from {minimum} to {maximum} entries."
    return fields.List(
        item,
        validate=Length(min=minimum, max=maximum, error=length),
        error_messages={"required": refusal, "null": refusal, "invalid": refusal},
        required=required,
    )
