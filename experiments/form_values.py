"""What the experiment form starts with: a stored experiment's fields, a new
one's defaults, or the follow-up of an experiment ("iterate"): a new idea
pre-filled from it (fields, variants and metrics as new rows, the hypothesis to
edit) that remembers which experiment it follows up, so a chain of tests on one
message reads as a lineage.
"""

from __future__ import annotations

from flask_login import current_user

from content.models import CONTENT_KINDS
from experiments.calendar import current_sprint
from experiments.forms import new_row_key
from experiments.models import CHANNELS, Experiment


def experiment_values(experiment: Experiment | None) -> dict:
    """The form's fields: of a stored experiment, or a new one's defaults."""
    if experiment is None:
        sprint = current_sprint()
        return {
            "assignment": "randomized",
            "ice_impact": 5,
            "ice_confidence": 5,
            "ice_ease": 5,
            "alpha": "0.05",
            "power": "0.8",
            "planned_looks": 4,
            "owner_id": str(current_user.id),
            "start_sprint_id": str(sprint.id) if sprint else "",
        }
    e = experiment
    return {
        "title": e.title,
        "hypothesis": e.hypothesis,
        "channel": e.channel,
        "audience": e.audience,
        "assignment": e.assignment,
        "ice_impact": e.ice_impact,
        "ice_confidence": e.ice_confidence,
        "ice_ease": e.ice_ease,
        "alpha": f"{e.alpha:g}",
        "power": f"{e.power:g}",
        "relative_mde": "" if e.relative_mde is None else f"{e.relative_mde * 100:g}",
        "baseline_rate": ""
        if e.baseline_rate is None
        else f"{e.baseline_rate * 100:g}",
        "planned_looks": e.planned_looks,
        "traffic_per_sprint": e.traffic_per_sprint or "",
        "owner_id": str(e.owner_id or ""),
        "start_sprint_id": str(e.start_sprint_id or ""),
    }


def follow_up_values(parent: Experiment) -> dict:
    """The new form's fields from `parent`: its plan and audience, a title that
    says what it is, this user as the owner, the current sprint to start in."""
    sprint = current_sprint()
    return experiment_values(parent) | {
        "title": f"{parent.title} (follow-up)"[:200],
        "owner_id": str(current_user.id),
        "start_sprint_id": str(sprint.id) if sprint else "",
        "parent_id": str(parent.id),
    }


def as_new_rows(rows: list[dict]) -> list[dict]:
    """Stored rows as rows of a new form: new keys, no ids."""
    return [
        {k: v for k, v in row.items() if k != "id"} | {"key": new_row_key()}
        for row in rows
    ]


# The content kinds each channel uses, offered first in the variant's picker.
CHANNEL_KINDS = {
    "email": ("email_subject", "email_body"),
    "landing_page": ("landing_page", "headline"),
    "website": ("headline", "landing_page"),
    "ads": ("ad", "headline"),
    "linkedin": ("social_post", "ad"),
    "sales_call": ("sales_script", "one_pager"),
    "event": ("one_pager", "sales_script"),
}


def content_groups(items, channel: str) -> list[tuple[str, list]]:
    """The library for a variant's picker: by kind, the kinds the channel uses
    first (marked), each by title."""
    suited = CHANNEL_KINDS.get(channel, ())
    by_kind: dict[str, list] = {}
    for item in sorted(items, key=lambda i: i.title.lower()):
        by_kind.setdefault(item.kind, []).append(item)
    order = [k for k in suited if k in by_kind] + [
        k for k in CONTENT_KINDS if k in by_kind and k not in suited
    ]
    return [
        (CONTENT_KINDS[k] + (f" · for {CHANNELS[channel]}" if k in suited else ""),
         by_kind[k])
        for k in order
    ]  # fmt: skip
