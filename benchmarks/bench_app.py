"""The tracker as the page benchmark serves it under gunicorn: the database,
schema and secret key come from BENCH_DATABASE_URL, BENCH_SCHEMA, BENCH_SECRET."""

import os

from run import create_app

_schema = os.environ.get("BENCH_SCHEMA")
app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "SQLALCHEMY_ENGINE_OPTIONS": (
            {"connect_args": {"options": f"-csearch_path={_schema}"}} if _schema else {}
        ),
        "SECRET_KEY": os.environ["BENCH_SECRET"],
    }
)
