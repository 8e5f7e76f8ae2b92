"""The experiment list, form, page, status guard and decision."""

import re

import pytest

from content.models import ContentItem, Feedback
from database import db
from experiments.forms import HYPOTHESIS_TEMPLATE
from experiments.models import Experiment, Metric, PlannedSplit, Variant
from helpers import HUGE, edit_data, form_data, partial


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_create_saves_experiment_variants_and_metrics(client, app, login):
    login(client, "marketing")
    response = client.post("/experiments", data=form_data())
    assert response.status_code == 303
    with app.app_context():
        experiment = db.session.execute(db.select(Experiment)).scalar_one()
        assert response.headers["Location"] == f"/experiments/{experiment.id}"
        assert experiment.status == "idea"
        assert experiment.baseline_rate == pytest.approx(0.05)
        assert experiment.relative_mde == pytest.approx(0.2)
        assert experiment.ice_score == pytest.approx(6.7)
        assert [
            (v.name, v.is_control, v.planned_share) for v in experiment.variants
        ] == [
            ("A", True, 0.5),
            ("B", False, 0.5),
        ]
        assert [(m.name, m.role, m.higher_is_better) for m in experiment.metrics] == [
            ("Demo requests", "primary", True)
        ]


INVALID = [
    ({"title": ""}, "title", "Title is required."),
    ({"title": "x" * 201}, "title", "Title is too long: 201 characters, at most 200."),
    (
        {"hypothesis": HYPOTHESIS_TEMPLATE},
        "hypothesis",
        "Fill in the hypothesis template&#39;s brackets.",
    ),
    ({"channel": "fax"}, "channel", "“fax” is not a known channel."),
    ({"ice_impact": "11"}, "ice_impact", "Impact must be at most 10."),
    ({"ice_ease": "abc"}, "ice_ease", "Ease must be a whole number, not “abc”."),
    ({"ice_confidence": "-1"}, "ice_confidence", "Confidence must be at least 1."),
    ({"alpha": "0.5"}, "alpha", "“0.5” is not a known significance level."),
    (
        {"planned_looks": "0"},
        "planned_looks",
        "Planned sprint looks must be at least 1.",
    ),
    ({"baseline_rate": "100"}, "baseline_rate", "Baseline rate must be less than 100."),
    (
        {"relative_mde": "nan"},
        "relative_mde",
        "Smallest lift must be a finite number.",
    ),
    (
        {"baseline_rate": "60", "relative_mde": "100"},
        "relative_mde",
        "Baseline plus this effect would exceed a 100% rate.",
    ),
    ({"owner_id": "999"}, "owner_id", "Choose an owner from the list."),
    (
        {"variants-b2-share": "40"},
        "variants",
        "The planned shares add up to 90%; they must add up to 100%.",
    ),
    ({"control": ""}, "variants", "Mark one variant as the control."),
    ({"variants-b2-name": "a"}, "variants-b2-name", "Two variants have this name."),
    ({"variants-b2-share": "-5"}, "variants-b2-share", "Share must be more than 0."),
    (
        {"variants-b2-share": "1e999"},
        "variants-b2-share",
        "Share must be a finite number.",
    ),
    (
        {"metrics-m1-kind": "ratio"},
        "metrics-m1-kind",
        "“ratio” is not a known metric type.",
    ),
    (
        {
            "metrics-m2-name": "Second",
            "metrics-m2-kind": "binomial",
            "metrics-m2-funnel_stage": "lead",
            "metrics-m2-owner": "sales",
            "metrics-m2-role": "primary",
            "metrics-m2-direction": "higher",
        },
        "metrics",
        "Only one metric can be the primary metric.",
    ),
    ({"audience": "bad\x00byte"}, "audience", "Audience contains a control character"),
]


