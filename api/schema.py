"""The public JSON API's requests as marshmallow schemas: every error names its field.

The schemas check what a request means (types, ranges, one variant's figures);
what `stats/` checks on the arrays it is given (planned looks, a plan's target
rate) it answers itself, as a StatsInputError the API turns into a 422. The
calculator page parses through `parse_analyze` too, so the page and the API accept
and refuse the same input. Unknown fields are ignored, as they always were.
The same schemas generate the OpenAPI document (api/openapi.py).
"""

from __future__ import annotations

from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validates_schema,
)

import stats
from api.fields import (
    Choice,
    Count,
    Flag,
    InputError,
    JsonField,
    Number,
    Sentence,
    Text,
    WholeNumber,
    first_error,
    json_list,
)
from core.limits import (
    MAX_COUNT,
    MAX_PLANNED_LOOKS,
    MAX_SPRINTS,
    MAX_VALUE,
    MAX_VARIANT_NAME,
    MAX_VARIANTS,
)
from stats.checks import SPLIT_TOLERANCE

SPENDING = ("obrien_fleming", "pocock")
# A relative lift of 100 (+10,000%) is beyond any test the API is meant for.
MAX_RELATIVE_MDE = 100
# Information fractions run to 1 at the planned end; an overrun to 10 x the plan
# is the most a real test reaches.
MAX_INFORMATION_FRACTION = 10
# A metric's label, short enough for a sentence in the verdict.
MAX_METRIC_LABEL = 100
OBJECT = "must be an object."


class Request(Schema):
    """A JSON object whose unknown fields are ignored (the API's contract)."""

    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": OBJECT}


def nested(schema: type[Schema], **kwargs: Any) -> fields.Nested:
    """A nested object whose wrong type is said in the API's words."""
    messages = {"type": OBJECT, "required": OBJECT, "null": OBJECT}
    return fields.Nested(schema, error_messages=messages, **kwargs)


class BinomialCell(Request):
    """One variant's units and conversions (in one sprint)."""

    units = Count(maximum=MAX_COUNT)
    conversions = Count(maximum=MAX_COUNT)

    @validates_schema
    def _within_units(self, data: dict, **kwargs: Any) -> None:
        conversions, units = data["conversions"], data["units"]
        if conversions > units:
            raise ValidationError(
                f"({conversions:,}) cannot exceed units ({units:,}).", "conversions"
            )

    @post_load
    def _figures(self, data: dict, **kwargs: Any) -> tuple[int, float, float, str]:
        return data["units"], data["conversions"], 0.0, "counts"


class MeanSdCell(Request):
    """One variant's units, mean and sample standard deviation (n - 1): the
    precise form (a sum of squares loses a small sd around a large mean)."""

    units = Count(maximum=MAX_COUNT)
    mean = Number(minimum=-MAX_VALUE, maximum=MAX_VALUE)
    sd = Number(minimum=0, maximum=MAX_VALUE)

    @validates_schema
    def _sd_needs_two_units(self, data: dict, **kwargs: Any) -> None:
        if data["units"] < 2 and data["sd"] > 0:
            raise ValidationError("must be 0 with fewer than 2 units.", "sd")

    @post_load
    def _figures(self, data: dict, **kwargs: Any) -> tuple[int, float, float, str]:
        m2 = float(stats.m2_from_sd(data["units"], data["sd"]))
        return data["units"], data["mean"] if data["units"] else 0.0, m2, "means"


class SumsCell(Request):
    """One variant's units, sum of values and sum of squared values."""

    units = Count(maximum=MAX_COUNT)
    sum = Number()
    sum_squares = Number(minimum=0)

    @validates_schema
    def _possible(self, data: dict, **kwargs: Any) -> None:
        units, total, squares = data["units"], data["sum"], data["sum_squares"]
        # Relative and absolute slack for rounding in the sender's arithmetic.
        if units and squares < total * total / units * (1 - 1e-9) - 1e-9:
            raise ValidationError(
                "is smaller than sum²/units, which no data can give.", "sum_squares"
            )

    @post_load
    def _figures(self, data: dict, **kwargs: Any) -> tuple[int, float, float, str]:
        return data["units"], data["sum"], data["sum_squares"], "sums"


def cell_schema(metric: str, entry: dict) -> Schema:
    """The schema one cell is read with: a continuous cell gives a mean and sd
    (when either is there) or a sum and sum of squares."""
    if metric == "binomial":
        return BinomialCell()
    return MeanSdCell() if "mean" in entry or "sd" in entry else SumsCell()


