"""The public statistics API and the calculator page: contract, errors, no login."""

import json
import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportions_ztest

import stats
from helpers import partial

ANALYZE = {
    "metric": "binomial",
    "alpha": 0.05,
    "planned_split": [0.5, 0.5],
    "variants": [
        {"name": "A", "units": 1000, "conversions": 50},
        {"name": "B", "units": 1000, "conversions": 65},
    ],
}


def post(client, url, payload):
    return client.post(url, json=payload)


def test_analyze_answers_the_documented_contract(client):
    response = post(client, "/api/v1/analyze", ANALYZE)
    assert response.status_code == 200
    body = response.get_json()
    assert [v["name"] for v in body["variants"]] == ["A", "B"]
    assert body["variants"][0]["rate"] == pytest.approx(0.05)
    assert set(body["variants"][0]) >= {
        "name",
        "units",
        "conversions",
        "rate",
        "rate_ci",
    }
    [comparison] = body["comparisons"]
    assert set(comparison) >= {
        "variant",
        "control",
        "difference",
        "difference_ci",
        "relative_lift",
        "relative_lift_ci",
        "test",
        "p_value",
        "p_value_adjusted",
        "chance_to_beat_control",
        "expected_loss",
        "significant",
        "verdict",
    }
    _, p = proportions_ztest([65, 50], [1000, 1000])
    assert comparison["test"] == "z_pooled"
    assert comparison["p_value"] == pytest.approx(p, rel=1e-9)
    assert comparison["relative_lift"] == pytest.approx(0.3)
    assert comparison["significant"] is False
    assert body["srm"]["mismatch"] is False
    assert body["omnibus"] is None
    assert isinstance(body["warnings"], list)
    # Strict JSON: no NaN or Infinity anywhere.
    json.loads(response.get_data(as_text=True), parse_constant=pytest.fail)


def test_analyze_needs_no_login_and_no_csrf_token(csrf_app):
    client = csrf_app.test_client()
    assert post(client, "/api/v1/analyze", ANALYZE).status_code == 200


def test_analyze_per_sprint_with_a_changed_split(client):
    payload = {
        "metric": "binomial",
        "planned_split": [[0.7, 0.3], [0.5, 0.5]],
        "planned_looks": 4,
        "variants": [
            {
                "name": "A",
                "sprints": [
                    {"units": 700, "conversions": 70},
                    {"units": 500, "conversions": 20},
                ],
            },
            {
                "name": "B",
                "sprints": [
                    {"units": 300, "conversions": 33},
                    {"units": 500, "conversions": 25},
                ],
            },
        ],
    }
    body = post(client, "/api/v1/analyze", payload).get_json()
    assert [look["sprint"] for look in body["looks"]] == ["1", "2"]
    # Four planned looks but no sample size: always-valid looks, no fraction.
    assert body["looks"][0]["information_fraction"] is None
    assert "always_valid" in [w["code"] for w in body["warnings"]]
    assert body["stratified"]["test"] == "cmh"
    assert "simpson" in [w["code"] for w in body["warnings"]]
    assert body["srm"]["mismatch"] is False
    # With a baseline and a smallest lift the plan has a sample size: the
    # fractions are the stratified information over the inflated plan's.
    payload.update(baseline_rate=0.08, relative_mde=0.25)
    body = post(client, "/api/v1/analyze", payload).get_json()
    plan = stats.sample_size(0.08, 0.25, planned_looks=4)
    info = np.cumsum([700 * 300 / 1000, 500 * 500 / 1000])
    assert [look["information_fraction"] for look in body["looks"]] == pytest.approx(
        list(info / (plan.units_per_variant / 2))
    )
    assert "always_valid" not in [w["code"] for w in body["warnings"]]


def test_analyze_continuous_given_as_mean_and_sd(client):
    payload = {
        "metric": "continuous",
        "variants": [
            {"name": "A", "units": 50, "mean": 100.0, "sd": 20.0},
            {"name": "B", "units": 50, "mean": 110.0, "sd": 25.0},
        ],
    }
    body = post(client, "/api/v1/analyze", payload).get_json()
    assert body["comparisons"][0]["test"] == "welch_t"
    assert body["variants"][1]["mean"] == pytest.approx(110.0)
    assert body["variants"][1]["sd"] == pytest.approx(25.0)


