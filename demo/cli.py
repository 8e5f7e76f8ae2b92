"""`flask --app run seed-demo`: load the demo team into an empty database."""

from __future__ import annotations

import click
from flask import Flask

from auth.models import ROLES, User
from database import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Load even if the database has data.")
    def seed_demo(force: bool) -> None:
        """Load the demo team's data into an empty database."""
        from demo import loader

        if not force and db.session.execute(db.select(User.id).limit(1)).first():
            click.echo("The database already has data; demo data not loaded.")
            return
        loader.load()
        click.echo("Demo data loaded. Sign in with any of these (password: demo):")
        for email, role in loader.DEMO_USERS:
            click.echo(f"  {email:<26} {ROLES[role]}")
