"""Entering results inline: validation, permissions, the trail and the fragment."""

import re

import pytest

from database import db
from experiments.models import Metric, Result, ResultEdit
from helpers import HUGE, form_data, partial, post_cell


@pytest.fixture
def setup(app, make_cell_ids):
    """A running experiment, a sprint; the ids a cell form posts."""
    return make_cell_ids(app)


@pytest.fixture
def one_metric_experiment(app, make_cell_ids):
    """one_metric_experiment(name, kind, stage, owner) -> the cell ids of a running
    experiment whose only (primary) metric is the one described."""

    def make(name, kind, stage, owner) -> dict:
        metric = Metric(
            name=name, kind=kind, funnel_stage=stage, owner=owner, role="primary"
        )
        return make_cell_ids(app, metrics=[metric])

    return make


def stored(app):
    with app.app_context():
        return [
            (r.variant_id, r.units, r.conversions)
            for r in db.session.execute(db.select(Result).order_by(Result.id)).scalars()
        ]


def test_entering_a_cell_stores_it_and_redirects(client, app, setup, login):
    login(client, "marketing")
    response = post_cell(client, setup, units="1,000", conversions="50")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/experiments/{setup['experiment']}#results"
    assert stored(app) == [(setup["a"], 1000, 50)]
    with app.app_context():
        result = db.session.execute(db.select(Result)).scalar_one()
        assert result.source == "form"
        assert result.entered_by.role == "marketing"


def test_htmx_save_answers_the_results_panel_with_the_new_analysis(
    client, app, setup, login
):
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


def test_editing_a_cell_leaves_a_trail(client, app, setup, login):
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
    client, app, setup, values, message, login
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


def test_a_failed_edit_keeps_the_stored_figures(client, app, setup, login):
    login(client, "marketing")
    post_cell(client, setup, units="100", conversions="5")
    response = post_cell(client, setup, units="100", conversions="500")
    assert response.status_code == 422
    assert stored(app) == [(setup["a"], 100, 5)]


def test_unknown_ids_are_404(client, app, setup, login):
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


def test_a_variant_of_another_experiment_is_404(
    client, app, setup, login, make_experiment
):
    with app.app_context():
        other = make_experiment(title="Other")
        other_variant = other.variants[0].id
    login(client, "marketing")
    response = post_cell(
        client, {**setup, "a": other_variant}, units="1", conversions="0"
    )
    assert response.status_code == 404
    assert stored(app) == []


def test_results_need_a_started_experiment(
    client, app, login, make_experiment, make_sprint
):
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


def test_sales_enters_results_of_a_sales_metric(
    client, app, login, one_metric_experiment
):
    ids = one_metric_experiment("SQL rate", "binomial", "sql", "sales")
    login(client, "sales")
    assert post_cell(client, ids, units="40", conversions="9").status_code == 303
    assert stored(app) == [(ids["a"], 40, 9)]


def test_continuous_metric_is_entered_as_mean_and_sd(
    client, app, login, one_metric_experiment
):
    ids = one_metric_experiment("Deal size", "continuous", "won", "marketing")
    login(client, "marketing")
    assert post_cell(client, ids, units="4", mean="10", sd="2").status_code == 303
    with app.app_context():
        result = db.session.execute(db.select(Result)).scalar_one()
        # the mean as typed; M2 = (n - 1) sd^2
        assert (result.units, result.value_mean, result.value_m2) == (4, 10.0, 12.0)
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
def test_invalid_continuous_entry(
    client, app, values, message, login, one_metric_experiment
):
    ids = one_metric_experiment("Deal size", "continuous", "won", "marketing")
    login(client, "marketing")
    response = post_cell(client, ids, **values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app) == []


