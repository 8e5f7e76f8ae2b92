"""The Alembic history builds the schema the models describe, and it enforces rules."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from database import db
from experiments.models import Result, Variant


@pytest.fixture
def bare_app(app_factory):
    """An app whose database starts empty: no tables at all."""
    return app_factory(empty=True)


def test_upgrade_head_matches_the_models(bare_app):
    with bare_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == []


def test_downgrade_removes_every_table(bare_app):
    with bare_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()


def _result(**values):
    return Result(**{"units": 10, "conversions": 1, **values})


@pytest.mark.parametrize(
    "values",
    [
        {"units": -1, "conversions": 0},
        {"units": 10, "conversions": 11},
        {"units": 10, "conversions": -1},
        {"units": 10**12 + 1, "conversions": 0},
    ],
)
def test_the_database_refuses_impossible_counts(
    app, values, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        db.session.add(
            _result(
                variant_id=experiment.variants[0].id,
                sprint_id=sprint.id,
                metric_id=experiment.metrics[0].id,
                **values,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_database_keeps_one_result_per_cell(app, make_experiment, make_sprint):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        cell = {
            "variant_id": experiment.variants[0].id,
            "sprint_id": sprint.id,
            "metric_id": experiment.metrics[0].id,
        }
        db.session.add(_result(**cell))
        db.session.commit()
        db.session.add(_result(**cell))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_database_keeps_one_control_per_experiment(app, make_experiment):
    with app.app_context():
        experiment = make_experiment()
        db.session.add(
            Variant(
                experiment_id=experiment.id,
                name="C",
                is_control=True,
                planned_share=0.1,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
