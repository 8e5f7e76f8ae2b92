"""Demo data: the team in demo/team.toml, written through the domain functions.

Deterministic: the counts come from a seeded generator, the sprints end in the one
that contains today, so the dashboard always has a current sprint. Every write goes
through the same functions as the app's forms, so the demo's results carry their
audit trail (source "demo") like any other entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np

from auth.accounts import create_user
from auth.models import User
from content.library import save_item
from content.models import ContentItem
from core.clock import today, utcnow
from database import db
from experiments.calendar import create_sprint, sprint_problems
from experiments.editing import Row, record_decision, save_experiment, set_status
from experiments.entry import add_feedback, record_result
from experiments.models import Experiment, Sprint

TEAM_FILE = Path(__file__).with_name("team.toml")
TEAM = tomllib.loads(TEAM_FILE.read_text(encoding="utf-8"))
SEED: int = TEAM["seed"]
DEMO_PASSWORD: str = TEAM["password"]
DEMO_USERS = [(u["email"], u["role"]) for u in TEAM["users"]]
SPRINT_DAYS = 14
# The statuses an experiment passes through, from an idea, to reach each status.
STATUS_PATHS = {
    "idea": (),
    "planned": ("planned",),
    "running": ("planned", "running"),
    "analyzing": ("planned", "running", "analyzing"),
    "decided": ("planned", "running"),  # then the decision
    "archived": ("archived",),
}


@dataclass
class Team:
    """What has been loaded so far, by the names team.toml uses."""

    users: dict[str, User] = field(default_factory=dict)
    sprints: dict[int, Sprint] = field(default_factory=dict)
    content: dict[str, ContentItem] = field(default_factory=dict)
    experiments: list[Experiment] = field(default_factory=list)


def load() -> None:
    """Insert the demo team's data; call on an empty database."""
    rng = np.random.default_rng(SEED)
    team = Team()
    for spec in TEAM["users"]:
        user = create_user(spec["name"], spec["email"], spec["role"], DEMO_PASSWORD)
        team.users[spec["role"]] = user
    _sprints(team)
    _content(team)
    db.session.flush()
    for spec in TEAM["experiments"]:
        team.experiments.append(_experiment(spec, team, rng))
    db.session.flush()
    _reword(team)
    _feedback(team)
    db.session.commit()


def _sprints(team: Team) -> None:
    """Six two-week sprints, the last one containing today."""
    current_start = today() - timedelta(days=today().weekday() + 7)
    count = len(TEAM["sprints"])
    for number, spec in enumerate(TEAM["sprints"], start=1):
        start = current_start - timedelta(days=SPRINT_DAYS * (count - number))
        end = start + timedelta(days=SPRINT_DAYS - 1)
        name = f"Sprint {number}"
        _check(sprint_problems(name, start, end), name)
        team.sprints[number] = create_sprint(name, start, end, spec["goal"])
        db.session.flush()


def _content_values(spec: dict) -> dict:
    return {
        k: spec[k]
        for k in ("kind", "title", "body", "call_to_action", "persona")
        + ("funnel_stage", "tags")
    }


def _content(team: Team) -> None:
    """The library; an item with `previous` wording starts with it (version 1)."""
    for spec in TEAM["content"]:
        values = _content_values(spec) | spec.get("previous", {})
        team.content[spec["key"]] = save_item(None, values, None)


def _reword(team: Team) -> None:
    """Items with `previous` wording are sharpened after the experiments started:
    those keep the version they tested (version 1), the library holds version 2."""
    for spec in TEAM["content"]:
        if "previous" in spec:
            db.session.flush()
            save_item(team.content[spec["key"]], _content_values(spec), None)


