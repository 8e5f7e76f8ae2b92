"""`flask --app run create-user`: add a user who can sign in."""

from __future__ import annotations

import click
from flask import Flask
from werkzeug.datastructures import MultiDict

from auth.models import ROLES
from database import db


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option("--role", type=click.Choice(list(ROLES)), prompt=True)
    @click.password_option()
    def create_user(email: str, name: str, role: str, password: str) -> None:
        """Add a user who can sign in."""
        from auth import accounts
        from auth.forms import UserForm

        form = UserForm(
            formdata=MultiDict(
                {"email": email, "name": name, "role": role, "password": password}
            )
        )
        if not form.check():
            for field, message in form.problems.items():
                click.echo(f"{field}: {message}", err=True)
            raise SystemExit(1)
        user = accounts.create_user(**form.field_data())
        db.session.commit()
        click.echo(f"Created {user.email} ({ROLES[user.role]}).")
