"""Reading the experiment form: the experiment, its variant rows and metric rows."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func

import stats
from auth.models import User
from content.models import ContentItem
from core.limits import (
    ALPHAS,
    MAX_METRICS,
    MAX_PLANNED_LOOKS,
    MAX_VARIANT_NAME,
    MAX_VARIANTS,
    POWERS,
    SHARE_TOLERANCE,
)
from database import db
from experiments.editing import Row
from experiments.models import (
    ASSIGNMENTS,
    CHANNELS,
    FUNNEL_STAGES,
    METRIC_KINDS,
    METRIC_OWNERS,
    METRIC_ROLES,
    Experiment,
    Sprint,
)
from web.forms import (
    Form,
    article,
)

HYPOTHESIS_TEMPLATE = (
    "We believe that [change] for [audience] will [outcome] because [insight]. "
    "We will know when [metric] moves by [amount]."
)


def new_row_key() -> str:
    return secrets.token_hex(4)


def _row_keys(form: Form, prefix: str) -> list[str]:
    keys = []
    for name in form.data:
        match = re.fullmatch(rf"{prefix}-([0-9a-z]{{1,16}})-name", name)
        if match and match.group(1) not in keys:
            keys.append(match.group(1))
    return keys


def _row_id(form: Form, field: str, known: set[int]) -> int | None:
    if not form.raw(field):
        return None
    row_id = form.id(field)
    if row_id not in known:
        form.error(
            field, "This row does not belong to the experiment; reload the page."
        )
        return None
    return row_id


def _blank(form: Form, prefix: str, key: str, fields: tuple[str, ...]) -> bool:
    return not any(form.raw(f"{prefix}-{key}-{f}") for f in fields)


def read_experiment(form: Form, experiment: Experiment | None) -> dict:
    values = {
        "title": form.text("title", "Title", max_length=200),
        "hypothesis": form.text("hypothesis", "Hypothesis", max_length=5000),
        "channel": form.choice("channel", "Channel", CHANNELS),
        "audience": form.text("audience", "Audience", required=False, max_length=200),
        "assignment": form.choice("assignment", "Assignment", ASSIGNMENTS),
        "ice_impact": form.integer("ice_impact", "Impact", minimum=1, maximum=10),
        "ice_confidence": form.integer(
            "ice_confidence", "Confidence", minimum=1, maximum=10
        ),
        "ice_ease": form.integer("ice_ease", "Ease", minimum=1, maximum=10),
        "planned_looks": form.integer(
            "planned_looks",
            "Planned sprint looks",
            minimum=1,
            maximum=MAX_PLANNED_LOOKS,
        ),
    }
    if values["hypothesis"] == HYPOTHESIS_TEMPLATE:
        form.error("hypothesis", "Fill in the hypothesis template's brackets.")
    alpha = form.choice("alpha", "Significance level", ALPHAS)
    values["alpha"] = float(alpha) if alpha else None
    power = form.choice("power", "Power", POWERS)
    values["power"] = float(power) if power else None
    mde = form.number(
        "relative_mde",
        "Smallest lift",
        minimum=stats.MIN_RELATIVE_MDE * 100,
        maximum=1000,
        required=False,
    )
    values["relative_mde"] = None if mde is None else mde / 100
    baseline = form.number(
        "baseline_rate",
        "Baseline rate",
        minimum=stats.MIN_BASELINE_RATE * 100,
        below=100,
        required=False,
    )
    values["baseline_rate"] = None if baseline is None else baseline / 100
    if (
        values["relative_mde"] is not None
        and values["baseline_rate"] is not None
        and values["baseline_rate"] * (1 + values["relative_mde"]) >= 1
    ):
        form.error(
            "relative_mde", "Baseline plus this effect would exceed a 100% rate."
        )
    values["owner_id"] = _optional_id(form, "owner_id", "Owner", User)
    values["start_sprint_id"] = _optional_id(
        form, "start_sprint_id", "Start sprint", Sprint
    )
    title = values["title"]
    if "title" not in form.errors:
        query = db.select(Experiment.id).where(
            func.lower(Experiment.title) == title.lower()
        )
        if experiment is not None:
            query = query.where(Experiment.id != experiment.id)
        if db.session.execute(query).first():
            form.error("title", "An experiment with this title already exists.")
    return values


def _optional_id(form: Form, name: str, label: str, model) -> int | None:
    if not form.raw(name):
        return None
    row_id = form.id(name)
    if row_id is None or db.session.get(model, row_id) is None:
        form.error(name, f"Choose {article(label.lower())} from the list.")
        return None
    return row_id


def read_variants(form: Form, experiment: Experiment | None) -> list[Row]:
    known = {v.id for v in experiment.variants} if experiment else set()
    control_key = form.raw("control")
    rows: list[Row] = []
    names: set[str] = set()
    for key in _row_keys(form, "variants"):
        p = f"variants-{key}"
        row_id = _row_id(form, f"{p}-id", known)
        if row_id is None and _blank(form, "variants", key, ("name", "share")):
            continue
        if row_id is not None and form.flag(f"{p}-remove"):
            rows.append(Row(key, row_id, {}, remove=True))
            continue
        values = {
            "name": form.text(f"{p}-name", "Variant name", max_length=MAX_VARIANT_NAME),
            "planned_share": form.number(f"{p}-share", "Share", above=0, maximum=100),
            "content_item_id": _optional_id(
                form, f"{p}-content_item_id", "Content item", ContentItem
            ),
            "is_control": control_key == key,
        }
        if values["planned_share"] is not None:
            values["planned_share"] /= 100
        lowered = values["name"].lower()
        if lowered:
            if lowered in names:
                form.error(f"{p}-name", "Two variants have this name.")
            names.add(lowered)
        rows.append(Row(key, row_id, values))
    kept = [r for r in rows if not r.remove]
    if len(rows) > MAX_VARIANTS:
        form.error("variants", f"At most {MAX_VARIANTS} variants.")
    if kept:
        if not any(r.values["is_control"] for r in kept):
            form.error("variants", "Mark one variant as the control.")
        shares = [r.values["planned_share"] for r in kept]
        if (
            all(s is not None for s in shares)
            and abs(sum(shares) - 1) > SHARE_TOLERANCE
        ):
            form.error(
                "variants",
                f"The planned shares add up to {sum(shares) * 100:g}%; "
                "they must add up to 100%.",
            )
        elif all(s is not None for s in shares):
            total = sum(shares)
            for row in kept:  # 33.3 x 3 is stored as exact thirds
                row.values["planned_share"] /= total
    return rows


def read_metrics(form: Form, experiment: Experiment | None) -> list[Row]:
    known = {m.id for m in experiment.metrics} if experiment else set()
    rows: list[Row] = []
    names: set[str] = set()
    for key in _row_keys(form, "metrics"):
        p = f"metrics-{key}"
        row_id = _row_id(form, f"{p}-id", known)
        if row_id is None and _blank(form, "metrics", key, ("name",)):
            continue
        if row_id is not None and form.flag(f"{p}-remove"):
            rows.append(Row(key, row_id, {}, remove=True))
            continue
        direction = form.choice(f"{p}-direction", "Direction", ("higher", "lower"))
        values = {
            "name": form.text(f"{p}-name", "Metric name", max_length=100),
            "kind": form.choice(f"{p}-kind", "Metric type", METRIC_KINDS),
            "funnel_stage": form.choice(
                f"{p}-funnel_stage", "Funnel stage", FUNNEL_STAGES
            ),
            "owner": form.choice(f"{p}-owner", "Owner", METRIC_OWNERS),
            "role": form.choice(f"{p}-role", "Role", METRIC_ROLES),
            "higher_is_better": direction != "lower",
        }
        lowered = values["name"].lower()
        if lowered:
            if lowered in names:
                form.error(f"{p}-name", "Two metrics have this name.")
            names.add(lowered)
        rows.append(Row(key, row_id, values))
    kept = [r for r in rows if not r.remove]
    if len(rows) > MAX_METRICS:
        form.error("metrics", f"At most {MAX_METRICS} metrics.")
    if sum(1 for r in kept if r.values["role"] == "primary") > 1:
        form.error("metrics", "Only one metric can be the primary metric.")
    return rows


def submitted_rows(data, prefix: str) -> list[dict]:
    """The rows as the user sent them, to show again next to their errors."""
    form = Form(data)
    rows = []
    for key in _row_keys(form, prefix):
        fields = {
            name[len(f"{prefix}-{key}-") :]: value
            for name, value in data.items()
            if name.startswith(f"{prefix}-{key}-")
        }
        rows.append({"key": key, **fields})
    return rows


def variant_rows(experiment: Experiment | None, data=None) -> list[dict]:
    """Variant rows for the form: as submitted, as stored, or A/B for a new one."""
    if data is not None:
        rows = submitted_rows(data, "variants")
        for row in rows:
            row["control"] = data.get("control") == row["key"]
        return rows
    if experiment is None:
        return [
            {"key": new_row_key(), "name": "A", "share": "50", "control": True},
            {"key": new_row_key(), "name": "B", "share": "50", "control": False},
        ]
    return [
        {
            "key": f"id{v.id}",
            "id": str(v.id),
            "name": v.name,
            "share": f"{v.planned_share * 100:g}",
            "content_item_id": str(v.content_item_id or ""),
            "control": v.is_control,
        }
        for v in experiment.variants
    ]


def metric_rows(experiment: Experiment | None, data=None) -> list[dict]:
    if data is not None:
        return submitted_rows(data, "metrics")
    if experiment is None:
        return [
            {
                "key": new_row_key(),
                "name": "",
                "kind": "binomial",
                "funnel_stage": "lead",
                "owner": "marketing",
                "role": "primary",
                "direction": "higher",
            }
        ]
    return [
        {
            "key": f"id{m.id}",
            "id": str(m.id),
            "name": m.name,
            "kind": m.kind,
            "funnel_stage": m.funnel_stage,
            "owner": m.owner,
            "role": m.role,
            "direction": "higher" if m.higher_is_better else "lower",
        }
        for m in experiment.metrics
    ]
