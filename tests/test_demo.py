"""The demo data: every scenario the README promises, deterministic, loaded once."""

import re

import pytest

from auth.models import User
from content.models import Feedback
from database import db
from experiments.analysis import analyze_experiments
from experiments.models import (
    STATUSES,
    Experiment,
    Metric,
    PlannedSplit,
    Result,
    Sprint,
)


@pytest.fixture
def seeded(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_prints_the_logins(seeded):
    for email in (
        "marketing@example.com",
        "sales@example.com",
        "lead@example.com",
        "viewer@example.com",
    ):
        assert email in seeded
    assert "password: demo" in seeded


def test_seed_does_not_load_twice(seeded, runner, app):
    again = runner.invoke(args=["seed-demo"])
    assert "already has data" in again.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 4


def test_demo_has_every_status_and_the_promised_scenarios(seeded, app):
    with app.app_context():
        experiments = db.session.execute(db.select(Experiment)).scalars().all()
        assert len(experiments) == 12
        assert {e.status for e in experiments} == set(STATUSES)
        assert db.session.execute(db.select(db.func.count(Sprint.id))).scalar() == 6
        assert db.session.execute(db.select(db.func.count(Feedback.id))).scalar() >= 10
        sales_metrics = (
            db.session.execute(
                db.select(Metric.funnel_stage).where(Metric.owner == "sales")
            )
            .scalars()
            .all()
        )
        assert {"mql", "sql"} <= set(sales_metrics)
        assert db.session.execute(db.select(PlannedSplit)).first() is not None

        analyses = analyze_experiments(experiments)
        by_title = {e.title: analyses[e.id] for e in experiments}
        winner = by_title["Homepage headline: outcome beats feature?"].primary.report
        assert winner["comparisons"][0]["significant"] is True
        assert winner["comparisons"][0]["relative_lift"] > 0
        loser = by_title[
            "Webinar invite: question vs number subject line"
        ].primary.report
        assert loser["comparisons"][0]["significant"] is True
        assert loser["comparisons"][0]["relative_lift"] < 0
        unclear = by_title["Pricing page CTA: Start free vs Book a demo"].primary.report
        assert unclear["comparisons"][0]["significant"] is False
        srm = by_title["LinkedIn ad: ROI calculator vs customer quote"].primary.report
        assert srm["srm"]["mismatch"] is True
        assert "srm" in [w["code"] for w in srm["warnings"]]
        observational = by_title["Cold call opener: problem first vs referral"]
        assert "observational" in [
            w["code"] for w in observational.primary.report["warnings"]
        ]


def test_demo_is_deterministic(app, runner):

    def figures(application):
        with application.app_context():
            return db.session.execute(
                db.select(Result.units, Result.conversions).order_by(Result.id)
            ).all()

    runner.invoke(args=["seed-demo"])
    first = figures(app)
    with app.app_context():
        db.drop_all()
        db.create_all()
    runner.invoke(args=["seed-demo"])
    assert figures(app) == first


def test_every_demo_page_renders(seeded, client, app):
    login_as = client.post(
        "/login", data={"email": "lead@example.com", "password": "demo"}
    )
    assert login_as.status_code == 303
    with app.app_context():
        ids = db.session.execute(db.select(Experiment.id)).scalars().all()
        sprint_ids = db.session.execute(db.select(Sprint.id)).scalars().all()
    urls = ["/", "/experiments", "/sprints", "/content", "/users", "/calculator"]
    urls += [f"/experiments/{i}" for i in ids] + [f"/experiments/{i}/edit" for i in ids]
    urls += [f"/sprints/{i}" for i in sprint_ids]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        # Random tokens (CSRF, one-time form tokens) may spell "nan" by chance.
        text = re.sub(rb'(content|value)="[A-Za-z0-9._-]{20,}"', b"", response.data)
        assert b"nan" not in text.lower().replace(b"nance", b""), url


def test_login_helper_still_works_next_to_demo_users(seeded, client, login):
    login(client, "viewer")
    assert client.get("/").status_code == 200


def test_demo_feedback_names_sprints_its_experiments_ran_in(seeded, app):
    from experiments.calendar import sprints_run

    with app.app_context():
        for note in db.session.execute(db.select(Feedback)).scalars():
            experiment = note.variant.experiment
            assert note.sprint_id in {s.id for s in sprints_run(experiment)}, (
                experiment.title,
                note.sprint.name,
            )
