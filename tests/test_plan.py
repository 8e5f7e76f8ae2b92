"""The plan in figures: units per variant, sprints needed, looks that meet it."""

import pytest

import stats
from experiments.plan import NO_SAMPLE_SIZE, plan_summary


def test_the_plan_needs_the_inflated_units_and_the_sprints_of_its_traffic():
    summary = plan_summary(0.05, 0.2, 0.05, 0.8, 2, 4, traffic_per_sprint=4000)
    size = stats.sample_size(0.05, 0.2, planned_looks=4, units_per_sprint=4000)
    assert summary.units_per_variant == size.units_per_variant
    assert summary.sprints_needed == size.sprints_needed == 5  # 2 x 8,321 / 4,000
    assert summary.warning == (
        "At 4,000 units a sprint the planned sample takes about 5 sprints, but the "
        "plan has 4 looks: the last look comes before the planned sample, so the "
        "test would end short of its power. Plan 5 looks, or find more traffic per "
        "sprint."
    )


def test_more_looks_than_sprints_needed_says_where_the_plan_ends():
    summary = plan_summary(0.05, 0.2, 0.05, 0.8, 2, 8, traffic_per_sprint=20_000)
    assert summary.sprints_needed == 1
    assert summary.warning == (
        "At 20,000 units a sprint the planned sample takes about 1 sprint, before "
        "the 8 planned looks: the plan ends at look 1 and later looks cannot change "
        "the verdict. Plan 1 look."
    )


def test_looks_that_meet_the_sample_need_no_warning():
    size = stats.sample_size(0.05, 0.2, planned_looks=3)
    traffic = -(-size.total_units // 3)  # three sprints exactly
    summary = plan_summary(0.05, 0.2, 0.05, 0.8, 2, 3, traffic_per_sprint=traffic)
    assert summary.sprints_needed == 3 and summary.warning is None


@pytest.mark.parametrize(("baseline", "lift"), [(None, 0.2), (0.05, None)])
def test_without_baseline_or_lift_there_is_no_sample_size(baseline, lift):
    summary = plan_summary(baseline, lift, 0.05, 0.8, 2, 4, traffic_per_sprint=1000)
    assert summary.units_per_variant is None and summary.sprints_needed is None
    assert summary.warning == NO_SAMPLE_SIZE


def test_the_form_previews_the_plan_as_it_is_typed(client, login):
    login(client, "marketing")
    args = {"alpha": "0.05", "power": "0.8", "planned_looks": "4",
            "baseline_rate": "5", "relative_mde": "20",
            "traffic_per_sprint": "4,000", "variants-a1-name": "A",
            "variants-b2-name": "B", "variants-c3-name": "C"}  # fmt: skip
    response = client.get("/experiments/plan", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    three = stats.sample_size(0.05, 0.2, variants=3, planned_looks=4,
                              units_per_sprint=4000)  # fmt: skip
    assert (
        f"The plan needs <strong>{three.units_per_variant:,}</strong> units per "
        f"variant: about <strong>{three.sprints_needed} sprints</strong>"
    ) in html
    assert "Plan 4 looks" not in html and "plan-warning" in html


def test_a_bad_plan_field_in_the_preview_is_named_not_crashed(client, login):
    login(client, "marketing")
    args = {"alpha": "0.05", "power": "0.8", "planned_looks": "4",
            "traffic_per_sprint": "lots"}  # fmt: skip
    response = client.get("/experiments/plan", query_string=args)
    assert response.status_code == 422
    assert "Traffic per sprint must be a whole number, not “lots”." in (
        response.get_data(as_text=True)
    )


def test_the_saved_plan_shows_its_sprints_and_warning(
    client, app, login, make_experiment
):
    with app.app_context():
        experiment_id = make_experiment(
            baseline_rate=0.05, relative_mde=0.2, planned_looks=4,
            traffic_per_sprint=4000,
        ).id  # fmt: skip
    login(client, "marketing")
    html = client.get(f"/experiments/{experiment_id}").get_data(as_text=True)
    assert "<dt>Sprints needed</dt><dd>5</dd>" in html
    assert "<dt>Traffic / sprint</dt><dd>4,000</dd>" in html
    assert "Plan 5 looks, or find more traffic per sprint." in html


def test_the_form_stores_the_traffic_as_typed(client, app, login):
    from database import db
    from experiments.models import Experiment
    from helpers import form_data

    login(client, "marketing")
    response = client.post("/experiments", data=form_data(traffic_per_sprint="4,000"))
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.execute(db.select(Experiment.traffic_per_sprint)).scalar()
    assert stored == 4000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Traffic per sprint must be at least 1."),
        ("many", "Traffic per sprint must be a whole number, not “many”."),
        ("1,000,000,000,001", "Traffic per sprint must be at most 1,000,000,000,000."),
    ],
)
def test_impossible_traffic_is_refused_next_to_the_field(client, app, login, typed,
                                                         message):  # fmt: skip
    from database import db
    from experiments.models import Experiment
    from helpers import form_data

    login(client, "marketing")
    response = client.post("/experiments", data=form_data(traffic_per_sprint=typed))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Experiment.id))).scalar() == 0
