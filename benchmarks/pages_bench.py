"""How the pages hold up when the tracker grows: demo against a thousand experiments.

Run: .venv/bin/python benchmarks/pages_bench.py [--database-url URL] [--skip-rps]

Builds its own database (a temporary SQLite file by default; with a PostgreSQL
URL, a throwaway schema dropped afterwards), migrates it, loads the demo and
times the pages; then adds the grown set (benchmarks/grown.py: 1,000 experiments
x 26 sprints x 3 variants x 2 metrics, about 156,000 results) and times them
again. Each figure is the median of 7 requests after one warm-up request (the
warm-up is the cold one: it fills the analysis cache; it is printed too).

Then, unless --skip-rps, the same app under gunicorn (deploy/gunicorn.conf.py,
2 sync workers) against a Flask hello-world under the same gunicorn: requests
per second of each page as a share of hello-world's, from the same load
generator (benchmarks/load.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.grown import grow  # noqa: E402
from config import normalise_database_url  # noqa: E402
from database import db  # noqa: E402
from demo.loader import load  # noqa: E402
from experiments.calendar import current_sprint  # noqa: E402
from experiments.entry import record_result  # noqa: E402
from experiments.models import Experiment, Sprint  # noqa: E402
from run import create_app  # noqa: E402

REQUESTS = 7
GROWTH_TARGET = 2.0
RPS_TARGET = 0.15


@contextmanager
def database(url: str | None):
    """(SQLAlchemy URL, engine options, search_path or None) for a fresh database."""
    if not url:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db", {}, None
        return
    url = normalise_database_url(url)
    schema = "pages_bench_" + uuid.uuid4().hex[:10]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
        yield url, options, schema
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def settle(engine) -> None:
    """Update the planner's statistics after the bulk insert (and on PostgreSQL
    reclaim its space), as a grown database would have them: otherwise an
    autovacuum started by the insert runs during the measurements."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def make_app(url: str, options: dict):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "SECRET_KEY": "pages-bench-" + uuid.uuid4().hex,
            "WTF_CSRF_ENABLED": False,
        }
    )


def pages(app) -> dict[str, str]:
    """The pages the issue names: the dashboard, the sprint list, the current
    sprint and the experiment with the most sprints of results."""
    with app.app_context():
        sprint = current_sprint()
        longest = db.session.execute(
            db.select(Experiment.id)
            .join(Sprint, Sprint.id == Experiment.start_sprint_id)
            .where(Experiment.status == "running")
            .order_by(Sprint.start_date, Experiment.id.desc())
            .limit(1)
        ).scalar_one()
    return {
        "`/` dashboard": "/",
        "`/sprints`": "/sprints",
        "`/sprints/<id>`": f"/sprints/{sprint.id}",
        "`/experiments/<id>`": f"/experiments/{longest}",
    }


def signed_in(app):
    client = app.test_client()
    answer = client.post(
        "/login", data={"email": "marketing@example.com", "password": "demo"}
    )
    assert answer.status_code == 303, answer.status_code
    return client


def timings(client, paths: dict[str, str]) -> dict[str, tuple[float, float]]:
    """(cold ms, median ms of REQUESTS) per page."""
    figures = {}
    for name, path in paths.items():
        samples = []
        for _ in range(REQUESTS + 1):
            started = time.perf_counter()
            answer = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
        figures[name] = (samples[0], statistics.median(samples[1:]))
    return figures


def after_writes(app, client, paths: dict[str, str]) -> None:
    """Median time of the dashboard and the experiment page right after a result
    of the experiment changed (its analysis and every page are stale then)."""
    path = paths["`/experiments/<id>`"]
    experiment_id = int(path.rsplit("/", 1)[1])
    samples: dict[str, list[float]] = {"`/`": [], path: []}
    for n in range(REQUESTS):
        with app.app_context():
            experiment = db.session.get(Experiment, experiment_id)
            variant, metric = experiment.variants[1], experiment.metrics[0]
            sprint = current_sprint()
            values = {"units": 2_000, "conversions": 100 + n,
                      "value_mean": None, "value_m2": None}  # fmt: skip
            record_result(variant.id, sprint.id, metric.id, values, "api")
            db.session.commit()
        for name, url in (("`/`", "/"), (path, path)):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            samples[name].append((time.perf_counter() - started) * 1000)
    print(
        "\nRight after a result of the experiment is saved (median of 7): "
        f"dashboard {statistics.median(samples['`/`']):,.0f} ms, "
        f"experiment page {statistics.median(samples[path]):,.0f} ms"
    )


def latency_table(demo, grown) -> bool:
    print("| page | demo | grown | growth | grown, first request |")
    print("|---|---|---|---|---|")
    ok = True
    for name, (_, before) in demo.items():
        cold, after = grown[name]
        growth = after / before
        ok = ok and growth <= GROWTH_TARGET
        print(
            f"| {name} | {before:,.1f} ms | {after:,.1f} ms | {growth:.1f}× "
            f"| {cold:,.0f} ms |"
        )
    return ok


def _rps(app, url: str, schema: str | None, paths, seconds: float) -> bool:
    """The requests/s table, with the app under gunicorn on the same database."""
    from benchmarks.load import rps_table

    cookie = signed_in(app).get_cookie("session").value
    env = {"BENCH_DATABASE_URL": url, "BENCH_SECRET": app.config["SECRET_KEY"]}
    if schema:
        env["BENCH_SCHEMA"] = schema
    return rps_table(env, cookie, paths, seconds, RPS_TARGET)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--sprints", type=int, default=26)
    parser.add_argument("--skip-rps", action="store_true")
    parser.add_argument("--rps-seconds", type=float, default=5.0)
    args = parser.parse_args()
    with database(args.database_url) as (url, options, schema):
        app = make_app(url, options)
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
            load()
        paths = pages(app)
        demo = timings(signed_in(app), paths)
        with app.app_context():
            started = time.perf_counter()
            rows = grow(args.experiments, args.sprints)
            built = time.perf_counter() - started
            settle(db.engine)
        backend = url.split(":")[0]
        print(f"Grown set: {rows:,} results added in {built:.0f} s ({backend})")
        paths = pages(app)
        client = signed_in(app)
        grown = timings(client, paths)
        ok = latency_table(demo, grown)
        after_writes(app, client, paths)
        if not args.skip_rps:
            ok = _rps(app, url, schema, paths, args.rps_seconds) and ok
        with app.app_context():
            db.engine.dispose()
    print("\ntargets met" if ok else "\nTARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
