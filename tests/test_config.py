"""Configuration from the environment, and the health check."""

import pytest

import config
from run import create_app


def test_secret_key_is_required_outside_debug_and_tests(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        create_app()


def test_secret_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_debug_runs_with_a_development_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert create_app().config["SECRET_KEY"] == config.DEV_SECRET_KEY


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/tracker.db")


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_spellings(url, expected):
    assert config.normalise_database_url(url) == expected


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.data == b"ok"


def test_sqlite_uses_wal_and_foreign_keys(app):
    from sqlalchemy import text

    from database import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_database_that_cannot_be_reached_answers_503_everywhere(app_factory):
    """No database (a SQLite file in a folder that does not exist): the health
    check says so in plain text, a signed-in page is a styled 503 that needs no
    database, the API answers JSON."""
    app = app_factory(
        SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent/dir/x.db",
        SQLALCHEMY_ENGINE_OPTIONS={},  # not the PostgreSQL pass's search_path
    )
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable"
    assert response.mimetype == "text/plain"
    with client.session_transaction() as session:
        session["_user_id"] = "1.0"
        session["_fresh"] = True
    response = client.get("/experiments")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "The database cannot be reached right now" in html
    assert "app.css" in html and response.headers["Retry-After"] == "30"


def test_postgres_gets_connect_and_statement_timeouts(monkeypatch):
    from config import ConfigError, postgres_engine_options

    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "2.5")
    options = postgres_engine_options()
    assert options["connect_args"] == {
        "connect_timeout": 3,
        "options": "-c statement_timeout=2500",
    }
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "forever")
    with pytest.raises(ConfigError, match="DATABASE_STATEMENT_TIMEOUT must be"):
        postgres_engine_options()
