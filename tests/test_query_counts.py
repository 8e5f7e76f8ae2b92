"""Pages make the same number of queries whatever the number of rows they show."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from content.models import ContentItem, Feedback
from database import db
from experiments.models import Metric, Result, Variant


@contextmanager
def counted(app):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def populate(make_sprint, make_experiment):
    """populate(app, experiments, variants, sprints): running experiments with
    content, results in every sprint, and feedback."""
    return lambda app, **sizes: _populate(app, make_sprint, make_experiment, **sizes)


def _populate(
    app, make_sprint, make_experiment, experiments: int, variants: int, sprints: int
) -> None:
    with app.app_context():
        sprint_rows = [make_sprint(n) for n in range(1, sprints + 1)]
        for e in range(experiments):
            items = []
            for v in range(variants):
                item = ContentItem(kind="headline", title=f"Item {e}-{v}")
                db.session.add(item)
                items.append(item)
            experiment = make_experiment(
                title=f"Experiment {e}",
                start_sprint_id=sprint_rows[0].id,
                variants=[
                    Variant(
                        name=f"V{v}",
                        is_control=v == 0,
                        planned_share=1 / variants,
                        position=v,
                        content_item=items[v],
                    )
                    for v in range(variants)
                ],
                metrics=[
                    Metric(name="Rate", kind="binomial", funnel_stage="lead",
                           owner="marketing", role="primary"),
                    Metric(name="Value", kind="continuous", funnel_stage="won",
                           owner="sales", role="secondary"),
                ],
            )  # fmt: skip
            for variant in experiment.variants:
                for sprint in sprint_rows:
                    db.session.add(Result(variant_id=variant.id, sprint_id=sprint.id,
                                          metric_id=experiment.metrics[0].id,
                                          units=100, conversions=10))  # fmt: skip
                    db.session.add(Result(variant_id=variant.id, sprint_id=sprint.id,
                                          metric_id=experiment.metrics[1].id,
                                          units=100, value_mean=5.0,
                                          value_m2=500.0))  # fmt: skip
                    db.session.add(Feedback(variant_id=variant.id, sprint_id=sprint.id,
                                            lead_quality=3, sentiment="neutral",
                                            outcome="open"))  # fmt: skip
        db.session.commit()


def queries(app, client, url) -> int:
    with counted(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_pages_do_not_query_per_row(app_factory, login, populate):
    counts = []
    for size in (2, 5):
        app = app_factory()
        populate(app, experiments=size, variants=size, sprints=size)
        client = app.test_client()
        login(client, "lead")
        counts.append(
            [
                queries(app, client, url)
                for url in ("/", "/experiments", "/experiments/1", "/content",
                            "/sprints", "/sprints/1")
            ]
        )  # fmt: skip
    assert counts[0] == counts[1]
