"""Entering a whole sprint in one form: all cells or none (issue 9)."""

import re

import pytest

from database import db
from experiments.models import Experiment, Metric, Result, ResultEdit


@pytest.fixture
def setup(app, make_sprint, make_experiment):
    """A running experiment (A, B) with a marketing rate and a sales deal value."""
    with app.app_context():
        sprint = make_sprint(3)  # the current sprint
        experiment = make_experiment(
            start_sprint_id=sprint.id,
            metrics=[
                Metric(name="Open rate", kind="binomial", funnel_stage="lead",
                       owner="marketing", role="primary", position=0),
                Metric(name="Deal value", kind="continuous", funnel_stage="won",
                       owner="sales", role="secondary", position=1),
            ],
        )  # fmt: skip
        a, b = experiment.variants
        rate, value = experiment.metrics
        return {
            "url": f"/experiments/{experiment.id}/sprints/{sprint.id}/results",
            "experiment": experiment.id,
            "sprint": sprint.id,
            "rate_a": f"c{a.id}-{rate.id}",
            "rate_b": f"c{b.id}-{rate.id}",
            "value_a": f"c{a.id}-{value.id}",
            "value_b": f"c{b.id}-{value.id}",
        }


def _stored(app):
    with app.app_context():
        rows = db.session.execute(
            db.select(Result.units, Result.conversions, Result.value_mean).order_by(
                Result.id
            )
        ).all()
        trail = db.session.execute(db.select(db.func.count(ResultEdit.id))).scalar()
        return [tuple(r) for r in rows], trail