def test_mean_and_sd_keep_a_small_sd_around_a_large_mean_across_sprints(client):
    # Sums of squares of these cells (2e22) hold no digit of the variance.
    cell = {"units": 1_000_000, "mean": 1e8, "sd": 1.0}
    payload = {
        "metric": "continuous",
        "variants": [
            {"name": "A", "sprints": [cell, cell]},
            {"name": "B", "sprints": [{**cell, "mean": 1e8 + 0.01}] * 2},
        ],
    }
    body = post(client, "/api/v1/analyze", payload).get_json()
    pooled_sd = math.sqrt(2 * 999_999 / 1_999_999)  # two sprints of sd 1
    assert [v["sd"] for v in body["variants"]] == pytest.approx(
        [pooled_sd, pooled_sd], rel=1e-9
    )
    assert body["comparisons"][0]["difference"] == (1e8 + 0.01) - 1e8


def test_boundaries_endpoint_gives_the_published_obrien_fleming_values(client):
    response = post(
        client,
        "/api/v1/boundaries",
        {
            "alpha": 0.05,
            "information_fractions": [0.25, 0.5, 0.75, 1],
            "spending": "obrien_fleming",
        },
    )
    body = response.get_json()
    assert body["z_boundaries"] == pytest.approx([4.333, 2.963, 2.359, 2.014], abs=1e-3)
    assert body["cumulative_alpha"][-1] == pytest.approx(0.05)
    assert len(body["nominal_p"]) == 4


def test_sample_size_endpoint(client):
    body = post(
        client,
        "/api/v1/sample-size",
        {
            "baseline_rate": 0.05,
            "relative_mde": 0.2,
            "alpha": 0.05,
            "power": 0.8,
            "variants": 2,
            "units_per_sprint": 5000,
        },
    ).get_json()
    assert body["units_per_variant"] == 8158
    assert body["total_units"] == 16316
    assert body["sprints_needed"] == 4
    assert body["fixed_units_per_variant"] == 8158
    assert (body["planned_looks"], body["spending"]) == (None, None)


def test_sample_size_endpoint_inflates_for_planned_looks(client):
    body = post(
        client,
        "/api/v1/sample-size",
        {
            "baseline_rate": 0.05,
            "relative_mde": 0.2,
            "planned_looks": 4,
            "spending": "pocock",
            "units_per_sprint": 5000,
        },
    ).get_json()
    assert body["units_per_variant"] == 9758
    assert body["fixed_units_per_variant"] == 8158
    assert body["total_units"] == 19516
    assert body["sprints_needed"] == 4
    assert body["inflation_factor"] == pytest.approx(1.19616, abs=1e-5)
    assert (body["planned_looks"], body["spending"]) == (4, "pocock")


@pytest.mark.parametrize(
    "payload,status,field",
    [
        ([1, 2], 400, None),
        ({"variants": [{"units": 10, "conversions": 1}]}, 422, "variants"),
        ({"metric": "ratio", "variants": []}, 422, "metric"),
        (
            {
                "variants": [
                    {"units": -1, "conversions": 0},
                    {"units": 1, "conversions": 0},
                ]
            },
            422,
            "variants[0].units",
        ),
        (
            {
                "variants": [
                    {"units": 10, "conversions": 11},
                    {"units": 1, "conversions": 0},
                ]
            },
            422,
            "variants[0].conversions",
        ),
        (
            {
                "variants": [
                    {"units": "10", "conversions": 1},
                    {"units": 1, "conversions": 0},
                ]
            },
            422,
            "variants[0].units",
        ),
        (
            {
                "variants": [
                    {"units": 10.5, "conversions": 1},
                    {"units": 1, "conversions": 0},
                ]
            },
            422,
            "variants[0].units",
        ),
        (
            {
                "variants": [
                    {"units": 10**13, "conversions": 1},
                    {"units": 1, "conversions": 0},
                ]
            },
            422,
            "variants[0].units",
        ),
        (
            {
                "variants": [
                    {"name": "A", "units": 10, "conversions": 1},
                    {"name": "A", "units": 1, "conversions": 0},
                ]
            },
            422,
            "variants[1].name",
        ),
        ({**ANALYZE, "alpha": 0}, 422, "alpha"),
        ({**ANALYZE, "alpha": True}, 422, "alpha"),
        ({**ANALYZE, "planned_split": [0.6, 0.6]}, 422, "planned_split"),
        ({**ANALYZE, "planned_split": [1.0]}, 422, "planned_split"),
        ({**ANALYZE, "spending": "haybittle"}, 422, "spending"),
        (
            {
                "variants": [
                    {"sprints": [{"units": 1, "conversions": 0}]},
                    {"sprints": []},
                ]
            },
            422,
            "variants[1].sprints",
        ),
        (
            {
                "metric": "continuous",
                "variants": [
                    {"units": 10, "sum": 5, "sum_squares": 1},
                    {"units": 10, "sum": 5, "sum_squares": 10},
                ],
            },
            422,
            "variants[0].sum_squares",
        ),
        (
            {
                "metric": "continuous",
                "variants": [
                    {"units": 1, "mean": 5, "sd": 2},
                    {"units": 3, "mean": 5, "sd": 1},
                ],
            },
            422,
            "variants[0].sd",
        ),
    ],
)
def test_analyze_refuses_bad_input_naming_the_field(client, payload, status, field):
    response = post(client, "/api/v1/analyze", payload)
    assert response.status_code == status
    body = response.get_json()
    assert body["field"] == field
    assert body["error"]


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/analyze", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "The request body is not valid JSON.",
        "field": None,
    }


