"""Public statistics: the JSON API and the calculator page. No login, no stored data."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

import stats
from api.fields import InputError
from api.openapi import openapi_document
from api.schema import SPENDING, parse_analyze, parse_boundaries, parse_sample_size
from core.limits import MAX_COUNT, MAX_PLANNED_LOOKS, MAX_VARIANTS
from web.fields import ChoiceField, DecimalField, IntegerField
from web.forms import WebForm
from web.render import is_partial, render

bp = Blueprint("api", __name__)

MAX_PASTE_LINES = 20


@bp.errorhandler(InputError)
def _refused(error: InputError):
    """A refused request: its message and field, 400 or 422."""
    return jsonify(error.to_dict()), error.status


@bp.errorhandler(stats.StatsInputError)
def _refused_by_stats(error: stats.StatsInputError):
    """What stats/ refuses is a 422 naming its argument: the API does not check
    again what the engine checks."""
    return jsonify({"error": error.message, "field": error.field}), 422


def _json_body() -> object:
    """The request's JSON value, or a 400 when it is not JSON."""
    if not request.is_json:
        raise InputError(
            "Send a JSON body with Content-Type: application/json.", None, 400
        )
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the parser's stack
        payload = None
    if payload is None:
        raise InputError("The request body is not valid JSON.", None, 400)
    return payload


@bp.post("/api/v1/analyze")
def analyze():
    return jsonify(stats.analyze(**parse_analyze(_json_body())).to_dict())


@bp.post("/api/v1/boundaries")
def boundaries():
    return jsonify(stats.boundaries(**parse_boundaries(_json_body())).to_dict())


@bp.post("/api/v1/sample-size")
def sample_size():
    return jsonify(stats.sample_size(**parse_sample_size(_json_body())).to_dict())