def test_a_sprint_is_entered_in_one_form(app, client, login, setup):
    login(client, "marketing")
    page = client.get(setup["url"]).get_data(as_text=True)
    for prefix in ("rate_a", "rate_b", "value_a", "value_b"):
        assert f'name="{setup[prefix]}-units"' in page
    answer = client.post(
        setup["url"],
        data={
            f"{setup['rate_a']}-units": "1,000",
            f"{setup['rate_a']}-conversions": "50",
            f"{setup['rate_b']}-units": "1000",
            f"{setup['rate_b']}-conversions": "70",
            f"{setup['value_a']}-units": "10",
            f"{setup['value_a']}-mean": "1200",
            f"{setup['value_a']}-sd": "300",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(
        f"/experiments/{setup['experiment']}#results"
    )
    rows, trail = _stored(app)
    assert sorted(rows, key=str) == sorted(
        [(1000, 50, None), (1000, 70, None), (10, None, 1200.0)], key=str
    )
    assert trail == 3
    again = client.get(setup["url"]).get_data(as_text=True)
    assert f'name="{setup["rate_b"]}-conversions" inputmode="numeric"' in again
    assert 'value="70"' in again and 'value="1200"' in again


def test_one_bad_cell_saves_nothing_and_is_marked(app, client, login, setup):
    login(client, "marketing")
    answer = client.post(
        setup["url"],
        data={
            f"{setup['rate_a']}-units": "1000",
            f"{setup['rate_a']}-conversions": "50",
            f"{setup['rate_b']}-units": "100",
            f"{setup['rate_b']}-conversions": "170",
        },
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert "Conversions (170) cannot exceed units (100)." in html
    bad = re.search(rf'<input name="{setup["rate_b"]}-conversions"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in bad and 'value="170"' in bad
    good = re.search(rf'<input name="{setup["rate_a"]}-units"[^>]*>', html)[0]
    assert 'value="1000"' in good and "aria-invalid" not in good
    assert _stored(app) == ([], 0)


def test_an_empty_form_is_refused(client, login, setup):
    login(client, "marketing")
    answer = client.post(setup["url"], data={})
    assert answer.status_code == 422
    assert "Enter the figures of at least one cell." in answer.get_data(as_text=True)


def test_sales_enters_only_what_sales_owns(app, client, login, setup):
    login(client, "sales")
    page = client.get(setup["url"]).get_data(as_text=True)
    assert f'name="{setup["value_a"]}-units"' in page
    assert f'name="{setup["rate_a"]}-units"' not in page
    answer = client.post(
        setup["url"],
        data={
            f"{setup['rate_a']}-units": "1000",  # not theirs: ignored
            f"{setup['rate_a']}-conversions": "50",
            f"{setup['value_b']}-units": "5",
            f"{setup['value_b']}-mean": "900",
            f"{setup['value_b']}-sd": "10",
        },
    )
    assert answer.status_code == 303
    assert _stored(app)[0] == [(5, None, 900.0)]


def test_the_sprint_form_refuses_what_cannot_be_entered(
    app, client, login, setup, make_sprint
):
    login(client, "viewer")
    assert client.get(setup["url"]).status_code == 403
    login(client, "marketing")
    with app.app_context():
        earlier = make_sprint(1)  # before the experiment started
        outside = setup["url"].replace(f"/sprints/{setup['sprint']}/",
                                       f"/sprints/{earlier.id}/")  # fmt: skip
        assert client.get(outside).status_code == 404
        experiment = db.session.get(Experiment, setup["experiment"])
        experiment.status, experiment.decision = "decided", "ship"
        db.session.commit()
    locked = client.post(setup["url"], data={f"{setup['rate_a']}-units": "1"})
    assert locked.status_code == 409
    assert "The results are locked" in locked.get_data(as_text=True)
    assert _stored(app) == ([], 0)


def test_the_grid_offers_enter_all_for_each_sprint(client, login, setup):
    login(client, "marketing")
    page = client.get(f"/experiments/{setup['experiment']}").get_data(as_text=True)
    assert f'href="{setup["url"]}">Enter all</a>' in page
    login(client, "viewer")
    page = client.get(f"/experiments/{setup['experiment']}").get_data(as_text=True)
    assert "Enter all" not in page


def _input(html: str, name: str) -> str:
    return re.search(rf'<input name="{name}"[^>]*>', html)[0]


def test_a_pasted_block_fills_the_cells_for_a_check_then_saves(
    app, client, login, setup
):
    login(client, "marketing")
    block = (
        "2024\t1,234\t56\n"  # a label that looks like a number
        "B\t1.300\t70\n"
        "A;10;1.234,5;300\n"  # decimal comma and thousands point, semicolons
        "B\t12\t1 180,25\t310,5\n"
    )
    preview = client.post(setup["url"], data={"action": "paste", "paste": block})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "4 cells filled from the paste: check them, then save." in html
    assert 'value="1234"' in _input(html, f"{setup['rate_a']}-units")
    assert 'value="1300"' in _input(html, f"{setup['rate_b']}-units")
    assert 'value="1234.5"' in _input(html, f"{setup['value_a']}-mean")
    assert 'value="1180.25"' in _input(html, f"{setup['value_b']}-mean")
    assert _stored(app) == ([], 0)  # a preview saves nothing

    fields = dict(re.findall(r'<input name="(c[\d-]+-\w+)"[^>]*value="([^"]*)"', html))
    saved = client.post(setup["url"], data=fields)
    assert saved.status_code == 303
    rows, trail = _stored(app)
    assert sorted(rows, key=str) == sorted(
        [(1234, 56, None), (1300, 70, None), (10, None, 1234.5), (12, None, 1180.25)],
        key=str,
    )
    assert trail == 4


def test_a_pasted_block_with_a_bad_cell_is_marked_and_saves_nothing(
    app, client, login, setup
):
    login(client, "marketing")
    bad = client.post(
        setup["url"], data={"action": "paste", "paste": "1000\t50\n100\t170\n"}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Conversions (170) cannot exceed units (100)." in html
    assert 'aria-invalid="true"' in _input(html, f"{setup['rate_b']}-conversions")
    assert "aria-invalid" not in _input(html, f"{setup['rate_a']}-units")
    assert _stored(app) == ([], 0)

    short = client.post(setup["url"], data={"action": "paste", "paste": "1000\n"})
    assert short.status_code == 422
    assert "Line 1: expected 2 figures (units, conversions), found 1." in (
        short.get_data(as_text=True)
    )
    long = client.post(setup["url"], data={"action": "paste", "paste": "1\t1\n" * 5})
    assert long.status_code == 422
    assert "5 lines for 4 cells" in long.get_data(as_text=True)
    empty = client.post(setup["url"], data={"action": "paste", "paste": " \n"})
    assert empty.status_code == 422
    assert "Paste at least one line of figures." in empty.get_data(as_text=True)
    assert _stored(app) == ([], 0)


@pytest.mark.parametrize(
    ("text", "whole", "read"),
    [
        ("1,234", True, "1234"),
        ("1.234.567", True, "1234567"),
        ("12 345", True, "12345"),
        ("1.5", True, "1.5"),  # the form then refuses it: not a whole number
        ("4,5", False, "4.5"),
        ("1.234,5", False, "1234.5"),
        ("1,234.5", False, "1234.5"),
        ("−3,25", False, "-3.25"),
        ("+7", False, "7"),
        ("abc", False, None),
        ("", True, None),
    ],
)
def test_pasted_numbers_are_read_with_their_separators(text, whole, read):
    from experiments.paste import number

    assert number(text, whole) == read
