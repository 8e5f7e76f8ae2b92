"""Sales field feedback: adding it, its validation and the double-submit guard."""

import re

import pytest

from content.models import Feedback
from database import db
from helpers import partial


@pytest.fixture
def ids(app, make_experiment, make_sprint):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment(start_sprint_id=sprint.id)
        return {
            "experiment": experiment.id,
            "variant": experiment.variants[1].id,
            "sprint": sprint.id,
        }


def token(client, experiment_id) -> str:
    page = client.get(f"/experiments/{experiment_id}").get_data(as_text=True)
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def feedback_data(ids, form_token, **overrides):
    return {
        "variant_id": ids["variant"],
        "sprint_id": ids["sprint"],
        "lead_quality": "4",
        "sentiment": "positive",
        "outcome": "open",
        "objections": "Price, timing, price",
        "text": "Good leads.",
        "form_token": form_token,
        **overrides,
    }


def notes(app):
    with app.app_context():
        return db.session.execute(db.select(Feedback)).scalars().all()


def test_sales_adds_feedback(client, app, ids, login):
    login(client, "sales")
    response = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(ids, token(client, ids["experiment"])),
    )
    assert response.status_code == 303
    [note] = notes(app)
    assert (note.lead_quality, note.sentiment, note.outcome) == (4, "positive", "open")
    assert note.objections == "price,timing"
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    assert "Good leads." in page
    assert '<span class="tag">timing</span>' in page


def test_htmx_add_answers_the_feedback_fragment(client, app, ids, login):
    login(client, "sales")
    response = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(ids, token(client, ids["experiment"])),
        headers=partial(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="feedback">')
    assert "Good leads." in html


def test_double_submit_saves_once(client, app, ids, login):
    login(client, "sales")
    data = feedback_data(ids, token(client, ids["experiment"]))
    url = f"/experiments/{ids['experiment']}/feedback"
    assert client.post(url, data=data).status_code == 303
    second = client.post(url, data=data)
    assert second.status_code == 409
    assert b"This form was already submitted, so it was not saved again." in second.data
    assert len(notes(app)) == 1


def test_missing_form_token_is_400(client, app, ids, login):
    login(client, "sales")
    response = client.post(
        f"/experiments/{ids['experiment']}/feedback", data=feedback_data(ids, "")
    )
    assert response.status_code == 400
    assert b"The form is missing its token; reload the page." in response.data
    assert notes(app) == []


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"lead_quality": "6"}, "Lead quality must be at most 5."),
        ({"lead_quality": "0"}, "Lead quality must be at least 1."),
        ({"lead_quality": ""}, "Lead quality is required."),
        ({"sentiment": "angry"}, "“angry” is not a known sentiment."),
        ({"outcome": ""}, "Choose an outcome."),
        ({"variant_id": "999"}, "Choose the variant the leads came from."),
        ({"sprint_id": "abc"}, "Choose a sprint."),
        ({"text": "x" * 5001}, "Note is too long: 5,001 characters, at most 5,000."),
        ({"objections": "y" * 41}, "Each tag is at most 40 characters"),
    ],
)
def test_invalid_feedback_is_refused_and_keeps_the_token(
    client, app, ids, overrides, message, login
):
    login(client, "sales")
    form_token = token(client, ids["experiment"])
    response = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(ids, form_token, **overrides),
        headers=partial(),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert notes(app) == []
    # The token was not used up: the corrected form still saves.
    fixed = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(ids, form_token),
    )
    assert fixed.status_code == 303


def test_script_in_feedback_is_inert(client, app, ids, login):
    login(client, "sales")
    client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(
            ids, token(client, ids["experiment"]), text="<img src=x onerror=alert(1)>"
        ),
    )
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_feedback_with_a_forged_variant_id_is_refused(
    client, app, login, make_cell_ids
):
    ids = make_cell_ids(app)
    login(client, "sales")
    response = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data={"variant_id": "99999999999999999999", "sprint_id": ids["sprint"],
              "lead_quality": "3", "sentiment": "neutral", "outcome": "open",
              "form_token": "t1"},
    )  # fmt: skip
    assert response.status_code == 422
    assert b"Choose the variant the leads came from." in response.data
    with app.app_context():
        assert db.session.execute(db.select(Feedback)).first() is None


def test_feedback_names_only_a_sprint_the_experiment_ran_in(
    client, app, login, make_sprint, make_experiment
):
    """Sprint 1 is before the experiment started in sprint 2; sprint 3 runs now."""
    with app.app_context():
        before, started, now = (make_sprint(n) for n in (1, 2, 3))
        experiment = make_experiment(start_sprint_id=started.id)
        ids = {"experiment": experiment.id, "variant": experiment.variants[1].id}
        before_id, started_id, now_id = before.id, started.id, now.id
    login(client, "sales")
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    choices = re.search(r'<select[^>]*name="sprint_id".*?</select>', page, re.S)[0]
    assert f'value="{before_id}"' not in choices
    assert f'value="{started_id}"' in choices
    assert f'value="{now_id}" selected' in choices
    refused = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(
            ids | {"sprint": before_id}, token(client, ids["experiment"])
        ),
    )
    assert refused.status_code == 422
    assert "Choose a sprint in which this experiment ran." in refused.get_data(
        as_text=True
    )
    assert notes(app) == []
    accepted = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data=feedback_data(
            ids | {"sprint": started_id}, token(client, ids["experiment"])
        ),
    )
    assert accepted.status_code == 303
    assert [n.sprint_id for n in notes(app)] == [started_id]


def test_a_decided_experiment_takes_feedback_up_to_its_decision_sprint(
    app, make_sprint, make_experiment
):
    from datetime import datetime

    from experiments.calendar import sprints_run

    with app.app_context():
        first, second, third = (make_sprint(n) for n in (1, 2, 3))
        experiment = make_experiment(
            start_sprint_id=first.id,
            status="decided",
            decision="ship",
            decided_at=datetime.combine(second.start_date, datetime.min.time()),
        )
        assert [s.id for s in sprints_run(experiment)] == [first.id, second.id]
        idea = make_experiment(title="Not started", status="idea")
        assert sprints_run(idea) == []
        assert third.id
