"""Configuration read from the environment, with the checks that keep it safe."""

from __future__ import annotations

import os
from pathlib import Path

# Used only under FLASK_DEBUG=1 or in tests; a deployment must set SECRET_KEY.
DEV_SECRET_KEY = "dev-only-not-a-secret"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable application."""


def sqlite_url(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "tracker.db")


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` spellings and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ConfigError(f"{name} must be a number of seconds from 0 to 3600.")
    return value


def postgres_engine_options() -> dict:
    """A database that is down or silent answers within seconds, not after the
    worker is killed: a connect timeout (DATABASE_CONNECT_TIMEOUT, 5 s) and a
    statement timeout (DATABASE_STATEMENT_TIMEOUT, 30 s); connections are
    checked before use, so a restarted server costs no failed request."""
    connect = _seconds("DATABASE_CONNECT_TIMEOUT", 5)
    statement_ms = int(_seconds("DATABASE_STATEMENT_TIMEOUT", 30) * 1000)
    return {
        "pool_pre_ping": True,
        "connect_args": {
            "connect_timeout": max(1, round(connect)),
            "options": f"-c statement_timeout={statement_ms}",
        },
    }


def load(app, test_config: dict | None) -> None:
    """Fill app.config from defaults, the environment and the test overrides."""
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=normalise_database_url(
            os.environ.get("DATABASE_URL") or sqlite_url(app.instance_path)
        ),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        # A CSRF token lives as long as the session: a page left open over lunch
        # still submits.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        PASSWORD_HASH_METHOD="scrypt",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_engine_options()
    if os.environ.get("SESSION_COOKIE_SECURE") == "1":
        app.config["SESSION_COOKIE_SECURE"] = True
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        if app.debug or app.testing:
            app.config["SECRET_KEY"] = DEV_SECRET_KEY
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment, for example "
                "SECRET_KEY=$(python -c "
                "'import secrets; print(secrets.token_hex(32))'), "
                "or run with FLASK_DEBUG=1 for local development."
            )