def test_form_encoded_body_is_400(client):
    response = client.post("/api/v1/analyze", data={"metric": "binomial"})
    assert response.status_code == 400
    assert "application/json" in response.get_json()["error"]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"information_fractions": [0.5, 0.25]}, "information_fractions"),
        ({"information_fractions": []}, "information_fractions"),
        ({"information_fractions": [0, 1]}, "information_fractions[0]"),
        ({"information_fractions": [1], "spending": "x"}, "spending"),
    ],
)
def test_boundaries_refuse_bad_input(client, payload, field):
    response = post(client, "/api/v1/boundaries", payload)
    assert response.status_code == 422
    assert response.get_json()["field"] == field


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"baseline_rate": 0, "relative_mde": 0.2}, "baseline_rate"),
        ({"baseline_rate": 0.6, "relative_mde": 1.0}, "relative_mde"),
        ({"baseline_rate": 0.05, "relative_mde": 0.2, "power": 1.0}, "power"),
        ({"baseline_rate": 0.05, "relative_mde": 0.2, "variants": 1}, "variants"),
        ({"baseline_rate": 0.05}, "relative_mde"),
        (
            {"baseline_rate": 0.05, "relative_mde": 0.2, "planned_looks": 0},
            "planned_looks",
        ),
        (
            {"baseline_rate": 0.05, "relative_mde": 0.2, "planned_looks": 53},
            "planned_looks",
        ),
        (
            {"baseline_rate": 0.05, "relative_mde": 0.2, "planned_looks": 2.5},
            "planned_looks",
        ),
        (
            {"baseline_rate": 0.05, "relative_mde": 0.2, "spending": "haybittle"},
            "spending",
        ),
    ],
)
def test_sample_size_refuses_bad_input(client, payload, field):
    response = post(client, "/api/v1/sample-size", payload)
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_calculator_page_is_public(client):
    response = client.get("/calculator")
    assert response.status_code == 200
    assert b"Significance calculator" in response.data