class Cell(JsonField):
    """One variant's figures in one sprint, read by the metric's cell schema."""

    refusal = OBJECT

    def __init__(self, metric: str, **kwargs: Any) -> None:
        self.metric = metric
        names = (
            ("BinomialCell",) if metric == "binomial" else ("MeanSdCell", "SumsCell")
        )
        refs = [{"$ref": f"#/components/schemas/{name}"} for name in names]
        kwargs["metadata"] = {"oneOf": refs}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, dict):
            raise ValidationError(OBJECT)
        return cell_schema(self.metric, value).load(value)


class Variant(Request):
    """A variant: its name and either `sprints` or one cell's figures inline."""

    metric = "binomial"
    name = Text(maximum=MAX_VARIANT_NAME, required=False)
    sprints = json_list(Cell("binomial"), 1, MAX_SPRINTS, required=False)

    @post_load(pass_original=True)
    def _rows(self, data: dict, original: dict, **kwargs: Any) -> dict:
        if "sprints" not in data:
            data["sprints"] = [cell_schema(self.metric, original).load(original)]
        return data


class ContinuousVariant(Variant):
    """A variant of a continuous metric."""

    metric = "continuous"
    sprints = json_list(Cell("continuous"), 1, MAX_SPRINTS, required=False)


class PlannedSplit(JsonField):
    """Shares per variant, or one row of shares per sprint (lists of lists)."""

    refusal = "must be a list."
    openapi = {"type": "array", "items": {}}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise ValidationError(self.refusal)
        return value


class AnalyzeRequest(Request):
    """POST /api/v1/analyze: a binomial metric's counts per variant (and sprint)."""

    metric = Choice(("binomial", "continuous"), fallback="binomial")
    variants = json_list(nested(Variant), 2, MAX_VARIANTS)
    alpha = Number(above=0, maximum=0.5, default=0.05)
    power = Number(minimum=0.5, below=1, default=0.8)
    planned_split = PlannedSplit(default=None)
    planned_units = Number(above=0, maximum=MAX_COUNT, default=None)
    planned_looks = WholeNumber(minimum=1, maximum=MAX_PLANNED_LOOKS, default=None)
    spending = Choice(SPENDING, fallback="obrien_fleming")
    correction = Choice(("holm", "bh"), fallback="holm")
    relative_mde = Number(
        minimum=stats.MIN_RELATIVE_MDE, maximum=MAX_RELATIVE_MDE, default=None
    )
    # With planned_looks and relative_mde: the plan's sample size, so alpha is
    # spent by information (binomial). Without one, the looks are always-valid.
    baseline_rate = Number(minimum=stats.MIN_BASELINE_RATE, below=1, default=None)
    observational = Flag(default=False)
    higher_is_better = Flag(default=True)
    metric_label = Text(maximum=MAX_METRIC_LABEL, strip=False, required=False)


class ContinuousAnalyzeRequest(AnalyzeRequest):
    """POST /api/v1/analyze with `"metric": "continuous"`: sums or means per cell."""

    variants = json_list(nested(ContinuousVariant), 2, MAX_VARIANTS)


class BoundariesRequest(Request):
    """POST /api/v1/boundaries: group-sequential boundaries for planned looks."""

    alpha = Number(above=0, maximum=0.5, default=0.05)
    information_fractions = json_list(
        Number(above=0, maximum=MAX_INFORMATION_FRACTION), 1, MAX_PLANNED_LOOKS
    )
    spending = Choice(SPENDING, fallback="obrien_fleming")

    @validates_schema
    def _increasing(self, data: dict, **kwargs: Any) -> None:
        fractions = data["information_fractions"]
        if any(b <= a for a, b in zip(fractions, fractions[1:], strict=False)):
            raise ValidationError(
                "must increase from look to look.", "information_fractions"
            )


class SampleSizeRequest(Request):
    """POST /api/v1/sample-size: units needed to detect a lift on a rate."""

    baseline_rate = Number(minimum=stats.MIN_BASELINE_RATE, below=1)
    relative_mde = Number(minimum=stats.MIN_RELATIVE_MDE, maximum=MAX_RELATIVE_MDE)
    alpha = Number(above=0, maximum=0.5, default=0.05)
    power = Number(minimum=0.5, below=1, default=0.8)
    variants = WholeNumber(minimum=2, maximum=MAX_VARIANTS, default=2)
    units_per_sprint = Number(above=0, maximum=MAX_COUNT, default=None)
    # A sequential plan's looks inflate the fixed-design sample size.
    planned_looks = WholeNumber(minimum=1, maximum=MAX_PLANNED_LOOKS, default=None)
    spending = Choice(SPENDING, fallback="obrien_fleming")

    @validates_schema
    def _target_below_one(self, data: dict, **kwargs: Any) -> None:
        if data["baseline_rate"] * (1 + data["relative_mde"]) >= 1:
            raise ValidationError(
                Sentence("baseline_rate × (1 + relative_mde) must stay below 1."),
                "relative_mde",
            )