@bp.get("/api/v1/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from the request schemas."""
    return jsonify(openapi_document())


EXAMPLE_COUNTS = "A, 1000, 50\nB, 1000, 65"
PLAN_DEFAULTS = {"baseline_rate": "5", "relative_mde": "20", "alpha": "0.05",
                 "power": "0.8", "variants": "2", "planned_looks": "1",
                 "spending": "obrien_fleming"}  # fmt: skip


def _calculator_page(**overrides) -> dict:
    """The whole calculator's context: the example counts and the default plan,
    with `overrides` (one form's answer) in place of its part."""
    example = stats.analyze(**parse_analyze(counts_payload(EXAMPLE_COUNTS, "binomial")))
    context = {
        "form": {"counts": EXAMPLE_COUNTS, "metric": "binomial", "alpha": "0.05"},
        "report": example.to_dict(),
        "errors": {},
        "plan_form": PLAN_DEFAULTS,
        "plan": None,
        "plan_errors": {},
    }
    return context | overrides


def _calculator_answer(block: str, ok: bool, answer: dict):
    """One form's answer: its block for htmx, else the whole page with the answer
    in place (the example is analysed only for a whole page)."""
    context = answer if is_partial() else _calculator_page(**answer)
    return render("api/calculator.html", block, status=200 if ok else 422, **context)


@bp.get("/calculator")
def calculator():
    """The calculator, showing the answer for its example counts."""
    return render("api/calculator.html", **_calculator_page())


def _split_line(line: str) -> list[str]:
    for separator in ("\t", ";"):
        if separator in line:
            return [part.strip() for part in line.split(separator)]
    return [part.strip() for part in line.split(",")]


def _number(text: str) -> float | None:
    cleaned = re.sub(r"[\s_\u00a0\u202f]", "", text).replace("\u2212", "-")
    try:
        return float(cleaned)
    except ValueError:
        return None


def counts_payload(text: str, metric: str) -> dict:
    """Pasted lines (name, units, conversions / mean, sd) as an analyze request."""
    columns = (
        ("units", "conversions") if metric == "binomial" else ("units", "mean", "sd")
    )
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    if len(lines) < 2:
        raise InputError("Paste at least two lines: the control first.", "counts")
    if len(lines) > MAX_PASTE_LINES:
        raise InputError(f"At most {MAX_PASTE_LINES} lines.", "counts")
    variants = []
    for number, line in enumerate(lines, start=1):
        parts = _split_line(line)
        if len(parts) != len(columns) + 1:
            raise InputError(
                f"Line {number}: expected {len(columns) + 1} values "
                f"(name, {', '.join(columns)}), found {len(parts)}.",
                "counts",
            )
        variant = {"name": parts[0]}
        for column, raw in zip(columns, parts[1:], strict=True):
            value = _number(raw)
            if value is None:
                raise InputError(
                    f"Line {number}: {column} must be a number, not “{raw[:30]}”.",
                    "counts",
                )
            variant[column] = value
        variants.append(variant)
    return {"metric": metric, "variants": variants}


def _line_error(error: InputError) -> str:
    """variants[1].conversions ... -> Line 2: conversions ..."""
    match = re.match(r"variants\[(\d+)\]\.?(\w*)", error.field or "")
    if not match:
        return error.message
    message = re.sub(r"variants\[\d+\]\.?", "", error.message).strip()
    return f"Line {int(match.group(1)) + 1}: {message}"


@bp.post("/calculator")
def calculate():
    form = request.form
    metric = (
        form.get("metric")
        if form.get("metric") in ("binomial", "continuous")
        else "binomial"
    )
    alpha = form.get("alpha", "0.05")
    report, errors = None, {}
    try:
        payload = counts_payload(form.get("counts", ""), metric)
        if alpha not in ("0.01", "0.05", "0.1"):
            raise InputError("Choose a significance level from the list.", "alpha")
        payload["alpha"] = float(alpha)
        report = stats.analyze(**parse_analyze(payload)).to_dict()
    except InputError as error:
        errors[error.field if error.field == "alpha" else "counts"] = _line_error(error)
    except stats.StatsInputError as error:
        errors["counts"] = error.message
    answer = {"form": form, "report": report, "errors": errors}
    return _calculator_answer("answer", not errors, answer)


class PlanForm(WebForm):
    """The planning form, in the page's own terms (percentages)."""

    baseline_rate = DecimalField(
        "Baseline rate", minimum=stats.MIN_BASELINE_RATE * 100, below=100
    )
    relative_mde = DecimalField(
        "Smallest lift", minimum=stats.MIN_RELATIVE_MDE * 100, maximum=10000
    )
    alpha = ChoiceField("Significance level", ("0.01", "0.05", "0.1"))
    power = ChoiceField("Power", ("0.8", "0.9"))
    variants = IntegerField("Variants", minimum=2, maximum=MAX_VARIANTS)
    units_per_sprint = IntegerField(
        "Units per sprint", minimum=1, maximum=MAX_COUNT, required=False
    )
    planned_looks = IntegerField(
        "Sprint looks planned", minimum=1, maximum=MAX_PLANNED_LOOKS, required=False
    )
    spending = ChoiceField("Spending", SPENDING, required=False)

    def cross_check(self) -> None:
        baseline, lift = self.baseline_rate.data, self.relative_mde.data
        if self.ok and baseline * (1 + lift / 100) >= 100:
            self.error("relative_mde", "Baseline plus this lift would pass 100%.")


@bp.post("/calculator/sample-size")
def plan():
    """The planning form, in the page's own terms (percentages)."""
    form = PlanForm()
    form.check()
    baseline, lift = form.baseline_rate.data, form.relative_mde.data
    alpha, power = form.alpha.data, form.power.data
    variants, traffic = form.variants.data, form.units_per_sprint.data
    looks, spending = form.planned_looks.data, form.spending.data
    plan = None
    if form.ok:
        plan = stats.sample_size(
            baseline_rate=baseline / 100,
            relative_mde=lift / 100,
            alpha=float(alpha),
            power=float(power),
            variants=variants,
            units_per_sprint=traffic,
            planned_looks=looks,
            spending=spending or "obrien_fleming",
        ).to_dict()
    answer = {"plan_form": request.form, "plan": plan, "plan_errors": form.problems}
    return _calculator_answer("plan", form.ok, answer)