def _experiment(spec: dict, team: Team, rng: np.random.Generator) -> Experiment:
    """Create the experiment, walk it to its status, enter results, decide."""
    window = spec.get("sprints")
    owner = team.users["sales" if spec["channel"] == "sales_call" else "marketing"]
    values = {
        "title": spec["title"],
        "hypothesis": spec["hypothesis"],
        "channel": spec["channel"],
        "audience": spec["audience"],
        "assignment": spec.get("assignment", "randomized"),
        "owner_id": owner.id,
        "ice_impact": spec["ice"][0],
        "ice_confidence": spec["ice"][1],
        "ice_ease": spec["ice"][2],
        "relative_mde": spec.get("mde"),
        "baseline_rate": spec.get("baseline"),
        "planned_looks": 4,
        # The traffic the results are drawn with: a sprint's units, all variants.
        "traffic_per_sprint": spec.get("traffic"),
        "start_sprint_id": team.sprints[window[0]].id if window else None,
    }
    history = spec.get("split_history")
    shares = history[0] if history else [v["share"] for v in spec["variants"]]
    metrics = [
        Row(
            str(i),
            None,
            {k: m[k] for k in ("name", "kind", "funnel_stage")}
            | {"owner": m["owner"], "role": m["role"]},
        )
        for i, m in enumerate(spec["metrics"])
    ]
    experiment = save_experiment(
        None, values, _variant_rows(spec, team, shares), metrics
    )
    db.session.flush()
    for target in STATUS_PATHS[spec["status"]]:
        _check(set_status(experiment, target), spec["title"])
    if window:
        _results(experiment, spec, team, rng)
    if spec.get("decision"):
        record_decision(
            experiment,
            spec["decision"],
            spec["reason"],
            spec["learning"],
            team.users["lead"].id,
            utcnow() - timedelta(days=SPRINT_DAYS * (len(team.sprints) - window[1])),
        )
    return experiment


def _variant_rows(spec: dict, team: Team, shares, existing=None) -> list[Row]:
    """The spec's variants at these shares; the first is the control."""
    return [
        Row(
            str(i),
            existing[i].id if existing else None,
            {
                "name": v["name"],
                "content_item_id": team.content[v["content"]].id,
                "planned_share": share,
                "is_control": i == 0,
            },
        )
        for i, (v, share) in enumerate(zip(spec["variants"], shares, strict=True))
    ]


def _resplit(experiment: Experiment, spec: dict, team: Team, shares) -> None:
    """Change the planned split as a user would: the old one is frozen."""
    metrics = [
        Row(str(m.id), m.id, {"role": m.role, "kind": m.kind})
        for m in experiment.metrics
    ]
    variants = _variant_rows(spec, team, shares, experiment.variants)
    save_experiment(experiment, {}, variants, metrics)
    db.session.flush()


def _results(experiment: Experiment, spec: dict, team: Team, rng) -> None:
    """Draw each sprint's counts from the true rates and enter them."""
    history = spec.get("split_history")
    first, last = spec["sprints"]
    for look, number in enumerate(range(first, last + 1)):
        sprint = team.sprints[number]
        shares = history[look] if history else [v["share"] for v in spec["variants"]]
        current = [v.planned_share for v in experiment.variants]
        if not np.allclose(shares, current):
            _resplit(experiment, spec, team, shares)
        actual = np.array(spec.get("skew", shares))
        units = rng.multinomial(spec["traffic"], actual / actual.sum())
        for metric, metric_spec in zip(
            experiment.metrics, spec["metrics"], strict=True
        ):
            for variant, values in zip(
                experiment.variants, _cells(metric_spec, units, rng), strict=True
            ):
                record_result(variant.id, sprint.id, metric.id, values, "demo")


def _cells(metric: dict, units, rng: np.random.Generator) -> list[dict]:
    """One sprint's stored figures per variant for this metric."""
    if metric["kind"] == "binomial":
        return [
            {
                "units": int(n),
                "conversions": int(rng.binomial(n, rate)),
                "value_mean": None,
                "value_m2": None,
            }
            for n, rate in zip(units, metric["rates"], strict=True)
        ]
    cells = []
    for n, mean in zip(units, metric["means"], strict=True):
        values = rng.normal(mean, metric["sd"], size=int(n))
        cells.append(
            {
                "units": int(n),
                "conversions": None,
                "value_mean": float(values.mean()) if n else 0.0,
                "value_m2": float(((values - values.mean()) ** 2).sum()) if n else 0.0,
            }
        )
    return cells


def _feedback(team: Team) -> None:
    """Sales' notes, dated on day 9 of their sprint (never in the future)."""
    for spec in TEAM["feedback"]:
        experiment = team.experiments[spec["experiment"]]
        variant = next(v for v in experiment.variants if v.name == spec["variant"])
        sprint = team.sprints[spec["sprint"]]
        values = {
            "lead_quality": spec["lead_quality"],
            "sentiment": spec["sentiment"],
            "objections": ",".join(spec["objections"]),
            "outcome": spec["outcome"],
            "text": spec["text"],
        }
        created_at = min(
            datetime.combine(sprint.start_date + timedelta(days=9), time(15)),
            utcnow(),
        )
        add_feedback(variant.id, sprint.id, values, team.users["sales"].id, created_at)


def _check(problems, what: str) -> None:
    """The demo data obeys the app's rules; a broken team.toml fails loudly."""
    if problems:
        raise ValueError(f"Demo data for {what}: {problems}")
