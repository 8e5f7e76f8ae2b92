"""Command-line tasks: `flask --app run seed-demo` and `flask --app run create-user`."""

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
        import demo

        if not force and db.session.execute(db.select(User.id).limit(1)).first():
            click.echo("The database already has data; demo data not loaded.")
            return
        demo.load()
        click.echo("Demo data loaded. Sign in with any of these (password: demo):")
        for email, role in demo.DEMO_USERS:
            click.echo(f"  {email:<26} {ROLES[role]}")

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option("--role", type=click.Choice(list(ROLES)), prompt=True)
    @click.password_option()
    def create_user(email: str, name: str, role: str, password: str) -> None:
        """Add a user who can sign in."""
        from werkzeug.datastructures import MultiDict

        from auth.views import read_user_form
        from forms import Form

        form = Form(
            MultiDict(
                {"email": email, "name": name, "role": role, "password": password}
            )
        )
        values = read_user_form(form)
        if not form.ok:
            for field, message in form.errors.items():
                click.echo(f"{field}: {message}", err=True)
            raise SystemExit(1)
        user = User(name=values["name"], email=values["email"], role=values["role"])
        user.set_password(values["password"])
        db.session.add(user)
        db.session.commit()
        click.echo(f"Created {user.email} ({ROLES[user.role]}).")