def test_cell_edit_link_opens_the_form_as_a_fragment(client, app, setup, login):
    login(client, "marketing")
    key = f"{setup['a']}-{setup['metric']}-{setup['sprint']}"
    response = client.get(
        f"/experiments/{setup['experiment']}?edit={key}", headers=partial()
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'name="units"' in html and 'name="conversions"' in html


def test_cell_edit_link_without_htmx_gives_the_whole_page(client, app, setup, login):
    login(client, "marketing")
    key = f"{setup['a']}-{setup['metric']}-{setup['sprint']}"
    response = client.get(f"/experiments/{setup['experiment']}?edit={key}")
    assert b"<html" in response.data
    assert b'name="conversions"' in response.data


def test_a_viewer_cannot_open_a_cell(client, app, setup, login):
    login(client, "viewer")
    key = f"{setup['a']}-{setup['metric']}-{setup['sprint']}"
    assert (
        client.get(f"/experiments/{setup['experiment']}?edit={key}").status_code == 403
    )


def test_the_grid_totals_add_up_across_sprints(client, app, setup, login, make_sprint):
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


def test_the_page_lists_the_changes(client, app, setup, login):
    login(client, "marketing")
    post_cell(client, setup, units="100", conversions="5")
    post_cell(client, setup, units="120", conversions="6")
    page = client.get(f"/experiments/{setup['experiment']}").get_data(as_text=True)
    assert "Changes to the results" in page
    assert "5 / 100 → 6 / 120" in page
    # Newest first: the edit stands above the first entry.
    assert page.index("5 / 100 → 6 / 120") < page.rindex("5 / 100")


def test_a_cell_inserted_meanwhile_is_updated_not_crashed(
    client, app, setup, monkeypatch, add_result, login
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


def test_the_analysis_opens_with_what_to_do_and_weighs_the_guardrails(
    client, app, login, make_cell_ids, add_result
):
    """A primary winner that significantly harms a guardrail is not a "ship"."""
    opens = Metric(name="Open rate", kind="binomial", funnel_stage="lead",
                   owner="marketing", role="primary", position=0)  # fmt: skip
    unsubscribes = Metric(name="Unsubscribes", kind="binomial", funnel_stage="lead",
                          owner="marketing", role="guardrail", position=1,
                          higher_is_better=False)  # fmt: skip
    ids = make_cell_ids(app, metrics=[opens, unsubscribes], planned_looks=1)
    with app.app_context():
        guard = db.session.get(Metric, ids["metric"]).experiment.metrics[1].id
        for metric, a, b in ((ids["metric"], 1000, 1500), (guard, 100, 300)):
            add_result(ids["a"], ids["sprint"], metric, 10000, a)
            add_result(ids["b"], ids["sprint"], metric, 10000, b)
        db.session.commit()
    login(client, "marketing")
    html = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    primary = html.split('<article class="analysis-metric">')[1]
    body = primary.split("</header>")[1].lstrip()
    # The guardrail's interval is Katz's: statsmodels'
    # confint_proportions_2indep(300, 10000, 100, 10000, compare="ratio",
    # method="log") gives a ratio of 2.3965 to 3.7555, so +140% to +276%.
    assert body.startswith(
        '<p class="recommendation" data-action="hold"><strong>Do not ship B yet: it '
        "wins on the primary metric but significantly harms Unsubscribes (+200% "
        "(+140% to +276%)). Weigh the two first.</strong></p>"
    )
    guardrail = html.split('<article class="analysis-metric">')[2]
    assert 'data-action="keep_control"' in guardrail
    # The jargon stands under a disclosure with a one-line explanation each.
    details = primary.split('<details class="jargon">')[1].split("</details>")[0]
    for term in ("<dt>z</dt>", "<dt>Boundary</dt>", "<dt>Information</dt>",
                 "<dt>CMH</dt>", "<dt>Expected loss</dt>"):  # fmt: skip
        assert term in details
    assert "Expected loss" not in primary.split('<details class="jargon">')[0]


def test_huge_ids_in_forms_are_refused_not_crashed(
    client, app, login, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        ids = (experiment.id, experiment.variants[0].id, experiment.metrics[0].id)
        sprint_id = sprint.id
    login(client, "lead")
    url = f"/experiments/{ids[0]}"
    assert client.get(f"{url}?edit={ids[1]}-{ids[2]}-{HUGE}").status_code == 404
    response = client.post(
        f"{url}/results",
        data={"variant_id": ids[1], "metric_id": ids[2], "sprint_id": HUGE,
              "units": "1", "conversions": "0"},
    )  # fmt: skip
    assert response.status_code == 404
    response = client.post(
        f"{url}/feedback",
        data={"variant_id": ids[1], "sprint_id": HUGE, "lead_quality": "3",
              "sentiment": "neutral", "outcome": "open", "form_token": "t"},
    )  # fmt: skip
    assert response.status_code == 422
    assert b"Choose a sprint." in response.data
    response = client.post(f"/users/{HUGE}/role", data={"role": "viewer"})
    assert response.status_code == 404
    data = {
        "title": "T", "hypothesis": "H", "channel": "email",
        "assignment": "randomized", "ice_impact": "5", "ice_confidence": "5",
        "ice_ease": "5", "alpha": "0.05", "power": "0.8", "planned_looks": "4",
        "owner_id": HUGE, "start_sprint_id": HUGE,
        "control": "k1", "variants-k1-name": "A", "variants-k1-share": "100",
        "variants-k1-content_item_id": HUGE, "variants-k1-id": HUGE,
    }  # fmt: skip
    response = client.post("/experiments", data=data)
    assert response.status_code == 422
    assert b"Choose an owner from the list." in response.data
    assert sprint_id


def test_a_number_with_thousands_of_digits_is_refused(
    client, app, login, make_cell_ids
):
    ids = make_cell_ids(app)
    login(client, "marketing")
    response = post_cell(client, ids, units="1" * 5000, conversions="0")
    assert response.status_code == 422
    assert b"Units must be at most 1,000,000,000,000." in response.data
    response = client.post("/experiments", data=form_data(ice_impact="9" * 5000))
    assert response.status_code == 422
    assert b"Impact must be at most 10." in response.data


def test_a_results_post_without_its_ids_is_400(client, app, login, make_experiment):
    with app.app_context():
        experiment_id = make_experiment().id
    login(client, "marketing")
    response = client.post(f"/experiments/{experiment_id}/results", data={"units": "1"})
    assert response.status_code == 400
    assert b"The form does not say which cell it is for" in response.data


@pytest.mark.parametrize(
    "units,message",
    [
        ("-" + "9" * 5000, "Units cannot be negative."),
        ("0" * 30 + "12", None),  # leading zeros are still twelve
    ],
)
def test_long_numbers_are_judged_by_their_value(
    client, app, units, message, login, make_cell_ids
):
    ids = make_cell_ids(app)
    login(client, "marketing")
    response = post_cell(client, ids, units=units, conversions="0")
    if message is None:
        assert response.status_code == 303
        with app.app_context():
            assert db.session.execute(db.select(Result.units)).scalar_one() == 12
    else:
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)


def test_the_planned_sample_is_inflated_for_the_planned_looks(app, make_experiment):
    """Four looks need more units than one for the same power (the design's
    inflation factor); the analysis spends alpha against that larger plan."""
    from experiments.plan import plan_of
    from stats import sample_size

    with app.app_context():
        experiment = make_experiment(
            baseline_rate=0.05, relative_mde=0.2, planned_looks=4
        )
        planned = plan_of(experiment).units_per_variant
    one_look = sample_size(0.05, 0.2, 0.05, 0.8, 2)
    four_looks = sample_size(0.05, 0.2, 0.05, 0.8, 2, planned_looks=4)
    assert planned == four_looks.units_per_variant
    assert four_looks.fixed_units_per_variant == one_look.units_per_variant
    assert planned > one_look.units_per_variant


def test_a_small_sd_around_a_large_mean_survives_the_sprints(
    client, app, login, one_metric_experiment, make_sprint
):
    """Issue 7 section 3: mean 1e8, sd 1, n 1e6 in two sprints keeps its sd."""
    from experiments.analysis import analyze_experiment
    from experiments.models import Experiment

    ids = one_metric_experiment("Deal size", "continuous", "won", "marketing")
    with app.app_context():
        sprint2 = make_sprint(2).id
    login(client, "marketing")
    for sprint in (ids["sprint"], sprint2):
        for variant, mean in (("a", "100000000"), ("b", "100000000.01")):
            cell = {**ids, "sprint": sprint}
            response = post_cell(
                client, cell, variant, units="1000000", mean=mean, sd="1"
            )
            assert response.status_code == 303
    pooled_sd = (2 * 999_999 / 1_999_999) ** 0.5  # two sprints of sd 1
    with app.app_context():
        analysis = analyze_experiment(db.session.get(Experiment, ids["experiment"]))
        total = analysis.totals[(ids["a"], ids["metric"])]
        assert (total.units, total.mean) == (2_000_000, 1e8)
        assert total.sd == pytest.approx(pooled_sd, rel=1e-9)
        report = analysis.primary.report
    assert [v["sd"] for v in report["variants"]] == pytest.approx(
        [pooled_sd, pooled_sd], rel=1e-9
    )
    assert report["comparisons"][0]["difference"] == (1e8 + 0.01) - 1e8


def test_sales_is_told_why_a_marketing_cell_is_not_theirs(
    client, app, login, one_metric_experiment
):
    ids = one_metric_experiment("Open rate", "binomial", "lead", "marketing")
    login(client, "marketing")
    assert post_cell(client, ids, units="40", conversions="9").status_code == 303
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    assert "Read only for you" not in page
    assert "+ enter" in page  # B's cell
    login(client, "sales")
    page = client.get(f"/experiments/{ids['experiment']}").get_data(as_text=True)
    assert "Read only for you: owned by marketing, who enters its figures" in page
    assert 'title="Owned by marketing">—</span>' in page
    assert "+ enter" not in page


def test_a_long_experiment_shows_its_latest_sprints_and_offers_every_one(
    client, app, login, make_sprint, make_experiment, add_result
):
    from datetime import date, timedelta

    with app.app_context():
        start = date.today() - timedelta(days=14 * 11)
        sprints = [make_sprint(n, start + timedelta(days=14 * n)) for n in range(11)]
        experiment = make_experiment(start_sprint_id=sprints[0].id)
        for sprint in sprints:
            for variant in experiment.variants:
                add_result(variant.id, sprint.id, experiment.metrics[0].id, 500, 50)
        from database import db as database

        database.session.commit()
        experiment_id = experiment.id
    login(client, "marketing")
    page = client.get(f"/experiments/{experiment_id}").get_data(as_text=True)
    assert "The latest 8 of 11 sprints." in page
    grid = page[page.index('class="results-grid"') : page.index("</table>")]
    assert "<th>Sprint 3" in grid and "<th>Sprint 2<" not in grid
    assert "(the latest 8 of 11" in page  # the looks table
    assert "550 / 5,500" in page  # totals over every sprint
    every = client.get(f"/experiments/{experiment_id}?sprints=all").get_data(
        as_text=True
    )
    grid = every[every.index('class="results-grid"') : every.index("</table>")]
    assert "<th>Sprint 0" in grid and "<th>Sprint 10" in grid
    assert "(the latest" not in every
    assert "Show the latest sprints only" in every


def _open_cell(html: str):
    """(variant id, metric id, sprint id) of the cell form open in the panel."""
    found = [
        re.search(rf'name="{name}" value="(\d+)"', html)
        for name in ("variant_id", "metric_id", "sprint_id")
    ]
    return tuple(int(m[1]) for m in found) if all(found) else None


def test_a_keyboard_save_opens_the_next_cell_down_or_across(
    client, app, login, make_sprint, make_experiment
):
    with app.app_context():
        first, second = make_sprint(2), make_sprint(3)
        experiment = make_experiment(start_sprint_id=first.id)
        a, b = (v.id for v in experiment.variants)
        metric = experiment.metrics[0].id
        ids = {"experiment": experiment.id, "a": a, "b": b, "metric": metric,
               "sprint": first.id}  # fmt: skip
        sprints = first.id, second.id
    login(client, "marketing")
    down = post_cell(client, ids, "a", headers=partial(), units="100",
                     conversions="5", then="down")  # fmt: skip
    assert down.status_code == 200
    assert _open_cell(down.get_data(as_text=True)) == (b, metric, sprints[0])
    last = post_cell(client, ids, "b", headers=partial(), units="100",
                     conversions="6", then="down")  # fmt: skip
    assert _open_cell(last.get_data(as_text=True)) is None  # no variant below
    across = post_cell(client, ids, "a", headers=partial(), units="100",
                       conversions="7", then="across")  # fmt: skip
    assert _open_cell(across.get_data(as_text=True)) == (a, metric, sprints[1])
    plain = post_cell(client, ids, "a", headers=partial(), units="100",
                      conversions="8", then="sideways")  # fmt: skip
    assert _open_cell(plain.get_data(as_text=True)) is None


def test_results_are_refused_for_a_sprint_not_started_or_before_the_start(
    client, app, login, make_sprint, make_experiment
):
    from datetime import date, timedelta

    with app.app_context():
        before, start = make_sprint(1), make_sprint(2)
        future = make_sprint(9, date.today() + timedelta(days=40))
        experiment = make_experiment(start_sprint_id=start.id)
        ids = {"experiment": experiment.id, "a": experiment.variants[0].id,
               "metric": experiment.metrics[0].id}  # fmt: skip
        sprints = {"before": before.id, "start": start.id, "future": future.id}
    login(client, "marketing")
    for name, message in (
        ("future", "Sprint 9 has not started yet."),
        ("before", "Sprint 1 is before the experiment started"),
    ):
        answer = post_cell(client, ids | {"sprint": sprints[name]}, units="10",
                           conversions="1")  # fmt: skip
        assert answer.status_code == 422
        assert message in answer.get_data(as_text=True)
    assert stored(app) == []
    ok = post_cell(client, ids | {"sprint": sprints["start"]}, units="10",
                   conversions="1")  # fmt: skip
    assert ok.status_code == 303