@pytest.mark.parametrize("overrides,field,message", INVALID)
def test_invalid_experiment_is_refused_next_to_the_field(
    client, app, overrides, field, message, login
):
    login(client, "marketing")
    data = form_data(**overrides)
    response = client.post("/experiments", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nothing was saved" in page
    # The entered title is kept for correction.
    if data.get("title"):
        assert f'value="{data["title"]}"' in page
    with app.app_context():
        assert count(Experiment) == 0
        assert count(Variant) == 0


def test_duplicate_title_is_refused_whatever_its_case(
    client, app, login, make_experiment
):
    with app.app_context():
        make_experiment(title="Pricing headline")
    login(client, "marketing")
    response = client.post("/experiments", data=form_data(title="PRICING HEADLINE"))
    assert response.status_code == 422
    assert b"An experiment with this title already exists." in response.data
    with app.app_context():
        assert count(Experiment) == 1


def test_double_submit_of_the_new_form_creates_one_experiment(client, app, login):
    login(client, "marketing")
    assert client.post("/experiments", data=form_data()).status_code == 303
    second = client.post("/experiments", data=form_data())
    assert second.status_code == 422
    assert b"An experiment with this title already exists." in second.data
    with app.app_context():
        assert count(Experiment) == 1


def test_script_in_a_title_is_rendered_inert(client, app, login):
    login(client, "marketing")
    title = '<script>alert("x")</script>'
    client.post("/experiments", data=form_data(title=title))
    page = client.get("/experiments").get_data(as_text=True)
    assert title not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_new_row_fragment_for_the_add_button(client, login):
    login(client, "marketing")
    response = client.get("/experiments/rows/variants", headers=partial())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith("<tr>")
    assert 'name="control"' in html


def test_three_variants_with_content(client, app, login):
    from content.models import ContentItem

    with app.app_context():
        item = ContentItem(kind="headline", title="Save 20%")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    login(client, "marketing")
    data = form_data(
        **{
            "variants-a1-share": "34",
            "variants-b2-share": "33",
            "variants-c3-name": "C",
            "variants-c3-share": "33",
            "variants-c3-content_item_id": str(item_id),
        }
    )
    assert client.post("/experiments", data=data).status_code == 303
    with app.app_context():
        variants = db.session.execute(db.select(Variant)).scalars().all()
        assert [v.name for v in variants] == ["A", "B", "C"]
        assert variants[2].content_item_id == item_id


def test_edit_updates_rows_and_removes_an_unused_one(
    client, app, login, make_experiment
):
    with app.app_context():
        experiment = make_experiment(status="idea")
        a, b = experiment.variants
        metric = experiment.metrics[0]
        ids = (experiment.id, a.id, b.id, metric.id)
    login(client, "marketing")
    data = form_data(
        **{
            "title": "Renamed",
            "control": f"id{ids[1]}",
            "variants-a1-name": None,
            "variants-a1-share": None,
            "variants-b2-name": None,
            "variants-b2-share": None,
            f"variants-id{ids[1]}-id": str(ids[1]),
            f"variants-id{ids[1]}-name": "Control",
            f"variants-id{ids[1]}-share": "100",
            f"variants-id{ids[2]}-id": str(ids[2]),
            f"variants-id{ids[2]}-name": "B",
            f"variants-id{ids[2]}-share": "0",
            f"variants-id{ids[2]}-remove": "1",
            "metrics-m1-name": None,
            f"metrics-id{ids[3]}-id": str(ids[3]),
            f"metrics-id{ids[3]}-name": "Opens",
            f"metrics-id{ids[3]}-kind": "binomial",
            f"metrics-id{ids[3]}-funnel_stage": "lead",
            f"metrics-id{ids[3]}-owner": "marketing",
            f"metrics-id{ids[3]}-role": "primary",
            f"metrics-id{ids[3]}-direction": "higher",
        }
    )
    response = client.post(f"/experiments/{ids[0]}", data=data)
    assert response.status_code == 303, response.data
    with app.app_context():
        experiment = db.session.get(Experiment, ids[0])
        assert experiment.title == "Renamed"
        assert [(v.id, v.name, v.planned_share) for v in experiment.variants] == [
            (ids[1], "Control", 1.0)
        ]
        assert [m.name for m in experiment.metrics] == ["Opens"]


def test_a_variant_with_results_cannot_be_removed(
    client, app, add_result, login, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        b = experiment.variants[1]
        add_result(b.id, sprint.id, experiment.metrics[0].id, units=10, conversions=1)
        db.session.commit()
        data = edit_data(experiment, **{f"variants-id{b.id}-remove": "1"})
        experiment_id = experiment.id
    login(client, "marketing")
    response = client.post(f"/experiments/{experiment_id}", data=data)
    assert response.status_code == 422
    assert b"Has results; it cannot be removed." in response.data
    with app.app_context():
        assert count(Variant) == 2


def test_changing_the_split_keeps_the_old_split_for_past_sprints(
    client, app, add_result, login, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        a, b = experiment.variants
        for v in (a, b):
            add_result(
                v.id, sprint.id, experiment.metrics[0].id, units=100, conversions=5
            )
        db.session.commit()
        data = edit_data(
            experiment,
            **{f"variants-id{a.id}-share": "70", f"variants-id{b.id}-share": "30"},
        )
        experiment_id, a_id, b_id, sprint_id = experiment.id, a.id, b.id, sprint.id
    login(client, "marketing")
    assert client.post(f"/experiments/{experiment_id}", data=data).status_code == 303
    with app.app_context():
        history = db.session.execute(
            db.select(
                PlannedSplit.variant_id, PlannedSplit.sprint_id, PlannedSplit.share
            ).order_by(PlannedSplit.variant_id)
        ).all()
        assert history == [(a_id, sprint_id, 0.5), (b_id, sprint_id, 0.5)]
        assert [
            v.planned_share for v in db.session.get(Experiment, experiment_id).variants
        ] == [0.7, 0.3]


def test_list_filters_by_status_and_channel(client, app, login, make_experiment):
    with app.app_context():
        make_experiment(title="Running email", status="running", channel="email")
        make_experiment(title="Idea email", status="idea", channel="email")
        make_experiment(title="Running ad", status="running", channel="ads")
    login(client, "viewer")
    page = client.get("/experiments?status=running&channel=email").get_data(
        as_text=True
    )
    assert "Running email" in page
    assert "Idea email" not in page
    assert "Running ad" not in page
    assert "1 experiment</p>" in page
    # The filter is kept in the form.
    assert '<option value="running" selected>' in page


def test_search_answers_a_fragment_to_a_partial_request(
    client, app, login, make_experiment
):
    with app.app_context():
        make_experiment(title="Webinar subject line")
        make_experiment(title="Pricing page", hypothesis="Anchoring lifts demos 100%")
    login(client, "viewer")
    response = client.get("/experiments?q=100%25", headers=partial())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results">')
    assert "Pricing page" in html
    assert "Webinar subject line" not in html
    assert set(response.headers["Vary"].replace(" ", "").split(",")) >= {
        "HX-Request",
        "HX-Request-Type",
    }


def test_a_boosted_or_history_request_gets_the_whole_page(client, app, login):
    login(client, "viewer")
    response = client.get(
        "/experiments?q=x", headers={"HX-Request": "true", "HX-Request-Type": "full"}
    )
    assert b"<html" in response.data


def test_search_treats_like_wildcards_literally(client, app, login, make_experiment):
    with app.app_context():
        make_experiment(title="Anything")
    login(client, "viewer")
    page = client.get("/experiments?q=_").get_data(as_text=True)
    assert "Anything" not in page
    assert "No experiment matches." in page


def test_unknown_experiment_is_404(client, login):
    login(client, "viewer")
    response = client.get("/experiments/999")
    assert response.status_code == 404
    assert b"404" in response.data


@pytest.mark.parametrize("url", ["/experiments/abc", "/experiments/999/edit"])
def test_bad_ids_are_404(client, url, login):
    login(client, "marketing")
    assert client.get(url).status_code == 404


def test_bad_page_argument_falls_back_to_the_first_page(client, login):
    login(client, "viewer")
    assert client.get("/experiments?page=abc").status_code == 200
    assert client.get("/experiments?page=-3").status_code == 200


def test_start_needs_control_challenger_and_primary_metric(
    client, app, login, make_experiment
):
    with app.app_context():
        experiment = make_experiment(
            status="planned",
            variants=[Variant(name="A", is_control=False, planned_share=1.0)],
            metrics=[
                Metric(
                    name="Clicks",
                    kind="binomial",
                    funnel_stage="visit",
                    owner="marketing",
                    role="secondary",
                )
            ],
        )
        experiment_id = experiment.id
    login(client, "marketing")
    response = client.post(
        f"/experiments/{experiment_id}/status", data={"status": "running"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for problem in (
        "Mark one variant as the control.",
        "Add at least one challenger variant.",
        "Add a primary metric.",
    ):
        assert problem in page
    with app.app_context():
        assert db.session.get(Experiment, experiment_id).status == "planned"


def test_start_a_complete_experiment(client, app, login, make_experiment):
    with app.app_context():
        experiment_id = make_experiment(status="planned").id
    login(client, "marketing")
    response = client.post(
        f"/experiments/{experiment_id}/status", data={"status": "running"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Experiment, experiment_id).status == "running"


@pytest.mark.parametrize("target", ["decided", "idea", "bogus"])
def test_status_cannot_jump(client, app, target, login, make_experiment):
    with app.app_context():
        experiment_id = make_experiment(status="running").id
    login(client, "marketing")
    response = client.post(
        f"/experiments/{experiment_id}/status", data={"status": target}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Experiment, experiment_id).status == "running"


def test_status_error_answers_the_status_fragment_to_htmx(
    client, app, login, make_experiment
):
    with app.app_context():
        experiment_id = make_experiment(status="running").id
    login(client, "marketing")
    response = client.post(
        f"/experiments/{experiment_id}/status",
        data={"status": "idea"},
        headers=partial(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html
    assert "An experiment cannot go from running to idea." in html


def test_lead_records_the_decision(client, app, login, make_experiment):
    with app.app_context():
        experiment_id = make_experiment(status="analyzing").id
    login(client, "lead")
    response = client.post(
        f"/experiments/{experiment_id}/decision",
        data={
            "decision": "ship",
            "decision_reason": "B won",
            "learning": "Questions win",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        assert (experiment.status, experiment.decision) == ("decided", "ship")
        assert experiment.learning == "Questions win"
        assert experiment.decided_by.role == "lead"
    page = client.get(f"/experiments/{experiment_id}").get_data(as_text=True)
    assert "Questions win" in page


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"decision": "", "decision_reason": "r", "learning": "l"},
            "Choose a decision.",
        ),
        (
            {"decision": "ship", "decision_reason": "", "learning": "l"},
            "Reason is required.",
        ),
        (
            {"decision": "ship", "decision_reason": "r", "learning": ""},
            "Learning is required.",
        ),
        (
            {"decision": "maybe", "decision_reason": "r", "learning": "l"},
            "“maybe” is not a known decision.",
        ),
    ],
)
def test_invalid_decision_is_refused(
    client, app, data, message, login, make_experiment
):
    with app.app_context():
        experiment_id = make_experiment(status="analyzing").id
    login(client, "lead")
    response = client.post(f"/experiments/{experiment_id}/decision", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Experiment, experiment_id).decision is None


def test_an_idea_cannot_be_decided(client, app, login, make_experiment):
    with app.app_context():
        experiment_id = make_experiment(status="idea").id
    login(client, "lead")
    response = client.post(
        f"/experiments/{experiment_id}/decision",
        data={"decision": "ship", "decision_reason": "r", "learning": "l"},
    )
    assert response.status_code == 422
    assert b"Only a running or analyzed experiment can be decided." in response.data


@pytest.mark.parametrize("new_control", [0, 1])
def test_moving_the_control_and_the_primary_metric(
    client, app, new_control, login, make_experiment
):
    """The one-control and one-primary indexes hold while the edit swaps them."""
    with app.app_context():
        experiment = make_experiment(
            metrics=[
                Metric(name="First", kind="binomial", funnel_stage="lead",
                       owner="marketing", role="secondary", position=0),
                Metric(name="Second", kind="binomial", funnel_stage="lead",
                       owner="marketing", role="primary", position=1),
            ]
        )  # fmt: skip
        a, b = experiment.variants
        experiment.variants[0].is_control = False
        db.session.flush()
        experiment.variants[1].is_control = True
        db.session.commit()
        first, second = experiment.metrics
        target = [a, b][new_control]
        data = edit_data(experiment, control=f"id{target.id}")
        data[f"metrics-id{first.id}-role"] = "primary"
        data[f"metrics-id{second.id}-role"] = "secondary"
        experiment_id = experiment.id
    login(client, "marketing")
    response = client.post(f"/experiments/{experiment_id}", data=data)
    assert response.status_code == 303
    with app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        assert [v.is_control for v in experiment.variants] == [
            new_control == 0,
            new_control == 1,
        ]
        assert [m.role for m in experiment.metrics] == ["primary", "secondary"]


@pytest.mark.parametrize(
    "url",
    [
        f"/experiments/{HUGE}",
        f"/experiments/{HUGE}/edit",
        f"/sprints/{HUGE}",
        f"/content/{HUGE}",
        f"/content/{HUGE}/edit",
    ],
)
def test_huge_ids_in_the_path_are_404(client, url, login):
    login(client, "lead")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("?q=%00", True),  # the NUL is dropped: an empty search lists everything
        ("?q=a%00b", False),
        (f"?page={HUGE}", False),  # past the last page
        ("?page=0", True),  # read as the first page
        ("?status=%00&channel=%00", True),  # unknown filters are ignored
        ("?q=" + "x" * 5000, False),
    ],
)
def test_odd_list_queries_list_what_they_match(
    client, app, query, listed, login, make_experiment
):
    with app.app_context():
        make_experiment()
    login(client, "viewer")
    response = client.get("/experiments" + query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("Subject line test" in page) is listed
    assert ("No experiment matches." in page) is not listed


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"relative_mde": "1e-300"}, "Smallest lift must be at least 0.1."),
        ({"baseline_rate": "1e-300"}, "Baseline rate must be at least 0.01."),
    ],
)
def test_a_vanishing_plan_is_refused(client, overrides, message, login):
    login(client, "marketing")
    response = client.post("/experiments", data=form_data(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_stored_plan_beyond_the_limits_does_not_break_the_pages(
    client, app, login, make_experiment
):
    with app.app_context():
        experiment = make_experiment(baseline_rate=0.05, relative_mde=1e-300)
        experiment_id = experiment.id
    login(client, "viewer")
    for url in (f"/experiments/{experiment_id}", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Subject line test" in response.get_data(as_text=True), url


def test_a_metric_with_results_keeps_its_type(
    client, app, add_result, login, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment()
        metric = experiment.metrics[0]
        add_result(
            experiment.variants[0].id, sprint.id, metric.id, units=10, conversions=1
        )
        db.session.commit()
        data = edit_data(experiment, **{f"metrics-id{metric.id}-kind": "continuous"})
        experiment_id = experiment.id
    login(client, "marketing")
    response = client.post(f"/experiments/{experiment_id}", data=data)
    assert response.status_code == 422
    assert b"Has results; its type cannot change." in response.data
    with app.app_context():
        assert db.session.execute(db.select(Metric.kind)).scalar_one() == "binomial"


def test_a_variant_with_feedback_cannot_be_removed(
    client, app, login, make_experiment, make_sprint
):
    with app.app_context():
        sprint = make_sprint(1)
        experiment = make_experiment(status="planned")
        b = experiment.variants[1]
        db.session.add(
            Feedback(
                variant_id=b.id,
                sprint_id=sprint.id,
                lead_quality=3,
                sentiment="neutral",
                outcome="open",
            )
        )
        db.session.commit()
        data = edit_data(experiment, **{f"variants-id{b.id}-remove": "1"})
        experiment_id = experiment.id
    login(client, "marketing")
    response = client.post(f"/experiments/{experiment_id}", data=data)
    assert response.status_code == 422
    assert b"Has field feedback; it cannot be removed." in response.data
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Feedback.id))).scalar() == 1
        assert db.session.execute(db.select(db.func.count(Variant.id))).scalar() == 2


def test_thirds_entered_as_percentages_are_stored_exactly_and_can_start(
    client, app, login
):
    login(client, "marketing")
    data = form_data(
        **{
            "variants-a1-share": "33.3",
            "variants-b2-share": "33.3",
            "variants-c3-name": "C",
            "variants-c3-share": "33.3",
        }
    )
    assert client.post("/experiments", data=data).status_code == 303
    with app.app_context():
        experiment = db.session.execute(db.select(Experiment)).scalar_one()
        assert sum(v.planned_share for v in experiment.variants) == pytest.approx(1)
        experiment_id = experiment.id
    client.post(f"/experiments/{experiment_id}/status", data={"status": "planned"})
    response = client.post(
        f"/experiments/{experiment_id}/status", data={"status": "running"}
    )
    assert response.status_code == 303


def test_a_decided_experiment_cannot_go_back_to_idea(
    client, app, login, make_experiment
):
    with app.app_context():
        experiment_id = make_experiment(status="archived", decision="ship").id
    login(client, "marketing")
    page = client.get(f"/experiments/{experiment_id}").get_data(as_text=True)
    assert 'value="idea"' not in page
    response = client.post(
        f"/experiments/{experiment_id}/status", data={"status": "idea"}
    )
    assert response.status_code == 422
    assert b"A decided experiment stays decided" in response.data
    with app.app_context():
        assert db.session.get(Experiment, experiment_id).status == "archived"


def test_a_variant_and_a_metric_removed_and_added_again_by_name_in_one_save(
    client, app, login, make_experiment
):
    """The removed rows go before the new ones are added: no 409 with no one else
    saving (the unique names per experiment are checked row by row)."""
    with app.app_context():
        experiment = make_experiment(status="idea")
        b, metric = experiment.variants[1], experiment.metrics[0]
        data = edit_data(
            experiment,
            **{
                f"variants-id{b.id}-remove": "1",
                "variants-n1-name": "B",
                "variants-n1-share": "50",
                f"metrics-id{metric.id}-remove": "1",
                f"metrics-id{metric.id}-role": "secondary",
                "metrics-n1-name": "Open rate",
                "metrics-n1-kind": "binomial",
                "metrics-n1-funnel_stage": "lead",
                "metrics-n1-owner": "marketing",
                "metrics-n1-role": "primary",
                "metrics-n1-direction": "higher",
            },
        )
        experiment_id = experiment.id
    login(client, "marketing")
    response = client.post(f"/experiments/{experiment_id}", data=data)
    assert response.status_code == 303, response.data
    with app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        assert [v.name for v in experiment.variants] == ["A", "B"]
        assert [m.name for m in experiment.metrics] == ["Open rate"]
        assert experiment.metrics[0].role == "primary"


def test_the_new_form_shows_the_hypothesis_template_as_a_placeholder_not_text(
    client, login
):
    login(client, "marketing")
    page = client.get("/experiments/new").get_data(as_text=True)
    textarea = re.search(r'<textarea id="hypothesis"[^>]*>([^<]*)</textarea>', page)
    assert textarea[1] == ""
    assert 'placeholder="We believe that [change] for [audience]' in textarea[0]


def test_the_content_picker_groups_by_kind_and_offers_the_channels_kinds_first(
    client, app, login, make_experiment
):
    with app.app_context():
        for kind, title in (
            ("ad", "Ad one"),
            ("email_subject", "Subject B"),
            ("email_subject", "Subject A"),
            ("headline", "Hero"),
        ):
            db.session.add(ContentItem(kind=kind, title=title))  # fmt: skip
        experiment_id = make_experiment(channel="email", status="idea").id
    login(client, "marketing")
    html = client.get(f"/experiments/{experiment_id}/edit").get_data(as_text=True)
    picker = re.search(r'<select name="variants-[^"]*-content_item_id".*?</select>',
                       html, re.S)[0]  # fmt: skip
    groups = re.findall(r'<optgroup label="([^"]+)">', picker)
    assert groups == ["Email subject · for Email", "Headline", "Ad"]
    titles = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", picker)
    assert titles == ["Subject A", "Subject B", "Hero", "Ad one"]
