"""Public statistics: the JSON API and the calculator page. No login, no stored data."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

import stats
from api.schema import (
    InputError,
    parse_analyze,
    parse_boundaries,
    parse_sample_size,
)
from core.limits import MAX_COUNT, MAX_VARIANTS
from web.fields import ChoiceField, DecimalField, IntegerField
from web.forms import WebForm
from web.render import render

bp = Blueprint("api", __name__)

MAX_PASTE_LINES = 20


def _json_error(error: InputError):
    return jsonify(error.to_dict()), error.status


def _json_body():
    if not request.is_json:
        raise InputError(
            "Send a JSON body with Content-Type: application/json.", None, 400
        )
    payload = request.get_json(silent=True)
    if payload is None:
        raise InputError("The request body is not valid JSON.", None, 400)
    return payload


def _run(parse, compute):
    try:
        arguments = parse(_json_body())
        return jsonify(compute(arguments).to_dict())
    except InputError as error:
        return _json_error(error)
    except stats.StatsInputError as error:
        return _json_error(InputError(error.message, error.field))


@bp.post("/api/v1/analyze")
def analyze():
    return _run(parse_analyze, lambda args: stats.analyze(**args))


@bp.post("/api/v1/boundaries")
def boundaries():
    return _run(parse_boundaries, lambda args: stats.boundaries(**args))


@bp.post("/api/v1/sample-size")
def sample_size():
    return _run(parse_sample_size, lambda args: stats.sample_size(**args))


EXAMPLE_COUNTS = "A, 1000, 50\nB, 1000, 65"
PLAN_DEFAULTS = {"baseline_rate": "5", "relative_mde": "20", "alpha": "0.05",
                 "power": "0.8", "variants": "2"}  # fmt: skip


@bp.get("/calculator")
def calculator():
    """The calculator, showing the answer for its example counts."""
    example = stats.analyze(**parse_analyze(counts_payload(EXAMPLE_COUNTS, "binomial")))
    return render(
        "api/calculator.html",
        form={"counts": EXAMPLE_COUNTS, "metric": "binomial", "alpha": "0.05"},
        plan_form=PLAN_DEFAULTS,
        report=example.to_dict(),
        errors={},
        plan=None,
        plan_errors={},
    )


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
    return render(
        "api/calculator.html",
        "answer",
        status=422 if errors else 200,
        form=form,
        report=report,
        errors=errors,
        plan_form=PLAN_DEFAULTS,
        plan=None,
        plan_errors={},
    )


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
    plan = None
    if form.ok:
        plan = stats.sample_size(
            baseline_rate=baseline / 100,
            relative_mde=lift / 100,
            alpha=float(alpha),
            power=float(power),
            variants=variants,
            units_per_sprint=traffic,
        ).to_dict()
    return render(
        "api/calculator.html",
        "plan",
        status=200 if form.ok else 422,
        plan_form=request.form,
        plan=plan,
        plan_errors=form.problems,
    )
