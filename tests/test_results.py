"""Entering results inline: validation, permissions, the trail and the fragment."""

import pytest

from conftest import (
    add_result,
    login,
    make_cell_ids,
    make_experiment,
    make_sprint,
    partial,
    post_cell,
)
from database import db
from experiments.models import Metric, Result, ResultEdit


@pytest.fixture
def setup(app):
    """A running experiment, a sprint; the ids a cell form posts."""
    return make_cell_ids(app)


def one_metric_experiment(app, name, kind, stage, owner) -> dict:
    """A running experiment whose only (primary) metric is the one described."""
    metric = Metric(
        name=name, kind=kind, funnel_stage=stage, owner=owner, role="primary"
    )
    return make_cell_ids(app, metrics=[metric])


def stored(app):
    with app.app_context():
        return [
            (r.variant_id, r.units, r.conversions)
            for r in db.session.execute(db.select(Result).order_by(Result.id)).scalars()
        ]


def test_entering_a_cell_stores_it_and_redirects(client, app, setup):
    login(client, "marketing")
    response = post_cell(client, setup, units="1,000", conversions="50")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/experiments/{setup['experiment']}#results"
    assert stored(app) == [(setup["a"], 1000, 50)]
    with app.app_context():
        result = db.session.execute(db.select(Result)).scalar_one()
        assert result.source == "form"
        assert result.entered_by.role == "marketing"


