"""The Alembic history builds the schema the models describe, and it enforces rules."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
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


BEFORE_MEAN_AND_M2 = "41f10a6c3979"
# One row of each kind of the old schema: n = 4 with values 1, 2, 2, 3 (sum 8,
# sum of squares 18: mean 2, M2 2); one unit (M2 0); no units; a binomial cell.
OLD_CELLS = [(4, None, 8.0, 18.0), (1, None, 5.0, 25.0), (0, None, 0.0, 0.0),
             (10, 3, None, None)]  # fmt: skip
PARENTS = [
    "INSERT INTO sprints (id, name, start_date, end_date, goal)"
    " VALUES (1, 'S1', '2026-01-05', '2026-01-16', '')",
    "INSERT INTO experiments (id, title, hypothesis, channel, audience, status,"
    " assignment, ice_impact, ice_confidence, ice_ease, alpha, power, planned_looks,"
    " decision_reason, learning, created_at, updated_at) VALUES (1, 'E', '', 'email',"
    " '', 'running', 'randomized', 5, 5, 5, 0.05, 0.8, 3, '', '',"
    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO metrics (id, experiment_id, name, kind, funnel_stage, owner, role,"
    " higher_is_better, position) VALUES (1, 1, 'Deal', 'continuous', 'won',"
    " 'sales', 'primary', true, 0)",
]


def _old_rows(connection):
    connection.execute(text(PARENTS[0]))
    connection.execute(text(PARENTS[1]))
    connection.execute(text(PARENTS[2]))
    for i, (units, conversions, total, squares) in enumerate(OLD_CELLS, start=1):
        connection.execute(
            text(
                "INSERT INTO variants (id, experiment_id, name, is_control,"
                " planned_share, position) VALUES (:i, 1, :name, :control, 0.25, :i)"
            ),
            {"i": i, "name": f"V{i}", "control": i == 1},
        )
        values = {"i": i, "n": units, "x": conversions, "s": total, "q": squares}
        connection.execute(
            text(
                "INSERT INTO results (id, variant_id, sprint_id, metric_id, units,"
                " conversions, value_sum, value_sum_squares, source, updated_at)"
                " VALUES (:i, :i, 1, 1, :n, :x, :s, :q, 'form', '2026-01-01')"
            ),
            values,
        )
        connection.execute(
            text(
                "INSERT INTO result_edits (result_id, changed_at, source, old_units,"
                " old_value_sum, old_value_sum_squares, new_units, new_conversions,"
                " new_value_sum, new_value_sum_squares) VALUES (:i, '2026-01-01',"
                " 'form', :n, :s, :q, :n, :x, :s, :q)"
            ),
            values,
        )


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def _migrated_old_cells() -> None:
    """Cells stored as sums before the mean/M2 revision, then upgraded to head."""
    upgrade(revision=BEFORE_MEAN_AND_M2)
    with db.engine.begin() as connection:
        _old_rows(connection)
    upgrade()


def test_sums_migrate_to_mean_and_m2_and_back(bare_app):
    with bare_app.app_context():
        _migrated_old_cells()
        expected = [(2.0, 2.0), (5.0, 0.0), (0.0, 0.0), (None, None)]
        assert _rows("SELECT value_mean, value_m2 FROM results ORDER BY id") == expected
        edits = "SELECT old_value_mean, old_value_m2, new_value_mean, new_value_m2"
        assert _rows(f"{edits} FROM result_edits ORDER BY result_id") == [
            (*pair, *pair) for pair in expected
        ]
        downgrade(revision=BEFORE_MEAN_AND_M2)
        old = [(total, squares) for _, _, total, squares in OLD_CELLS]
        sums = "SELECT value_sum, value_sum_squares FROM results ORDER BY id"
        assert _rows(sums) == old
        edits = "SELECT old_value_sum, old_value_sum_squares, new_value_sum,"
        assert _rows(
            f"{edits} new_value_sum_squares FROM result_edits ORDER BY result_id"
        ) == [(*pair, *pair) for pair in old]


def test_the_migrated_database_refuses_a_negative_m2(bare_app):
    with bare_app.app_context():
        _migrated_old_cells()
        for table, column in (("results", "value_m2"),
                              ("result_edits", "new_value_m2")):  # fmt: skip
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(text(f"UPDATE {table} SET {column} = -1"))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE results SET units = -1"))
