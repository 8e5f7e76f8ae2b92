"""Fixtures: a fresh database per test, on SQLite or on the PostgreSQL server.

Set TEST_DATABASE_URL to run the suite on PostgreSQL: the run works in a schema of
its own, created here and dropped at the end, so it shares the server safely.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from auth.models import User
from config import normalise_database_url
from database import db
from experiments.models import Experiment, Metric, Result, Sprint, Variant
from run import create_app

PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse"


@pytest.fixture(scope="session")
def pg_schema():
    """A throwaway PostgreSQL schema for this run, or None on SQLite."""
    if not PG_URL:
        yield None
        return
    schema = "tracker_test_" + uuid.uuid4().hex[:10]
    engine = create_engine(normalise_database_url(PG_URL))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def database_config(tmp_path, pg_schema) -> dict:
    if pg_schema is None:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}"}
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(PG_URL),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={pg_schema}"}
        },
    }


def make_app(tmp_path, pg_schema, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        # Fast hashing in tests; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **database_config(tmp_path, pg_schema),
        **overrides,
    }
    return create_app(config)


@pytest.fixture
def app(tmp_path, pg_schema):
    app = make_app(tmp_path, pg_schema)
    yield from _with_schema(app)


@pytest.fixture
def csrf_app(tmp_path, pg_schema):
    """The app with CSRF protection on, as in production."""
    app = make_app(tmp_path, pg_schema, WTF_CSRF_ENABLED=True)
    yield from _with_schema(app)


def _with_schema(app):
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that read or write the database directly."""
    with app.app_context():
        yield


def make_user(role: str = "marketing", email: str | None = None) -> User:
    user = User(email=email or f"{role}@test.example", name=role.title(), role=role)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def login(client, role: str = "marketing") -> None:
    """Create a user with this role (if needed) and sign the client in."""
    with client.application.app_context():
        user = db.session.execute(
            db.select(User).where(User.email == f"{role}@test.example")
        ).scalar_one_or_none()
        if user is None:
            make_user(role)
    response = client.post(
        "/login", data={"email": f"{role}@test.example", "password": PASSWORD}
    )
    assert response.status_code == 303, response.data


def make_sprint(number: int = 1, start: date | None = None) -> Sprint:
    start = start or date.today() - timedelta(days=14 * (3 - number) + 3)
    sprint = Sprint(
        name=f"Sprint {number}",
        start_date=start,
        end_date=start + timedelta(days=13),
        goal=f"Goal {number}",
    )
    db.session.add(sprint)
    db.session.commit()
    return sprint


def make_experiment(**overrides) -> Experiment:
    """A running A/B experiment with a binomial primary metric, unless overridden."""
    metrics = overrides.pop("metrics", None)
    variants = overrides.pop("variants", None)
    values = {
        "title": "Subject line test",
        "hypothesis": "We believe a question lifts opens.",
        "channel": "email",
        "status": "running",
        **overrides,
    }
    experiment = Experiment(**values)
    experiment.variants = variants or [
        Variant(name="A", is_control=True, planned_share=0.5, position=0),
        Variant(name="B", planned_share=0.5, position=1),
    ]
    experiment.metrics = metrics or [
        Metric(
            name="Open rate",
            kind="binomial",
            funnel_stage="lead",
            owner="marketing",
            role="primary",
            position=0,
        ),
    ]
    db.session.add(experiment)
    db.session.commit()
    return experiment


def add_result(variant_id, sprint_id, metric_id, units=10, conversions=1) -> None:
    """Stage one binomial result row (the caller commits)."""
    db.session.add(
        Result(
            variant_id=variant_id,
            sprint_id=sprint_id,
            metric_id=metric_id,
            units=units,
            conversions=conversions,
        )
    )


def make_cell_ids(app, **experiment_overrides) -> dict:
    """A sprint and a running experiment: the ids a results cell form posts."""
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment(**experiment_overrides)
        return {
            "experiment": experiment.id,
            "a": experiment.variants[0].id,
            "b": experiment.variants[1].id,
            "metric": experiment.metrics[0].id,
            "sprint": sprint.id,
        }


def post_cell(client, ids, variant="a", headers=None, **values):
    """Submit one results cell, as the grid's inline form does."""
    data = {
        "variant_id": ids[variant],
        "metric_id": ids["metric"],
        "sprint_id": ids["sprint"],
        **values,
    }
    return client.post(
        f"/experiments/{ids['experiment']}/results", data=data, headers=headers or {}
    )


def partial(headers: dict | None = None) -> dict:
    """The headers htmx 4 sends for a targeted (partial) swap."""
    return {"HX-Request": "true", "HX-Request-Type": "partial", **(headers or {})}


def form_data(**overrides) -> dict:
    """A valid new-experiment form with variants A (control) and B and one metric."""
    data = {
        "title": "Pricing headline",
        "hypothesis": "We believe a price anchor lifts demo requests.",
        "channel": "landing_page",
        "audience": "Pricing page visitors",
        "assignment": "randomized",
        "ice_impact": "7",
        "ice_confidence": "5",
        "ice_ease": "8",
        "alpha": "0.05",
        "power": "0.8",
        "planned_looks": "4",
        "baseline_rate": "5",
        "relative_mde": "20",
        "control": "a1",
        "variants-a1-name": "A",
        "variants-a1-share": "50",
        "variants-b2-name": "B",
        "variants-b2-share": "50",
        "metrics-m1-name": "Demo requests",
        "metrics-m1-kind": "binomial",
        "metrics-m1-funnel_stage": "lead",
        "metrics-m1-owner": "marketing",
        "metrics-m1-role": "primary",
        "metrics-m1-direction": "higher",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(experiment, **changes):
    """The edit form of an existing experiment as the page fills it, with changes."""
    data = form_data(title=experiment.title, control=f"id{experiment.variants[0].id}")
    for key in list(data):
        if key.startswith(("variants-", "metrics-")):
            del data[key]
    for v in experiment.variants:
        data[f"variants-id{v.id}-id"] = str(v.id)
        data[f"variants-id{v.id}-name"] = v.name
        data[f"variants-id{v.id}-share"] = f"{v.planned_share * 100:g}"
    for m in experiment.metrics:
        p = f"metrics-id{m.id}"
        data.update(
            {
                f"{p}-id": str(m.id),
                f"{p}-name": m.name,
                f"{p}-kind": m.kind,
                f"{p}-funnel_stage": m.funnel_stage,
                f"{p}-owner": m.owner,
                f"{p}-role": m.role,
                f"{p}-direction": "higher",
            }
        )
    data.update(changes)
    return data
