"""Sprints: the list, creating one, and a sprint's experiments by status."""

from datetime import date

import pytest

from database import db
from experiments.models import Sprint


def test_create_a_sprint(client, app, login):
    login(client, "marketing")
    response = client.post(
        "/sprints",
        data={
            "name": "Sprint 7",
            "start_date": "2026-12-01",
            "end_date": "2026-12-14",
            "goal": "Ship the CFO page",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        sprint = db.session.execute(db.select(Sprint)).scalar_one()
        assert response.headers["Location"] == f"/sprints/{sprint.id}"
        assert (sprint.start_date, sprint.end_date) == (
            date(2026, 12, 1),
            date(2026, 12, 14),
        )


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"name": "", "start_date": "2026-12-01", "end_date": "2026-12-14"},
            "Name is required.",
        ),
        (
            {"name": "S", "start_date": "01/12/2026", "end_date": "2026-12-14"},
            "Start date must be a date like 2026-03-31.",
        ),
        (
            {"name": "S", "start_date": "2026-12-14", "end_date": "2026-12-01"},
            "The end date must be on or after the start date.",
        ),
        (
            {"name": "S", "start_date": "2026-01-01", "end_date": "2026-12-01"},
            "A sprint lasts at most 92 days.",
        ),
        (
            {"name": "S", "start_date": "2026-02-30", "end_date": "2026-03-10"},
            "Start date must be a date like 2026-03-31.",
        ),
    ],
)
def test_invalid_sprint_is_refused(client, app, data, message, login):
    login(client, "marketing")
    response = client.post("/sprints", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Sprint)).first() is None


def test_duplicate_or_overlapping_sprint_is_refused(client, app, login, make_sprint):
    with app.app_context():
        make_sprint(1, start=date(2026, 12, 1))
    login(client, "marketing")
    duplicate = client.post(
        "/sprints",
        data={"name": "sprint 1", "start_date": "2027-01-01", "end_date": "2027-01-14"},
    )
    assert duplicate.status_code == 422
    assert b"A sprint with this name already exists." in duplicate.data
    overlap = client.post(
        "/sprints",
        data={"name": "Other", "start_date": "2026-12-10", "end_date": "2026-12-20"},
    )
    assert overlap.status_code == 422
    assert b"These dates overlap Sprint 1." in overlap.data


def test_the_form_suggests_the_next_sprint(client, app, login, make_sprint):
    with app.app_context():
        make_sprint(1, start=date(2026, 12, 1))
    login(client, "marketing")
    page = client.get("/sprints").get_data(as_text=True)
    assert 'value="Sprint 2"' in page
    assert 'value="2026-12-15"' in page
    assert 'value="2026-12-28"' in page


def test_sprint_page_groups_its_experiments_by_status(
    client, app, add_result, login, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        running = make_experiment(title="Running one")
        make_experiment(
            title="Decided one",
            status="decided",
            decision="ship",
            start_sprint_id=sprint.id,
        )
        make_experiment(title="Elsewhere", status="idea")
        add_result(
            running.variants[0].id,
            sprint.id,
            running.metrics[0].id,
            units=5,
            conversions=1,
        )
        db.session.commit()
        sprint_id = sprint.id
    login(client, "viewer")
    page = client.get(f"/sprints/{sprint_id}").get_data(as_text=True)
    assert "Running one" in page and "Decided one" in page
    assert "Elsewhere" not in page
    assert page.index("Running one") < page.index("Decided one")


def test_unknown_sprint_is_404(client, login):
    login(client, "viewer")
    assert client.get("/sprints/404").status_code == 404


def test_sprint_dates_stay_in_a_sane_range(client, app, login):
    login(client, "marketing")
    response = client.post(
        "/sprints",
        data={"name": "Far", "start_date": "9999-12-20", "end_date": "9999-12-31"},
    )
    assert response.status_code == 422
    assert b"Start date must be between 2000 and 2100." in response.data
    from datetime import date

    with app.app_context():  # one stored before the limit still lists fine
        db.session.add(
            Sprint(
                name="Far", start_date=date(9999, 12, 20), end_date=date(9999, 12, 31)
            )
        )
        db.session.commit()
    response = client.get("/sprints")
    assert response.status_code == 200
    assert "Far" in response.get_data(as_text=True)