def test_calculator_answers_a_fragment_with_the_verdict(client):
    response = client.post(
        "/calculator",
        data={
            "metric": "binomial",
            "alpha": "0.05",
            "counts": "A\t1000\t50\nB\t1000\t65",
        },
        headers=partial(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<article id="answer">')
    assert "B beats A on conversion rate: +30%" in html


def test_calculator_continuous(client):
    response = client.post(
        "/calculator",
        data={
            "metric": "continuous",
            "alpha": "0.05",
            "counts": "A; 50; 100; 20\nB; 50; 110; 25",
        },
    )
    assert response.status_code == 200
    assert "B beats A on mean value" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "counts,message",
    [
        ("A, 1000, 50", "Paste at least two lines: the control first."),
        (
            "A, 1000, 50\nB, 1000",
            "Line 2: expected 3 values (name, units, conversions), found 2.",
        ),
        ("A, 1000, 50\nB, lots, 3", "Line 2: units must be a number, not “lots”."),
        (
            "A, 1000, 50\nB, 100, 300",
            "Line 2: conversions (300) cannot exceed units (100).",
        ),
        ("A, 1000, 50\nB, -4, 0", "Line 2: units cannot be negative."),
        ("A, 1000, 50\nA, 10, 0", "Line 2: name repeats “A”."),
    ],
)
def test_calculator_says_which_line_is_wrong(client, counts, message):
    response = client.post(
        "/calculator",
        data={"metric": "binomial", "alpha": "0.05", "counts": counts},
        headers=partial(),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_calculator_plan(client):
    response = client.post(
        "/calculator/sample-size",
        data={
            "baseline_rate": "5",
            "relative_mde": "20",
            "alpha": "0.05",
            "power": "0.8",
            "variants": "2",
            "units_per_sprint": "5000",
        },
        headers=partial(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "8,158 units per variant, 16,316 in all: about 4 sprints" in html
    assert "for a single look" not in html


def test_calculator_plan_inflates_for_planned_looks(client):
    response = client.post(
        "/calculator/sample-size",
        data={**PLAN, "planned_looks": "4", "spending": "pocock"},
        headers=partial(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "9,758 units per variant, 19,516 in all." in html
    assert (
        "8,158 per variant for a single look; 4 looks with Pocock boundaries "
        "need 19.6% more to keep the power." in html
    )


PLAN = {
    "baseline_rate": "5",
    "relative_mde": "20",
    "alpha": "0.05",
    "power": "0.8",
    "variants": "2",
}


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"baseline_rate": "abc"}, "Baseline rate must be a number, not “abc”."),
        ({"baseline_rate": "150"}, "Baseline rate must be less than 100."),
        (
            {"baseline_rate": "60", "relative_mde": "80"},
            "Baseline plus this lift would pass 100%.",
        ),
        ({"variants": "1"}, "Variants must be at least 2."),
        ({"units_per_sprint": "-3"}, "Units per sprint must be at least 1."),
        ({"alpha": "0.2"}, "“0.2” is not a known significance level."),
        ({"planned_looks": "60"}, "Sprint looks planned must be at most 52."),
        ({"spending": "linear"}, "“linear” is not a known spending."),
    ],
)
def test_calculator_plan_errors_stand_next_to_the_field(client, overrides, message):
    response = client.post(
        "/calculator/sample-size", data={**PLAN, **overrides}, headers=partial()
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'aria-invalid="true"' in html


def test_api_names_with_nul_are_kept_as_given(client):
    response = client.post(
        "/api/v1/analyze",
        json={"variants": [{"name": "A\x00", "units": 10, "conversions": 1},
                           {"name": "B", "units": 10, "conversions": 2}]},
    )  # fmt: skip
    assert response.status_code == 200
    comparison = response.get_json()["comparisons"][0]
    assert (comparison["control"], comparison["variant"]) == ("A\x00", "B")
    assert comparison["verdict"].startswith("B beats A\x00 on conversion rate")


@pytest.mark.parametrize(
    "url,payload,field",
    [
        (
            "/api/v1/analyze",
            {
                "variants": [
                    {"units": 10**400, "conversions": 1},
                    {"units": 10, "conversions": 1},
                ]
            },
            "variants[0].units",
        ),
        (
            "/api/v1/analyze",
            {
                "alpha": 10**400,
                "variants": [
                    {"units": 10, "conversions": 1},
                    {"units": 10, "conversions": 1},
                ],
            },
            "alpha",
        ),
        (
            "/api/v1/sample-size",
            {"baseline_rate": 0.05, "relative_mde": 0.2, "variants": 10**400},
            "variants",
        ),
        (
            "/api/v1/sample-size",
            {"baseline_rate": 0.05, "relative_mde": 1e-300},
            "relative_mde",
        ),
        (
            "/api/v1/analyze",
            {
                "relative_mde": 1e-300,
                "variants": [
                    {"units": 10, "conversions": 1},
                    {"units": 10, "conversions": 1},
                ],
            },
            "relative_mde",
        ),
    ],
)
def test_api_refuses_numbers_beyond_float_range(client, url, payload, field):
    response = client.post(url, json=payload)
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_api_errors_are_json_with_their_headers(client):
    response = client.get("/api/v1/analyze")
    assert response.status_code == 405
    assert response.get_json()["error"]
    assert "POST" in response.headers["Allow"]
    response = client.post("/api/v1/nothing", json={})
    assert response.status_code == 404
    assert response.is_json


def test_api_too_large_is_json(client):
    response = client.post(
        "/api/v1/analyze", data="x" * (3 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["field"] is None
