"""Sign-in, sign-out, the login wall, role rules and the user list."""

import re

import pytest

from auth.models import User
from database import db
from experiments.models import Experiment
from helpers import PASSWORD, partial, post_cell

PAGES = [
    "/",
    "/experiments",
    "/experiments/new",
    "/sprints",
    "/content",
    "/content/new",
    "/users",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_with_stored_data_requires_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_with_the_right_password_redirects_to_next(client, app, make_user):
    with app.app_context():
        make_user("viewer")
    response = client.post(
        "/login",
        data={"email": "VIEWER@test.example", "password": PASSWORD, "next": "/sprints"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/sprints"
    assert client.get("/sprints").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_login_never_redirects_off_site(client, app, target, make_user):
    with app.app_context():
        make_user("viewer")
    response = client.post(
        "/login",
        data={"email": "viewer@test.example", "password": PASSWORD, "next": target},
    )
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_next_to_the_field(client, app, make_user):
    with app.app_context():
        make_user("viewer")
    response = client.post(
        "/login", data={"email": "viewer@test.example", "password": "nope"}
    )
    assert response.status_code == 422
    assert b"That email and password do not match an account." in response.data
    assert b'value="viewer@test.example"' in response.data
    assert client.get("/").status_code == 302


def test_empty_login_form_names_both_fields(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert b"Email is required." in response.data
    assert b"Password is required." in response.data


def test_logout_ends_the_session(client, login):
    login(client, "viewer")
    response = client.post("/logout")
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_password_is_stored_hashed(app, make_user):
    with app.app_context():
        user = make_user("lead")
        assert PASSWORD not in user.password_hash
        assert user.check_password(PASSWORD)
        assert not user.check_password("wrong")


# (role, method, url builder, data) that must answer 403 and change nothing.
FORBIDDEN = [
    ("viewer", "/experiments", {"title": "x"}),
    ("sales", "/experiments", {"title": "x"}),
    ("viewer", "/experiments/{id}/status", {"status": "analyzing"}),
    ("sales", "/experiments/{id}/status", {"status": "analyzing"}),
    ("marketing", "/experiments/{id}/decision", {"decision": "ship"}),
    ("viewer", "/experiments/{id}/feedback", {"lead_quality": "3"}),
    ("marketing", "/experiments/{id}/feedback", {"lead_quality": "3"}),
    ("viewer", "/experiments/{id}/results", {"units": "1"}),
    ("viewer", "/content", {"title": "x"}),
    ("sales", "/content", {"title": "x"}),
    ("viewer", "/sprints", {"name": "x"}),
    ("marketing", "/users", {"name": "x"}),
]


@pytest.mark.parametrize("role,url,data", FORBIDDEN)
def test_forbidden_posts_answer_403_and_change_nothing(
    client, app, role, url, data, login, make_experiment
):
    with app.app_context():
        experiment = make_experiment()
        experiment_id = experiment.id
    login(client, role)
    response = client.post(url.format(id=experiment_id), data=data)
    assert response.status_code == 403
    assert b"cannot do this" in response.data
    with app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        assert experiment.status == "running"
        assert experiment.decision is None
        assert db.session.execute(db.select(db.func.count(Experiment.id))).scalar() == 1


def test_sales_cannot_enter_marketing_owned_results(client, app, login, make_cell_ids):
    ids = make_cell_ids(app)
    login(client, "sales")
    response = post_cell(client, ids, units="10", conversions="1")
    assert response.status_code == 403
    assert b"Sales enters results only for metrics owned by sales." in response.data


def test_viewer_sees_no_edit_buttons(client, app, login, make_experiment):
    with app.app_context():
        experiment_id = make_experiment().id
    login(client, "viewer")
    page = client.get(f"/experiments/{experiment_id}").data
    assert b">Edit</a>" not in page
    assert b"Move to:" not in page
    assert b"Add feedback" not in page
    assert b"Record decision" not in page


def test_lead_adds_a_user_who_can_then_sign_in(client, app, login):
    login(client, "lead")
    response = client.post(
        "/users",
        data={
            "name": "Ana",
            "email": "Ana@Example.com",
            "role": "sales",
            "password": "longenough",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.execute(
            db.select(User).where(User.email == "ana@example.com")
        ).scalar_one()
        assert user.role == "sales"


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"name": "", "email": "a@b.co", "role": "sales", "password": "12345678"},
            b"Name is required.",
        ),
        (
            {"name": "A", "email": "nope", "role": "sales", "password": "12345678"},
            b"Enter an email address like name@company.com.",
        ),
        (
            {"name": "A", "email": "a@b.co", "role": "boss", "password": "12345678"},
            "“boss” is not a known role.".encode(),
        ),
        (
            {"name": "A", "email": "a@b.co", "role": "sales", "password": "short"},
            b"The password needs at least 8 characters.",
        ),
        (
            {
                "name": "A",
                "email": "lead@test.example",
                "role": "sales",
                "password": "12345678",
            },
            b"A user with this email already exists.",
        ),
    ],
)
def test_invalid_user_is_refused_with_the_reason(client, app, data, message, login):
    login(client, "lead")
    response = client.post("/users", data=data)
    assert response.status_code == 422
    assert message in response.data
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1


def test_lead_cannot_demote_themselves(client, app, login):
    login(client, "lead")
    with app.app_context():
        lead_id = db.session.execute(db.select(User.id)).scalar()
    response = client.post(f"/users/{lead_id}/role", data={"role": "viewer"})
    assert response.status_code == 422
    assert b"You cannot remove your own lead role." in response.data


def test_create_user_command(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "new@example.com",
            "--name",
            "New",
            "--role",
            "viewer",
            "--password",
            "longenough",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created new@example.com (Viewer)." in result.output
    with app.app_context():
        assert make_user_exists("new@example.com")


def test_create_user_command_refuses_a_short_password(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "new@example.com",
            "--name",
            "New",
            "--role",
            "viewer",
            "--password",
            "short",
        ],
    )
    assert result.exit_code == 1
    assert "password: The password needs at least 8 characters." in result.output
    with app.app_context():
        assert not make_user_exists("new@example.com")


def make_user_exists(email: str) -> bool:
    return (
        db.session.execute(db.select(User).where(User.email == email)).scalar()
        is not None
    )


def test_nul_bytes_in_login_and_forms_are_refused(client, app, login):
    assert (
        client.post("/login", data={"email": "a\x00b", "password": "x"}).status_code
        == 422
    )
    login(client, "marketing")
    response = client.post(
        "/sprints", data={"name": "S\x00", "start_date": "2026-01-01",
                          "end_date": "2026-01-10"}
    )  # fmt: skip
    assert response.status_code == 422
    assert b"Name contains a control character; remove it." in response.data


def test_an_expired_session_sends_htmx_to_the_login_page(client, app, make_experiment):
    with app.app_context():
        experiment_id = make_experiment().id
    response = client.get(f"/experiments/{experiment_id}", headers=partial())
    assert response.status_code == 401
    assert response.data == b""
    assert response.headers["HX-Redirect"] == (
        f"/login?next=/experiments/{experiment_id}"
    )
    plain = client.get(f"/experiments/{experiment_id}")
    assert plain.status_code == 302
    assert "HX-Request" in plain.headers["Vary"]


def _sign_in(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_failed_sign_ins_lock_the_account_for_a_while(
    client, app, make_user, monkeypatch
):
    from datetime import timedelta

    from auth import throttle
    from core.clock import utcnow

    with app.app_context():
        make_user("marketing")
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _sign_in(client, "marketing@test.example", "wrong").status_code == 422
    # Locked: even the right password is not checked now.
    response = _sign_in(client, "marketing@test.example", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins. For your security, try again in 15 minutes." in (
        response.get_data(as_text=True)
    )
    # Another account from another address is not affected.
    with app.app_context():
        make_user("lead")
    assert (
        _sign_in(client, "lead@test.example", PASSWORD, "10.0.0.2").status_code == 303
    )
    # Once the window has passed, the right password works and clears the count.
    later = utcnow() + throttle.WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert _sign_in(client, "marketing@test.example", PASSWORD).status_code == 303
    with app.app_context():
        left = db.session.execute(
            db.select(db.func.count(throttle.LoginFailure.id)).where(
                throttle.LoginFailure.email == "marketing@test.example"
            )
        ).scalar()
    assert left == 0


def test_an_unknown_email_is_throttled_and_answered_like_a_known_one(client, app):
    from auth import throttle

    # CSRF tokens carry the second they were signed in: not part of the answer.
    answers = {
        re.sub(
            r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"',
            "",
            _sign_in(client, "nobody@test.example", "wrong").get_data(as_text=True),
        )
        for _ in range(throttle.ACCOUNT_LIMIT)
    }
    assert len(answers) == 1
    assert "That email and password do not match an account." in answers.pop()
    assert _sign_in(client, "nobody@test.example", "x").status_code == 429


def test_many_failures_from_one_address_lock_that_address(client, app):
    from auth import throttle

    for i in range(throttle.ADDRESS_LIMIT):
        _sign_in(client, f"user{i}@test.example", "wrong", "10.9.9.9")
    assert _sign_in(client, "fresh@test.example", "x", "10.9.9.9").status_code == 429
    assert _sign_in(client, "fresh@test.example", "x", "10.9.9.8").status_code == 422