def test_htmx_save_answers_the_results_panel_with_the_new_analysis(client, app, setup):
    login(client, "marketing")
    post_cell(client, setup, units="1000", conversions="50")
    response = post_cell(
        client, setup, variant="b", headers=partial(), units="1000", conversions="80"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="results-panel">')
    assert "80 / 1,000" in html
    assert "B beats A on Open rate: +60%" in html


def test_editing_a_cell_leaves_a_trail(client, app, setup):
    login(client, "marketing")
    post_cell(client, setup, units="100", conversions="5")
    post_cell(client, setup, units="120", conversions="6")
    post_cell(client, setup, units="120", conversions="6")  # unchanged: no new entry
    with app.app_context():
        edits = db.session.execute(
            db.select(ResultEdit).order_by(ResultEdit.id)
        ).scalars()
        assert [
            (e.old_units, e.old_conversions, e.new_units, e.new_conversions)
            for e in edits
        ] == [(None, None, 100, 5), (100, 5, 120, 6)]
    assert stored(app) == [(setup["a"], 120, 6)]


INVALID = [
    ({"units": "-5", "conversions": "1"}, "Units cannot be negative."),
    ({"units": "ten", "conversions": "1"}, "Units must be a whole number, not “ten”."),
    ({"units": "1.5", "conversions": "1"}, "Units must be a whole number, not “1.5”."),
    ({"units": "", "conversions": "1"}, "Units is required."),
    (
        {"units": "10", "conversions": "11"},
        "Conversions (11) cannot exceed units (10).",
    ),
    (
        {"units": "1000000000001", "conversions": "1"},
        "Units must be at most 1,000,000,000,000.",
    ),
    (
        {"units": "10", "conversions": "99999999999999999999999"},
        "Conversions must be at most 1,000,000,000,000.",
    ),
]


@pytest.mark.parametrize("values,message", INVALID)
def test_invalid_counts_are_refused_next_to_the_cell(
    client, app, setup, values, message
):
    login(client, "marketing")
    response = post_cell(client, setup, headers=partial(), **values)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "<html" not in html
    # The cell form is open again with what was typed.
    assert f'name="units" inputmode="numeric" value="{values["units"]}"' in html
    assert stored(app) == []


def test_a_failed_edit_keeps_the_stored_figures(client, app, setup):
    login(client, "marketing")
    post_cell(client, setup, units="100", conversions="5")
    response = post_cell(client, setup, units="100", conversions="500")
    assert response.status_code == 422
    assert stored(app) == [(setup["a"], 100, 5)]


def test_unknown_ids_are_404(client, app, setup):
    login(client, "marketing")
    assert (
        post_cell(client, {**setup, "a": 999}, units="1", conversions="0").status_code
        == 404
    )
    assert (
        post_cell(
            client, {**setup, "sprint": "x"}, units="1", conversions="0"
        ).status_code
        == 404
    )
    assert (
        post_cell(
            client, {**setup, "experiment": 999}, units="1", conversions="0"
        ).status_code
        == 404
    )


def test_a_variant_of_another_experiment_is_404(client, app, setup):
    with app.app_context():
        other = make_experiment(title="Other")
        other_variant = other.variants[0].id
    login(client, "marketing")
    response = post_cell(
        client, {**setup, "a": other_variant}, units="1", conversions="0"
    )
    assert response.status_code == 404
    assert stored(app) == []


def test_results_need_a_started_experiment(client, app):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment(status="planned")
        ids = {
            "experiment": experiment.id,
            "a": experiment.variants[0].id,
            "metric": experiment.metrics[0].id,
            "sprint": sprint.id,
        }
    login(client, "marketing")
    response = post_cell(client, ids, units="10", conversions="1")
    assert response.status_code == 422
    assert b"Start the experiment before entering results." in response.data


def test_sales_enters_results_of_a_sales_metric(client, app):
    ids = one_metric_experiment(app, "SQL rate", "binomial", "sql", "sales")
    login(client, "sales")
    assert post_cell(client, ids, units="40", conversions="9").status_code == 303
    assert stored(app) == [(ids["a"], 40, 9)]


def test_continuous_metric_is_entered_as_mean_and_sd(client, app):
    ids = one_metric_experiment(app, "Deal size", "continuous", "won", "marketing")
    login(client, "marketing")
    assert post_cell(client, ids, units="4", mean="10", sd="2").status_code == 303
    with app.app_context():
        result = db.session.execute(db.select(Result)).scalar_one()
        # sum = n * mean; sum of squares = (n - 1) sd^2 + n mean^2
        assert (result.units, result.value_sum, result.value_sum_squares) == (
            4,
            40.0,
            412.0,
        )
        assert result.conversions is None
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    assert "10.0 ± 2.0" in page


@pytest.mark.parametrize(
    "values,message",
    [
        (
            {"units": "1", "mean": "5", "sd": "3"},
            "With fewer than 2 units the standard deviation is 0.",
        ),
        (
            {"units": "10", "mean": "5", "sd": "-1"},
            "Standard deviation must be at least 0.",
        ),
        ({"units": "10", "mean": "inf", "sd": "1"}, "Mean must be a finite number."),
        ({"units": "10", "mean": "", "sd": "1"}, "Mean is required."),
    ],
)
def test_invalid_continuous_entry(client, app, values, message):
    ids = one_metric_experiment(app, "Deal size", "continuous", "won", "marketing")
    login(client, "marketing")
    response = post_cell(client, ids, **values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) == []


def test_cell_edit_link_opens_the_form_as_a_fragment(client, app, setup):
    login(client, "marketing")
    key = f"{setup['a']}-{setup['metric']}-{setup['sprint']}"
    response = client.get(
        f"/experiments/{setup['experiment']}?edit={key}", headers=partial()
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'name="units"' in html and 'name="conversions"' in html


def test_cell_edit_link_without_htmx_gives_the_whole_page(client, app, setup):
    login(client, "marketing")
    key = f"{setup['a']}-{setup['metric']}-{setup['sprint']}"
    response = client.get(f"/experiments/{setup['experiment']}?edit={key}")
    assert b"<html" in response.data
    assert b'name="conversions"' in response.data


def test_a_viewer_cannot_open_a_cell(client, app, setup):
    login(client, "viewer")
    key = f"{setup['a']}-{setup['metric']}-{setup['sprint']}"
    assert (
        client.get(f"/experiments/{setup['experiment']}?edit={key}").status_code == 403
    )


def test_the_grid_totals_add_up_across_sprints(client, app, setup):
    with app.app_context():
        sprint2 = make_sprint(2)
        setup["sprint2"] = sprint2.id
    login(client, "marketing")
    post_cell(client, setup, units="100", conversions="5")
    post_cell(
        client, {**setup, "sprint": setup["sprint2"]}, units="300", conversions="25"
    )
    page = client.get(f"/experiments/{setup['experiment']}").get_data(as_text=True)
    assert "<strong>30 / 400</strong>" in page
    assert "7.50%" in page


def test_the_page_lists_the_changes(client, app, setup):
    login(client, "marketing")
    post_cell(client, setup, units="100", conversions="5")
    post_cell(client, setup, units="120", conversions="6")
    page = client.get(f"/experiments/{setup['experiment']}").get_data(as_text=True)
    assert "Changes to the results" in page
    assert "5 / 100 → 6 / 120" in page
    # Newest first: the edit stands above the first entry.
    assert page.index("5 / 100 → 6 / 120") < page.rindex("5 / 100")


def test_a_cell_inserted_meanwhile_is_updated_not_crashed(
    client, app, setup, monkeypatch
):
    """Two saves of a new cell at once: the loser of the race updates the row."""
    from experiments import results

    real_record = results.record_result
    calls = []

    def racing_record(variant_id, sprint_id, metric_id, values, source, user_id):
        if not calls:  # another request inserts the same cell first
            calls.append(1)
            add_result(variant_id, sprint_id, metric_id, units=1, conversions=0)
            db.session.commit()
            add_result(variant_id, sprint_id, metric_id, units=2, conversions=0)
            return None
        return real_record(variant_id, sprint_id, metric_id, values, source, user_id)

    monkeypatch.setattr(results, "record_result", racing_record)
    login(client, "marketing")
    response = post_cell(client, setup, units="50", conversions="5")
    assert response.status_code == 303
    assert stored(app) == [(setup["a"], 50, 5)]