def load(schema: Schema, payload: Any) -> dict:
    """`payload` read by `schema`, or the first error as an InputError."""
    if not isinstance(payload, dict):
        raise InputError("The request body must be a JSON object.", None, 400)
    try:
        return schema.load(payload)
    except ValidationError as error:
        raise first_error(error.messages) from None


SHARE = Number(above=0)


def _split(shares: Any, field: str, size: int) -> list[float]:
    """One row of planned shares: `size` positive numbers adding up to 1."""
    if not isinstance(shares, list):
        raise InputError(f"{field} must be a list.", field)
    if len(shares) != size:
        raise InputError(f"{field} must have from {size} to {size} entries.", field)
    parsed = []
    for i, share in enumerate(shares):
        try:
            parsed.append(SHARE.deserialize(share))
        except ValidationError as error:
            raise first_error(error.messages, f"{field}[{i}]") from None
    if abs(sum(parsed) - 1) > SPLIT_TOLERANCE:
        raise InputError(
            f"{field} must add up to 1 (it adds up to {sum(parsed):g}).", field
        )
    return parsed


def _planned_split(planned: list | None, n_looks: int, size: int) -> Any:
    """A split per variant, or one per sprint when given as a list of lists."""
    if planned is None:
        return None
    if planned and isinstance(planned[0], list):
        if len(planned) != n_looks:
            raise InputError(
                f"planned_split must have from {n_looks} to {n_looks} entries.",
                "planned_split",
            )
        return [
            _split(row, f"planned_split[{i}]", size) for i, row in enumerate(planned)
        ]
    return _split(planned, "planned_split", size)


def _names(variants: list[dict]) -> list[str]:
    """Variant names, A, B, C... where not given; a repeated name is refused."""
    names: list[str] = []
    for i, variant in enumerate(variants):
        name = variant.get("name", chr(ord("A") + i) if i < 26 else f"V{i + 1}")
        if name in names:
            field = f"variants[{i}].name"
            raise InputError(f"{field} repeats “{name}”.", field)
        names.append(name)
    return names


def parse_analyze(payload: Any) -> dict:
    """The request of POST /api/v1/analyze as keyword arguments for stats.analyze."""
    metric = payload.get("metric") if isinstance(payload, dict) else None
    schema = ContinuousAnalyzeRequest() if metric == "continuous" else AnalyzeRequest()
    args = load(schema, payload)
    variants = args.pop("variants")
    names = _names(variants)
    rows = [variant["sprints"] for variant in variants]
    n_looks = len(rows[0])
    if any(len(row) != n_looks for row in rows):
        raise InputError(
            "Every variant must give the same number of sprints.", "variants"
        )
    cells = [[rows[v][s] for v in range(len(names))] for s in range(n_looks)]
    args["names"] = names
    args["units"] = [[cell[0] for cell in look] for look in cells]
    if args["metric"] == "binomial":
        args["conversions"] = [[cell[1] for cell in look] for look in cells]
    else:
        args["means"], args["m2s"] = _means_and_m2s(cells)
    args["planned_split"] = _planned_split(args["planned_split"], n_looks, len(names))
    default_label = "conversion rate" if args["metric"] == "binomial" else "mean value"
    args.setdefault("metric_label", default_label)
    return args


def _means_and_m2s(cells: list[list[tuple]]) -> tuple[list, list]:
    """Each look's means and M2 per variant; cells given as sums are checked and
    converted by the engine (stats.check_sums), in one call for all of them."""
    sums = [cell[:3] for look in cells for cell in look if cell[3] == "sums"]
    converted = iter([])
    if sums:
        _, means, m2s = stats.check_sums(*zip(*sums, strict=True))
        converted = iter(zip(means.tolist(), m2s.tolist(), strict=True))
    pairs = [
        [next(converted) if cell[3] == "sums" else cell[1:3] for cell in look]
        for look in cells
    ]
    return (
        [[pair[0] for pair in look] for look in pairs],
        [[pair[1] for pair in look] for look in pairs],
    )


def parse_boundaries(payload: Any) -> dict:
    """The request of POST /api/v1/boundaries as keyword arguments."""
    return load(BoundariesRequest(), payload)


def parse_sample_size(payload: Any) -> dict:
    """The request of POST /api/v1/sample-size as keyword arguments."""
    return load(SampleSizeRequest(), payload)
