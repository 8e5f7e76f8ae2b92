"""CSRF on every state-changing request, and error pages that leak nothing."""

import re

import pytest

from database import db
from experiments.models import Experiment, Result, Sprint
from helpers import PASSWORD, partial


@pytest.fixture
def signed_in(csrf_app, make_user):
    """A marketing user signed in through the real, CSRF-protected login form."""
    client = csrf_app.test_client()
    with csrf_app.app_context():
        make_user("marketing")
        make_user("lead")
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": "lead@test.example", "password": PASSWORD, "csrf_token": csrf},
    )
    assert response.status_code == 303
    return client, csrf


def test_login_without_a_token_is_400(csrf_app, make_user):
    with csrf_app.app_context():
        make_user("lead")
    client = csrf_app.test_client()
    response = client.post(
        "/login", data={"email": "lead@test.example", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert b"security token is missing or has expired" in response.data
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "url,data",
    [
        ("/experiments", {"title": "T"}),
        ("/sprints", {"name": "S"}),
        ("/content", {"title": "C"}),
        ("/experiments/{id}/status", {"status": "analyzing"}),
        ("/experiments/{id}/decision", {"decision": "ship"}),
        ("/experiments/{id}/results", {"units": "1"}),
        ("/experiments/{id}/feedback", {"lead_quality": "3"}),
        ("/logout", {}),
    ],
)
def test_posts_without_a_token_are_400_and_change_nothing(
    signed_in, csrf_app, url, data, make_experiment
):
    client, _ = signed_in
    with csrf_app.app_context():
        experiment_id = make_experiment().id
    response = client.post(url.format(id=experiment_id), data=data)
    assert response.status_code == 400
    with csrf_app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        assert (experiment.status, experiment.decision) == ("running", None)
    assert client.get("/").status_code == 200  # still signed in


def test_htmx_request_with_the_token_header_is_accepted(
    signed_in, csrf_app, make_experiment, make_sprint
):
    client, csrf = signed_in
    with csrf_app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        data = {
            "variant_id": experiment.variants[0].id,
            "sprint_id": sprint.id,
            "metric_id": experiment.metrics[0].id,
            "units": "10",
            "conversions": "2",
        }
        experiment_id = experiment.id
    response = client.post(
        f"/experiments/{experiment_id}/results",
        data=data,
        headers=partial({"X-CSRFToken": csrf}),
    )
    assert response.status_code == 200
    with csrf_app.app_context():
        assert db.session.execute(db.select(Result.units)).scalar_one() == 10


def test_csrf_error_answers_a_fragment_to_htmx(signed_in, csrf_app):
    client, _ = signed_in
    response = client.post("/sprints", data={"name": "S"}, headers=partial())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<html" not in html
    assert "Reload the page and try again." in html


def test_every_page_carries_the_token_for_htmx(signed_in):
    client, _ = signed_in
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page)


def test_server_error_rolls_back_and_answers_a_plain_500(app, monkeypatch, login):
    from experiments import dashboard

    def broken(*args, **kwargs):
        db.session.add(Experiment(title="half-written", channel="email"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(dashboard, "analyze_experiments", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()

    login(client, "viewer")
    response = client.get("/")
    assert response.status_code == 500
    assert b"boom" not in response.data
    assert (
        b"The server could not finish this request. Nothing was saved." in response.data
    )
    with app.app_context():
        assert db.session.execute(db.select(Experiment)).first() is None


def test_unknown_url_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"404 \xc2\xb7 Not found" in response.data


def test_oversized_request_is_413(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.data  # nothing inline for the policy to block


def test_a_race_past_validation_answers_409_not_500(app, monkeypatch, login):
    """Two people creating the same sprint at once: the loser gets a clear 409."""
    from datetime import date

    from experiments import calendar

    client = app.test_client()

    login(client, "marketing")
    with app.app_context():
        db.session.add(
            Sprint(
                name="Sprint 9", start_date=date(2030, 1, 1), end_date=date(2030, 1, 14)
            )
        )
        db.session.commit()
    # The name check misses the other person's row (it committed after the check).
    monkeypatch.setattr(calendar, "func", _LowerThatMatchesNothing())
    response = client.post(
        "/sprints",
        data={"name": "Sprint 9", "start_date": "2031-01-01", "end_date": "2031-01-10"},
    )
    assert response.status_code == 409
    assert b"Someone saved a conflicting change at the same moment" in response.data
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Sprint.id))).scalar() == 1


class _LowerThatMatchesNothing:
    """sqlalchemy.func for the sprint rules: their duplicate check finds nothing."""

    def __getattr__(self, name):
        from sqlalchemy import func, literal

        if name == "lower":
            return lambda column: literal("\x01never")
        return getattr(func, name)


def test_a_page_405_keeps_its_allow_header(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_a_session_cookie_replayed_after_sign_out_signs_nobody_in(client, app, login):
    login(client, "lead")
    stolen = client.get_cookie("session").value
    assert client.get("/users").status_code == 200
    client.post("/logout")
    client.set_cookie("session", stolen)
    response = client.get("/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_role_change_ends_the_users_sessions(app, login, make_user):
    from auth.models import User

    lead, other = app.test_client(), app.test_client()
    login(lead, "lead")
    login(other, "marketing")
    assert other.get("/experiments").status_code == 200
    with app.app_context():
        user_id = db.session.execute(
            db.select(User.id).where(User.email == "marketing@test.example")
        ).scalar_one()
    response = lead.post(f"/users/{user_id}/role", data={"role": "viewer"})
    assert response.status_code == 303
    response = other.get("/experiments")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signed_in_pages_are_not_stored_and_ask_for_no_features(client, login):
    response = client.get("/login")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "camera=()" in response.headers["Permissions-Policy"]
    login(client, "marketing")
    response = client.get("/experiments")
    assert response.headers["Cache-Control"] == "no-store"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    static = client.get("/static/app.css")
    assert static.headers.get("Cache-Control") != "no-store"
    static.close()
