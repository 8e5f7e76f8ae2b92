"""Fixtures: a fresh database per test, on SQLite or on the PostgreSQL server.

The schema is built once per run and each test gets a fresh copy of it: on SQLite a
copy of the template file, on PostgreSQL the run's schema emptied (TRUNCATE ...
RESTART IDENTITY, so ids start at 1 again). Building and dropping the schema for
every test took about 0.2 s a test.

Set TEST_DATABASE_URL to run the suite on PostgreSQL: the run works in schemas of its
own (named tracker_test_*), created here and dropped at the end, so it shares the
server safely.
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event, text

from auth.models import User
from config import normalise_database_url
from database import db
from experiments.models import Experiment, Metric, Result, Sprint, Variant
from helpers import PASSWORD
from run import create_app

PG_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything imported so far out of the garbage collector's sight.

    statsmodels' multipletests(method="holm") calls gc.collect() on every call,
    which walks the whole heap of numpy, scipy, statsmodels, SQLAlchemy and Flask:
    about 1 s a call here. Frozen objects are skipped, so a collection only walks
    what the tests made (gc.freeze is meant for exactly this: long-lived objects
    created at start-up).
    """
    gc.collect()
    gc.freeze()


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record) -> None:
    """SQLite in tests: no fsync at each commit (a test database never has to
    survive a crash); on a busy disk a commit waited about 0.1 s for it."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[tuple[Engine, str] | None]:
    """On PostgreSQL, an engine and this run's throwaway schema; None on SQLite."""
    if not PG_URL:
        yield None
        return
    schema = "tracker_test_" + uuid.uuid4().hex[:10]
    engine = create_engine(normalise_database_url(PG_URL))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine, schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def database_config(sqlite_path=None, pg_schema: str | None = None) -> dict:
    """The Flask-SQLAlchemy settings for a SQLite file or a PostgreSQL schema."""
    if pg_schema is None:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_path}"}
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(PG_URL),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={pg_schema}"}
        },
    }


def app_config(database: dict, **overrides) -> dict:
    """The test configuration: CSRF off and fast password hashing, unless overridden."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        # Fast hashing in tests; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **database,
        **overrides,
    }


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory, pg_engine):
    """The schema, built once per run: on SQLite the file each test copies, on
    PostgreSQL the tables in the run's schema (None)."""
    if pg_engine is None:
        path = tmp_path_factory.mktemp("template") / "schema.db"
        config = database_config(path)
    else:
        path, config = None, database_config(pg_schema=pg_engine[1])
    app = create_app(app_config(config))
    with app.app_context():
        db.create_all()
        db.engine.dispose()  # SQLite: folds the WAL into the file before copies
    return path


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(tmp_path, schema_template, pg_engine) -> Iterator[Callable[..., Flask]]:
    """Factory: app_factory(**config) -> an app on a fresh copy of the schema.

    empty=True gives a database with no tables at all (for the migrations). On
    PostgreSQL the apps of one test share the run's schema, emptied when each app is
    made; an empty database is a schema of its own, dropped afterwards.
    """
    apps: list[Flask] = []
    empty_schemas: list[str] = []
    numbers = itertools.count()

    def make(empty: bool = False, **overrides) -> Flask:
        for earlier in apps:
            _dispose(earlier)  # PostgreSQL: no idle connection holds a lock
        if pg_engine is None:
            path = tmp_path / f"test{next(numbers)}.db"
            if not empty:
                shutil.copyfile(schema_template, path)
            config = database_config(path)
        else:
            engine, schema = pg_engine
            if empty:
                schema = f"{schema}_empty{next(numbers)}"
                empty_schemas.append(schema)
            with engine.begin() as connection:
                if empty:
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                else:
                    tables = ", ".join(
                        f'"{schema}"."{t.name}"' for t in db.metadata.sorted_tables
                    )
                    connection.execute(
                        text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                    )
            config = database_config(pg_schema=schema)
        apps.append(create_app(app_config(config, **overrides)))
        return apps[-1]

    yield make
    for app in apps:
        _dispose(app)
    if empty_schemas:
        with pg_engine[0].begin() as connection:
            for schema in empty_schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def csrf_app(app_factory) -> Flask:
    """The app with CSRF protection on, as in production."""
    return app_factory(WTF_CSRF_ENABLED=True)


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


# ---------------------------------------------------------------- factories
# Each returns a function to call inside an application context (`ctx`, or
# `with app.app_context()`), as pytest's "factories as fixtures" pattern.


def _make_user(role: str = "marketing", email: str | None = None) -> User:
    user = User(email=email or f"{role}@test.example", name=role.title(), role=role)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def _login(client, role: str = "marketing") -> None:
    with client.application.app_context():
        user = db.session.execute(
            db.select(User).where(User.email == f"{role}@test.example")
        ).scalar_one_or_none()
        if user is None:
            _make_user(role)
    response = client.post(
        "/login", data={"email": f"{role}@test.example", "password": PASSWORD}
    )
    assert response.status_code == 303, response.data


def _make_sprint(number: int = 1, start: date | None = None) -> Sprint:
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


def _make_experiment(**overrides) -> Experiment:
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


def _add_result(variant_id, sprint_id, metric_id, units=10, conversions=1) -> None:
    db.session.add(
        Result(
            variant_id=variant_id,
            sprint_id=sprint_id,
            metric_id=metric_id,
            units=units,
            conversions=conversions,
        )
    )


def _make_cell_ids(app, **experiment_overrides) -> dict:
    with app.app_context():
        sprint = _make_sprint(1)
        experiment = _make_experiment(**experiment_overrides)
        return {
            "experiment": experiment.id,
            "a": experiment.variants[0].id,
            "b": experiment.variants[1].id,
            "metric": experiment.metrics[0].id,
            "sprint": sprint.id,
        }


@pytest.fixture
def make_user() -> Callable[..., User]:
    """make_user(role="marketing", email=None) -> a committed user with PASSWORD."""
    return _make_user


@pytest.fixture
def login() -> Callable[..., None]:
    """login(client, role="marketing"): create that user if needed and sign in."""
    return _login


@pytest.fixture
def make_sprint() -> Callable[..., Sprint]:
    """make_sprint(number=1, start=None) -> a committed two-week sprint; by default
    sprint 1 ended last week, 2 is running, 3 starts soon."""
    return _make_sprint


@pytest.fixture
def make_experiment() -> Callable[..., Experiment]:
    """make_experiment(**overrides) -> a committed running A/B experiment with a
    binomial primary metric (variants= and metrics= replace the defaults)."""
    return _make_experiment


@pytest.fixture
def add_result() -> Callable[..., None]:
    """add_result(variant_id, sprint_id, metric_id, units=10, conversions=1): stage
    one binomial result row (the caller commits)."""
    return _add_result


@pytest.fixture
def make_cell_ids() -> Callable[..., dict]:
    """make_cell_ids(app, **experiment) -> the ids a results cell form posts (a
    sprint and a running experiment)."""
    return _make_cell_ids
