"""The domain functions: each write rule, without a request."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from auth.accounts import create_user, find_user
from auth.forms import UserForm
from content.library import item_problems, save_item
from content.models import ContentVersion, Feedback
from core.limits import MAX_SPRINT_DAYS
from database import db
from experiments.calendar import create_sprint, sprint_problems
from experiments.editing import (
    Row,
    decision_problems,
    edit_problems,
    record_decision,
    save_experiment,
    set_status,
)
from experiments.entry import add_feedback, feedback_problems, record_result
from experiments.models import PlannedSplit, Result, ResultEdit

ROOT = Path(__file__).resolve().parent.parent
CELL = {"units": 100, "conversions": 5, "value_mean": None, "value_m2": None}


def trail() -> list[tuple]:
    rows = db.session.execute(db.select(ResultEdit).order_by(ResultEdit.id)).scalars()
    return [
        (e.source, e.changed_by_id, e.old_units, e.old_conversions)
        + (e.new_units, e.new_conversions)
        for e in rows
    ]


def rows_of(experiment, **shares) -> list[Row]:
    return [
        Row(
            v.name,
            v.id,
            {
                "name": v.name,
                "planned_share": shares.get(v.name, v.planned_share),
                "is_control": v.is_control,
                "content_item_id": None,
            },
        )
        for v in experiment.variants
    ]


def metric_rows_of(experiment, remove=()) -> list[Row]:
    return [
        Row(m.name, m.id, {"role": m.role, "kind": m.kind}, m.name in remove)
        for m in experiment.metrics
    ]


def test_record_result_writes_a_trail_row_with_old_and_new_values(
    ctx, make_experiment, make_sprint, make_user
):
    experiment, sprint, user = make_experiment(), make_sprint(), make_user()
    variant, metric = experiment.variants[0], experiment.metrics[0]
    record_result(variant.id, sprint.id, metric.id, CELL, "form", user.id)
    changed = CELL | {"units": 120, "conversions": 6}
    result = record_result(variant.id, sprint.id, metric.id, changed, "csv")
    db.session.commit()
    assert (result.units, result.conversions, result.source) == (120, 6, "csv")
    assert trail() == [
        ("form", user.id, None, None, 100, 5),
        ("csv", None, 100, 5, 120, 6),
    ]


def test_record_result_with_unchanged_values_leaves_no_trail(
    ctx, make_experiment, make_sprint
):
    experiment, sprint = make_experiment(), make_sprint()
    ids = (experiment.variants[0].id, sprint.id, experiment.metrics[0].id)
    record_result(*ids, CELL, "form")
    record_result(*ids, dict(CELL), "form")
    db.session.commit()
    assert len(trail()) == 1


def test_edit_problems_keep_rows_with_results_and_a_live_primary(
    ctx, add_result, make_experiment, make_sprint
):
    experiment, sprint = make_experiment(), make_sprint()
    a, b = experiment.variants
    add_result(a.id, sprint.id, experiment.metrics[0].id)
    db.session.commit()
    variants = rows_of(experiment)
    variants[0].remove = True
    problems = edit_problems(
        experiment, variants, metric_rows_of(experiment, remove=("Open rate",))
    )
    assert problems == {
        "variants-A-name": "Has results; it cannot be removed.",
        "metrics-Open rate-name": "Has results; it cannot be removed.",
        "metrics": "A running experiment needs its primary metric.",
    }


def test_save_experiment_creates_an_idea_and_freezes_a_changed_split(
    ctx, add_result, make_experiment, make_sprint
):
    new = save_experiment(
        None, {"title": "T", "hypothesis": "H", "channel": "email"}, [], []
    )
    db.session.commit()
    assert new.status == "idea"
    experiment, sprint = make_experiment(), make_sprint()
    a, b = experiment.variants
    add_result(a.id, sprint.id, experiment.metrics[0].id)
    db.session.commit()
    save_experiment(experiment, {}, rows_of(experiment, A=0.7, B=0.3), [])
    db.session.commit()
    frozen = db.session.execute(
        db.select(PlannedSplit.variant_id, PlannedSplit.sprint_id, PlannedSplit.share)
    ).all()
    assert sorted(frozen) == [(a.id, sprint.id, 0.5), (b.id, sprint.id, 0.5)]
    assert [v.planned_share for v in experiment.variants] == [0.7, 0.3]


def test_set_status_follows_the_transitions(ctx, make_experiment):
    experiment = make_experiment(status="idea")
    assert set_status(experiment, "unknown") == ["Choose a known status."]
    assert set_status(experiment, "running") == [
        "An experiment cannot go from idea to running."
    ]
    assert set_status(experiment, "planned") == []
    assert experiment.status == "planned"
    experiment.variants = experiment.variants[:1]
    assert set_status(experiment, "running") == [
        "Add at least one challenger variant.",
        "The planned traffic shares must add up to 100%.",
    ]
    assert experiment.status == "planned"


def test_a_decided_experiment_cannot_go_back_to_idea(ctx, make_experiment):
    experiment = make_experiment(status="archived", decision="stop")
    assert set_status(experiment, "idea") == [
        "A decided experiment stays decided; to test the idea again, create a new "
        "experiment."
    ]


def test_record_decision_decides_a_running_experiment(ctx, make_experiment, make_user):
    user = make_user("lead")
    idea, running = make_experiment(status="idea"), make_experiment(title="R")
    assert decision_problems(idea) == {
        "decision": "Only a running or analyzed experiment can be decided."
    }
    assert decision_problems(running) == {}
    record_decision(running, "ship", "Won", "Outcomes sell", user.id)
    assert (running.status, running.decision, running.decided_by_id) == (
        "decided",
        "ship",
        user.id,
    )
    with pytest.raises(ValueError):
        record_decision(running, "maybe", "", "", user.id)


def test_sprint_problems_name_each_broken_rule(ctx, make_sprint):
    first = make_sprint(1, start=date(2026, 1, 5))
    day = first.start_date
    assert sprint_problems("Sprint 9", day, day - timedelta(days=1)) == {
        "end_date": "The end date must be on or after the start date."
    }
    too_long = day + timedelta(days=MAX_SPRINT_DAYS + 1)
    assert sprint_problems("Sprint 9", day, too_long) == {
        "end_date": f"A sprint lasts at most {MAX_SPRINT_DAYS} days."
    }
    assert sprint_problems("sprint 1", day, day) == {
        "start_date": "These dates overlap Sprint 1.",
        "name": "A sprint with this name already exists.",
    }
    later = first.end_date + timedelta(days=1)
    assert sprint_problems("Sprint 2", later, later + timedelta(days=13)) == {}
    assert create_sprint("Sprint 2", later, later, "Goal").goal == "Goal"


def test_save_item_keeps_the_old_wording_as_a_version(ctx, make_user):
    user = make_user()
    values = {
        "kind": "headline",
        "title": "Old",
        "body": "b",
        "call_to_action": "",
        "persona": "",
        "funnel_stage": None,
        "tags": ["b", "a"],
    }
    item = save_item(None, values, user.id)
    db.session.commit()
    assert (item.version, item.tag_names) == (1, ["a", "b"])
    assert item_problems({"title": "OLD"}, None) == {
        "title": "A content item with this title already exists."
    }
    assert item_problems({"title": "Old"}, item) == {}
    save_item(item, values | {"persona": "CFO"}, user.id)  # not the wording
    save_item(item, values | {"persona": "CFO", "title": "New"}, user.id)
    db.session.commit()
    versions = db.session.execute(db.select(ContentVersion)).scalars().all()
    assert [(v.version, v.title, v.saved_by_id) for v in versions] == [
        (1, "Old", user.id)
    ]
    assert (item.version, item.title, item.persona) == (2, "New", "CFO")


def test_feedback_names_a_variant_of_the_experiment_and_a_sprint(
    ctx, make_experiment, make_sprint, make_user
):
    sprint = make_sprint()
    experiment, other = (
        make_experiment(start_sprint_id=sprint.id),
        make_experiment(title="O"),
    )
    user = make_user("sales")
    assert feedback_problems(experiment, other.variants[0].id, None) == {
        "variant_id": "Choose the variant the leads came from.",
        "sprint_id": "Choose a sprint.",
    }
    variant = experiment.variants[1]
    assert feedback_problems(experiment, variant.id, sprint.id) == {}
    values = {
        "lead_quality": 4,
        "sentiment": "positive",
        "outcome": "open",
        "objections": "price",
        "text": "",
    }
    add_feedback(variant.id, sprint.id, values, user.id)
    db.session.commit()
    note = db.session.execute(db.select(Feedback)).scalar_one()
    assert (note.variant_id, note.author_id, note.objection_list) == (
        variant.id,
        user.id,
        ["price"],
    )


def test_create_user_applies_the_account_rules(ctx):
    create_user("Ann", "ann@example.com", "sales", "long enough")
    db.session.commit()
    assert find_user(" ANN@example.com ").check_password("long enough")
    form = UserForm(
        formdata=MultiDict({"name": "B", "email": "Ann@example.com", "role": "sales"})
    )
    assert not form.check()
    assert form.problems == {
        "password": "The password needs at least 8 characters.",
        "email": "A user with this email already exists.",
    }


def test_every_demo_result_has_its_trail_row(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        results = db.session.execute(db.select(Result)).scalars().all()
        edits = db.session.execute(db.select(ResultEdit)).scalars().all()
        assert len(results) == len(edits) == 74
        assert {e.result_id for e in edits} == {r.id for r in results}
        assert {(e.source, e.old_units) for e in edits} == {("demo", None)}
        assert all(
            (e.new_units, e.new_conversions) == (r.units, r.conversions)
            for e, r in zip(
                sorted(edits, key=lambda e: e.result_id),
                sorted(results, key=lambda r: r.id),
                strict=True,
            )
        )


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update(a.name for a in node.names)
    return modules


VIEWS = {
    "api.views",
    "auth.views",
    "content.views",
    "experiments.views",
    "experiments.results",
    "experiments.feedback",
    "experiments.sprints",
    "experiments.dashboard",
    "experiments.sprint_entry",
}


def test_only_run_py_imports_a_views_module():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & VIEWS)
        for folder in ("api", "auth", "content", "core", "demo", "experiments", "web")
        for path in (ROOT / folder).glob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_content_does_not_import_experiments():
    imports = set().union(
        *(imported_modules(p) for p in (ROOT / "content").glob("*.py"))
    )
    assert sorted(m for m in imports if m.startswith("experiments")) == []
