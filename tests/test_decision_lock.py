"""A decision locks the results and keeps the figures it was based on; a lead
reopens them with a reason, which the log records (issue 9)."""

import json

import pytest

from database import db
from experiments.models import DecisionEvent, Experiment, Result, ResultEdit
from helpers import post_cell

DECIDE = {"decision": "ship", "decision_reason": "B won", "learning": "Questions win"}


@pytest.fixture
def decided(app, client, login, make_cell_ids):
    """A running experiment with a sprint of results, decided by a lead."""
    ids = make_cell_ids(app)
    with app.app_context():
        db.session.get(Experiment, ids["experiment"]).start_sprint_id = ids["sprint"]
        db.session.commit()
    login(client, "lead")
    for variant, conversions in (("a", "50"), ("b", "80")):
        answer = post_cell(client, ids, variant, units="1000", conversions=conversions)
        assert answer.status_code == 303
    answer = client.post(f"/experiments/{ids['experiment']}/decision", data=DECIDE)
    assert answer.status_code == 303
    return ids


def _rows(app):
    with app.app_context():
        return (
            db.session.execute(db.select(Result.units, Result.conversions)).all(),
            db.session.execute(db.select(db.func.count(ResultEdit.id))).scalar(),
        )


def test_the_decision_keeps_a_snapshot_of_the_figures(app, decided):
    with app.app_context():
        [event] = db.session.execute(db.select(DecisionEvent)).scalars().all()
        assert (event.kind, event.decision, event.reason) == (
            "decided",
            "ship",
            "B won",
        )
        snapshot = json.loads(event.snapshot)
    assert snapshot["metric"] == "Open rate"
    assert snapshot["looks"] == 1
    assert len(snapshot["verdicts"]) == 1 and snapshot["verdicts"][0].startswith("B ")
    assert [
        (v["name"], v["units"], v["conversions"]) for v in snapshot["variants"]
    ] == [
        ("A", 1000, 50),
        ("B", 1000, 80),
    ]


def test_a_decided_experiments_results_are_locked(app, client, decided):
    before = _rows(app)
    answer = post_cell(client, decided, "b", units="1000", conversions="10")
    assert answer.status_code == 409
    text = answer.get_data(as_text=True)
    assert "The results are locked by the decision of" in text
    assert "A team lead can reopen them with a reason." in text
    assert _rows(app) == before
    edit = f"{decided['b']}-{decided['metric']}-{decided['sprint']}"
    assert (
        client.get(f"/experiments/{decided['experiment']}?edit={edit}").status_code
        == 409
    )
    page = client.get(f"/experiments/{decided['experiment']}").get_data(as_text=True)
    assert "The results are locked by this decision." in page
    assert "+ enter" not in page and "?edit=" not in page
    assert "At the decision · Open rate, 1 sprint look" in page


def test_only_a_lead_reopens_and_only_with_a_reason(app, client, login, decided):
    url = f"/experiments/{decided['experiment']}/reopen"
    login(client, "marketing")
    assert client.post(url, data={"reason": "Late CRM export"}).status_code == 403
    login(client, "lead")
    refused = client.post(url, data={"reason": "  "})
    assert refused.status_code == 422
    assert "Reason is required." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Experiment, decided["experiment"]).status == "decided"
        assert (
            db.session.execute(db.select(db.func.count(DecisionEvent.id))).scalar() == 1
        )


def test_a_reopened_experiment_takes_results_and_shows_both_figures(
    app, client, decided
):
    url = f"/experiments/{decided['experiment']}"
    reopened = client.post(f"{url}/reopen", data={"reason": "Late CRM export"})
    assert reopened.status_code == 303
    with app.app_context():
        experiment = db.session.get(Experiment, decided["experiment"])
        assert (experiment.status, experiment.decision) == ("analyzing", "ship")
        assert [e.kind for e in experiment.decision_events] == ["decided", "reopened"]
    saved = post_cell(client, decided, "b", units="1000", conversions="40")
    assert saved.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Results reopened by Lead on" in page and "Late CRM export" in page
    assert "At the decision · Open rate" in page
    assert "Now: the figures have changed since · Open rate" in page
    assert "B: 80 / 1,000" in page and "B: 40 / 1,000" in page
    assert client.get("/").get_data(as_text=True).count("Subject line test") == 1

    again = client.post(f"{url}/decision", data=DECIDE | {"decision": "stop"})
    assert again.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Now: the figures have changed since" not in page
    assert "Decision log" in page and "reopened the results: Late CRM export" in page
    locked = post_cell(client, decided, "b", units="1000", conversions="45")
    assert locked.status_code == 409


def test_reopening_an_undecided_experiment_is_refused(
    app, client, login, make_cell_ids
):
    ids = make_cell_ids(app)
    login(client, "lead")
    answer = client.post(
        f"/experiments/{ids['experiment']}/reopen", data={"reason": "why"}
    )
    assert answer.status_code == 422
    assert "Only a decided experiment" in answer.get_data(as_text=True)
