"""Requests an outside test found answering 500: each now gets a clear answer.

(Issue 8 §1: a plain POST to the calculator, row fragments without htmx, deeply
nested JSON, tiny legal numbers in the sample size, text that grows when it is
normalised, a carriage return in the login's next=.)
"""

import pytest

from helpers import PASSWORD


def test_a_plain_post_to_the_calculator_answers_the_page(client, login):
    login(client, "marketing")
    data = {"baseline_rate": "5", "relative_mde": "20", "alpha": "0.05",
            "power": "0.8", "variants": "2"}  # fmt: skip
    response = client.post("/calculator/sample-size", data=data)
    assert response.status_code == 200
    assert "units per variant" in response.get_data(as_text=True)
    data["baseline_rate"] = "abc"
    response = client.post("/calculator/sample-size", data=data)
    assert response.status_code == 422
    assert "Baseline rate must be a number" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["variants", "metrics"])
def test_a_row_fragment_without_htmx_is_still_a_row(client, login, kind):
    login(client, "marketing")
    response = client.get(f"/experiments/rows/{kind}")
    assert response.status_code == 200
    assert f'name="{kind}-' in response.get_data(as_text=True)


def test_deeply_nested_json_is_refused_with_a_400(client, login):
    body = "[" * 1000 + "]" * 1000
    for url in ("/api/v1/analyze", "/api/v1/sample-size", "/api/v1/boundaries"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code in (400, 422), url
        assert response.is_json


@pytest.mark.parametrize(
    "changes",
    [
        {"alpha": 5e-324},
        {"alpha": 1e-300},
        {"units_per_sprint": 5e-324},
        {"baseline_rate": 5e-324},
        {"power": 1 - 1e-16},
    ],
)
def test_tiny_legal_numbers_in_the_sample_size_answer_4xx_or_a_plan(client, changes):
    payload = {"baseline_rate": 0.05, "relative_mde": 0.2, **changes}
    response = client.post("/api/v1/sample-size", json=payload)
    assert response.status_code in (200, 422)
    assert response.is_json
    if response.status_code == 422:
        assert response.get_json()["error"]


def test_a_carriage_return_in_next_is_ignored_after_login(client, make_user, app):
    with app.app_context():
        make_user("marketing")
    response = client.post(
        "/login?next=/experiments%0D%0ASet-Cookie:%20x=1",
        data={"email": "marketing@test.example", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert "\r" not in response.headers["Location"]
    assert "\n" not in response.headers["Location"]


def test_an_email_that_grows_when_lower_cased_is_refused(client, app, login):
    """200 x "İ" is 200 characters typed and 400 once lower-cased: on PostgreSQL it
    overflowed the column (500)."""
    from auth.models import User
    from database import db

    login(client, "lead")
    email = "İ" * 200 + "@example.com"
    response = client.post(
        "/users",
        data={"name": "Ira", "email": email, "role": "viewer", "password": "x" * 12},
    )
    assert response.status_code == 422
    assert "Email is too long: at most 254 characters." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1


def test_tags_that_grow_when_lower_cased_are_refused_together(
    client, app, login, make_cell_ids
):
    """Each tag is within 40 characters and the typed text within 500, but lower-
    cased "İ" doubles: the joined tags would pass the column's 500."""
    from content.models import Feedback
    from database import db

    ids = make_cell_ids(app)
    login(client, "sales")
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    token = page.split('name="form_token" value="')[1].split('"')[0]
    tags = ",".join(f"{i:02d}" + "İ" * 18 for i in range(20))
    assert len(tags) <= 500
    response = client.post(
        f"/experiments/{ids['experiment']}/feedback",
        data={"variant_id": ids["b"], "sprint_id": ids["sprint"], "lead_quality": "3",
              "sentiment": "neutral", "outcome": "open", "objections": tags,
              "form_token": token},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Objections are too long together: at most 500 characters." in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Feedback.id))).scalar() == 0


def test_a_value_the_database_refuses_answers_400_and_saves_nothing(
    app, client, login, monkeypatch
):
    """PostgreSQL refuses a NUL in text with a DataError: whatever slips past the
    checks that way is a 400 with a plain message, and the transaction is undone."""
    from sqlalchemy.exc import DataError

    from experiments import calendar
    from experiments.models import Sprint

    real = calendar.create_sprint

    def refused(*args, **kwargs):
        real(*args, **kwargs)
        raise DataError("INSERT", {}, ValueError("text cannot contain NUL"))

    monkeypatch.setattr("experiments.sprints.create_sprint", refused)
    login(client, "lead")
    response = client.post(
        "/sprints",
        data={"name": "S", "start_date": "2031-01-01", "end_date": "2031-01-10"},
    )
    assert response.status_code == 400
    assert "a value the database cannot store" in response.get_data(as_text=True)
    from database import db

    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Sprint.id))).scalar() == 0


def test_a_cell_that_keeps_changing_answers_409_and_saves_nothing(
    app, client, login, make_cell_ids, monkeypatch
):
    """The compare-and-set lost every try (another save always got there first):
    409, and neither the cell nor its trail moved."""
    from database import db
    from experiments import entry
    from experiments.models import Result, ResultEdit
    from helpers import post_cell

    ids = make_cell_ids(app)
    login(client, "marketing")
    assert post_cell(client, ids, units="100", conversions="5").status_code == 303
    monkeypatch.setattr(entry, "_compare_and_set", lambda *args: False)
    response = post_cell(client, ids, units="120", conversions="6")
    assert response.status_code == 409
    assert "Someone saved a conflicting change at the same moment" in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.execute(db.select(Result.units)).scalar_one() == 100
        assert db.session.execute(db.select(db.func.count(ResultEdit.id))).scalar() == 1


def test_a_content_edit_over_a_newer_version_is_refused(app):
    """Two edits read version 1; the first archives it. The second finds the
    version moved and saves nothing (the view answers 409)."""
    from content.library import save_item
    from content.models import ContentItem, ContentVersion
    from database import ConcurrentChange, db

    with app.app_context():
        item = save_item(None, {"kind": "headline", "title": "T", "body": "v1",
                                "call_to_action": "", "persona": "",
                                "funnel_stage": None, "tags": []}, None)  # fmt: skip
        db.session.commit()
        assert item.version == 1  # this edit's read of the item
        db.session.execute(
            db.update(ContentItem)
            .values(version=ContentItem.version + 1)
            .execution_options(synchronize_session=False)
        )  # another edit got there first, unseen by `item`
        values = {"kind": "headline", "title": "T", "body": "v2",
                  "call_to_action": "", "persona": "", "funnel_stage": None,
                  "tags": []}  # fmt: skip
        with pytest.raises(ConcurrentChange):
            save_item(item, values, None)
        db.session.rollback()
        assert db.session.execute(db.select(ContentVersion)).first() is None
