"""Reading the experiment form: the experiment, its variant rows and metric rows."""

from __future__ import annotations

import secrets

from wtforms import FormField

import stats
from auth.models import User
from content.models import ContentItem
from core.limits import (
    ALPHAS,
    MAX_COUNT,
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
from experiments.plan import PlanSummary, plan_summary
from web.fields import (
    ChoiceField,
    DecimalField,
    FlagField,
    IntegerField,
    RawField,
    TextField,
    article,
    parse_id,
)
from web.forms import KeyedFieldList, WebForm, row_keys, taken

HYPOTHESIS_TEMPLATE = (
    "We believe that [change] for [audience] will [outcome] because [insight]. "
    "We will know when [metric] moves by [amount]."
)


def new_row_key() -> str:
    return secrets.token_hex(4)


class _RowForm(WebForm):
    """One variant or metric row; the experiment form decides whether it is read."""

    id = RawField()
    remove = FlagField()
    name = TextField("Name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read = True

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) if self.read else True


class VariantRow(_RowForm):
    name = TextField("Variant name", max_length=MAX_VARIANT_NAME)
    share = DecimalField("Share", above=0, maximum=100)
    content_item_id = RawField()


class MetricRow(_RowForm):
    name = TextField("Metric name", max_length=100)
    kind = ChoiceField("Metric type", METRIC_KINDS)
    funnel_stage = ChoiceField("Funnel stage", FUNNEL_STAGES)
    owner = ChoiceField("Owner", METRIC_OWNERS)
    role = ChoiceField("Role", METRIC_ROLES)
    direction = ChoiceField("Direction", ("higher", "lower"))


class PlanFields(WebForm):
    """The plan: error rates, looks, baseline and smallest lift (percentages as
    typed), traffic per sprint. The experiment form and the plan preview share it."""

    planned_looks = IntegerField(
        "Planned sprint looks", minimum=1, maximum=MAX_PLANNED_LOOKS
    )
    alpha = ChoiceField("Significance level", ALPHAS)
    power = ChoiceField("Power", POWERS)
    relative_mde = DecimalField(
        "Smallest lift",
        minimum=stats.MIN_RELATIVE_MDE * 100,
        maximum=1000,
        required=False,
    )
    baseline_rate = DecimalField(
        "Baseline rate",
        minimum=stats.MIN_BASELINE_RATE * 100,
        below=100,
        required=False,
    )
    traffic_per_sprint = IntegerField(
        "Traffic per sprint", minimum=1, maximum=MAX_COUNT, required=False
    )

    def rates(self) -> dict[str, float | None]:
        """Baseline rate and smallest lift as fractions (typed as percentages)."""
        return {
            name: None if self[name].data is None else self[name].data / 100
            for name in ("relative_mde", "baseline_rate")
        }

    def plan(self, variants: int) -> PlanSummary | None:
        """What the plan needs, once its fields read cleanly (else None)."""
        if any(name in self.problems for name in PLAN_FIELDS):
            return None
        rates = self.rates()
        return plan_summary(
            rates["baseline_rate"],
            rates["relative_mde"],
            float(self.alpha.data),
            float(self.power.data),
            variants,
            self.planned_looks.data,
            self.traffic_per_sprint.data,
        )


PLAN_FIELDS = (
    "planned_looks", "alpha", "power", "relative_mde", "baseline_rate",
    "traffic_per_sprint",
)  # fmt: skip


class ExperimentForm(PlanFields):
    """The experiment with its plan, its variant rows and its metric rows.

    `check()` fills `values` (the experiment's columns), `variant_rows` and
    `metric_rows` (`Row`s: kept, new or to remove), which the writes take."""

    title = TextField("Title", max_length=200)
    hypothesis = TextField("Hypothesis", max_length=5000)
    channel = ChoiceField("Channel", CHANNELS)
    audience = TextField("Audience", required=False, max_length=200)
    assignment = ChoiceField("Assignment", ASSIGNMENTS)
    ice_impact = IntegerField("Impact", minimum=1, maximum=10)
    ice_confidence = IntegerField("Confidence", minimum=1, maximum=10)
    ice_ease = IntegerField("Ease", minimum=1, maximum=10)
    owner_id = RawField()
    start_sprint_id = RawField()
    parent_id = RawField()  # a new experiment following another up
    control = RawField()
    variants = KeyedFieldList(FormField(VariantRow))
    metrics = KeyedFieldList(FormField(MetricRow))

    def __init__(self, experiment: Experiment | None, **kwargs):
        super().__init__(**kwargs)
        self.experiment = experiment
        self.values: dict = {}
        self.variant_rows: list[Row] = []
        self.metric_rows: list[Row] = []

    def check(self) -> bool:
        e = self.experiment
        self.variant_ids = _sort_rows(
            self, self.variants, ("name", "share"), e and e.variants
        )
        self.metric_ids = _sort_rows(self, self.metrics, ("name",), e and e.metrics)
        return super().check()

    def cross_check(self) -> None:
        self.values = read_experiment(self)
        self.variant_rows = read_variants(self)
        self.metric_rows = read_metrics(self)


def _sort_rows(form: ExperimentForm, rows, fields: tuple[str, ...], stored) -> dict:
    """Mark each row read or not; the row ids by key (None for a new row).

    A row with an id the experiment does not have is refused; a new row left
    blank is dropped; a stored row marked for removal is not read."""
    known = {item.id for item in stored or ()}
    ids: dict[str, int | None] = {}
    for entry in rows.entries:
        row = entry.form
        row_id = parse_id(row.id.raw) if row.id.raw else None
        if row.id.raw and row_id not in known:
            form.error(
                row.id.name,
                "This row does not belong to the experiment; reload the page.",
            )
            row_id = None
        blank = not any(getattr(row, f).raw for f in fields)
        row.read = not (row_id is None and blank) and not (
            row_id is not None and row.remove.data
        )
        if row_id is not None or not blank:
            ids[entry.short_name] = row_id
    return ids


def read_experiment(form: ExperimentForm) -> dict:
    """The experiment's columns as read; problems across fields added to the form."""
    names = (
        "title", "hypothesis", "channel", "audience", "assignment", "ice_impact",
        "ice_confidence", "ice_ease", "planned_looks", "traffic_per_sprint",
    )  # fmt: skip
    values = form.field_data(*names)
    if values["hypothesis"] == HYPOTHESIS_TEMPLATE:
        form.error("hypothesis", "Fill in the hypothesis template's brackets.")
    for name in ("alpha", "power"):
        values[name] = float(getattr(form, name).data or 0) or None
    values.update(form.rates())
    if (
        values["relative_mde"] is not None
        and values["baseline_rate"] is not None
        and values["baseline_rate"] * (1 + values["relative_mde"]) >= 1
    ):
        form.error(
            "relative_mde", "Baseline plus this effect would exceed a 100% rate."
        )
    values["owner_id"] = _optional_id(form, form.owner_id, "Owner", User)
    values["start_sprint_id"] = _optional_id(
        form, form.start_sprint_id, "Start sprint", Sprint
    )
    if form.experiment is None:
        values["parent_id"] = _optional_id(
            form, form.parent_id, "Follow-up of", Experiment
        )
    title = values["title"]
    own_id = form.experiment.id if form.experiment else None
    if "title" not in form.problems and taken(
        Experiment.title, title, Experiment.id, own_id
    ):
        form.error("title", "An experiment with this title already exists.")
    return values


def _optional_id(form: WebForm, field: RawField, label: str, model) -> int | None:
    if not field.raw:
        return None
    row_id = parse_id(field.raw)
    if row_id is None or db.session.get(model, row_id) is None:
        form.error(field.name, f"Choose {article(label.lower())} from the list.")
        return None
    return row_id


def _unique_names(form: WebForm, rows, noun: str) -> None:
    names: set[str] = set()
    for entry in rows:
        lowered = (entry.form.name.data or "").lower()
        if lowered:
            if lowered in names:
                form.error(entry.form.name.name, f"Two {noun} have this name.")
            names.add(lowered)


def _rows(form: ExperimentForm, rows, ids: dict, read) -> list[Row]:
    """Rows in their order: removals, then the read ones through `read`."""
    out: list[Row] = []
    for entry in rows.entries:
        key = entry.short_name
        if key not in ids:
            continue
        if not entry.form.read:
            out.append(Row(key, ids[key], {}, remove=True))
        else:
            out.append(Row(key, ids[key], read(entry.form, key)))
    return out


def read_variants(form: ExperimentForm) -> list[Row]:
    """The variant rows; shares scaled to add up to exactly 1."""

    def read(row: VariantRow, key: str) -> dict:
        share = row.share.data
        return {
            "name": row.name.data,
            "planned_share": None if share is None else share / 100,
            "content_item_id": _optional_id(
                form, row.content_item_id, "Content item", ContentItem
            ),
            "is_control": form.control.raw == key,
        }

    rows = _rows(form, form.variants, form.variant_ids, read)
    _unique_names(form, [e for e in form.variants.entries if e.form.read], "variants")
    kept = [r for r in rows if not r.remove]
    if len(rows) > MAX_VARIANTS:
        form.error("variants", f"At most {MAX_VARIANTS} variants.")
    if kept:
        if not any(r.values["is_control"] for r in kept):
            form.error("variants", "Mark one variant as the control.")
        shares = [r.values["planned_share"] for r in kept]
        if all(s is not None for s in shares):
            total = sum(shares)
            if abs(total - 1) > SHARE_TOLERANCE:
                form.error(
                    "variants",
                    f"The planned shares add up to {total * 100:g}%; "
                    "they must add up to 100%.",
                )
            else:
                for row in kept:  # 33.3 x 3 is stored as exact thirds
                    row.values["planned_share"] /= total
    return rows


def read_metrics(form: ExperimentForm) -> list[Row]:
    """The metric rows; at most one primary metric."""

    def read(row: MetricRow, key: str) -> dict:
        fields = ("name", "kind", "funnel_stage", "owner", "role")
        values = row.field_data(*fields)
        values["higher_is_better"] = row.direction.data != "lower"
        return values

    rows = _rows(form, form.metrics, form.metric_ids, read)
    _unique_names(form, [e for e in form.metrics.entries if e.form.read], "metrics")
    kept = [r for r in rows if not r.remove]
    if len(rows) > MAX_METRICS:
        form.error("metrics", f"At most {MAX_METRICS} metrics.")
    if sum(1 for r in kept if r.values["role"] == "primary") > 1:
        form.error("metrics", "Only one metric can be the primary metric.")
    return rows


def submitted_rows(data, prefix: str) -> list[dict]:
    """The rows as the user sent them, to show again next to their errors."""
    rows = []
    for key in row_keys(data, prefix):
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
