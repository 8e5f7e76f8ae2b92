"""The JSON API's schemas: every refusal has its exact status, field and words;
nothing answers 500; the OpenAPI document is generated from the same schemas."""

import pytest

A = {"name": "A", "units": 1000, "conversions": 50}
B = {"name": "B", "units": 1000, "conversions": 65}
BINOMIAL = {"variants": [A, B]}
MEANS = {
    "metric": "continuous",
    "variants": [
        {"name": "A", "units": 50, "mean": 100.0, "sd": 20.0},
        {"name": "B", "units": 50, "mean": 110.0, "sd": 25.0},
    ],
}


def with_b(**figures):
    return {"variants": [A, {"name": "B", **figures}]}


@pytest.mark.parametrize(
    "payload,field,message",
    [
        (with_b(units=10, conversions="3"), "variants[1].conversions",
         "variants[1].conversions must be a whole number."),
        (with_b(units=10, conversions=True), "variants[1].conversions",
         "variants[1].conversions must be a whole number."),
        (with_b(units=10), "variants[1].conversions",
         "variants[1].conversions must be a whole number."),
        (with_b(units=10**400, conversions=3), "variants[1].units",
         "variants[1].units must be a whole number."),
        (with_b(units=1e300, conversions=3), "variants[1].units",
         "variants[1].units must be at most 1,000,000,000,000."),
        (with_b(units=2.5, conversions=1), "variants[1].units",
         "variants[1].units must be a whole number, not 2.5."),
        (with_b(units=-4, conversions=0), "variants[1].units",
         "variants[1].units cannot be negative."),
        (with_b(units=100, conversions=300), "variants[1].conversions",
         "variants[1].conversions (300) cannot exceed units (100)."),
        ({"variants": [A, 5]}, "variants[1]", "variants[1] must be an object."),
        ({"variants": [A, {"sprints": [7]}]}, "variants[1].sprints[0]",
         "variants[1].sprints[0] must be an object."),
        ({"variants": [A, {"sprints": "x"}]}, "variants[1].sprints",
         "variants[1].sprints must be a list."),
        ({"variants": [A, {"sprints": []}]}, "variants[1].sprints",
         "variants[1].sprints must have from 1 to 104 entries."),
        ({"variants": [A, {"sprints": [{"units": 5, "conversions": -1}]}]},
         "variants[1].sprints[0].conversions",
         "variants[1].sprints[0].conversions cannot be negative."),
        ({"variants": [{**A, "name": "  "}, B]}, "variants[0].name",
         "variants[0].name must be text of 1 to 60 characters."),
        ({"variants": [A, {**B, "name": "A "}]}, "variants[1].name",
         "variants[1].name repeats “A”."),
        ({"variants": [A]}, "variants", "variants must have from 2 to 20 entries."),
        ({"variants": "AB"}, "variants", "variants must be a list."),
        ({}, "variants", "variants must be a list."),
        ({**BINOMIAL, "metric": None}, "metric",
         "metric must be one of: binomial, continuous."),
        ({**BINOMIAL, "alpha": True}, "alpha", "alpha must be a finite number."),
        ({**BINOMIAL, "alpha": 0}, "alpha", "alpha must be greater than 0."),
        ({**BINOMIAL, "power": 1}, "power", "power must be less than 1."),
        ({**BINOMIAL, "planned_split": [0.5, "x"]}, "planned_split[1]",
         "planned_split[1] must be a finite number."),
        ({**BINOMIAL, "planned_split": [0.6, 0.6]}, "planned_split",
         "planned_split must add up to 1 (it adds up to 1.2)."),
        ({**BINOMIAL, "planned_split": [[0.5, 0.5], [0.5, 0.5]]}, "planned_split",
         "planned_split must have from 1 to 1 entries."),
        ({**BINOMIAL, "planned_looks": 1.5}, "planned_looks",
         "planned_looks must be a whole number."),
        ({**BINOMIAL, "planned_looks": 53}, "planned_looks",
         "planned_looks must be from 1 to 52."),
        ({**BINOMIAL, "observational": 1}, "observational",
         "observational must be true or false."),
        ({**BINOMIAL, "metric_label": ""}, "metric_label",
         "metric_label must be text of 1 to 100 characters."),
        ({**MEANS, "variants": [MEANS["variants"][0], {"units": 5, "mean": 1}]},
         "variants[1].sd", "variants[1].sd must be a finite number."),
        ({**MEANS, "variants": [MEANS["variants"][0],
                                {"units": 5, "mean": 1, "sd": -1}]},
         "variants[1].sd", "variants[1].sd must be at least 0."),
        ({**MEANS, "variants": [MEANS["variants"][0],
                                {"units": 5, "mean": 1e13, "sd": 1}]},
         "variants[1].mean", "variants[1].mean must be at most 1e+12."),
        ({"metric": "continuous", "variants": [
            {"units": 10, "sum": 5, "sum_squares": 1},
            {"units": 10, "sum": 5, "sum_squares": 10}]},
         "variants[0].sum_squares",
         "variants[0].sum_squares is smaller than sum²/units, which no data can give."),
        ({"variants": [{"sprints": [{"units": 1, "conversions": 0}] * 2}, B]},
         "variants", "Every variant must give the same number of sprints."),
    ],
)  # fmt: skip
def test_analyze_refusals_name_the_path_in_plain_words(client, payload, field, message):
    response = client.post("/api/v1/analyze", json=payload)
    assert response.status_code == 422
    assert response.get_json() == {"error": message, "field": field}


def test_what_stats_refuses_is_a_422_with_its_field(client):
    # No units but a non-zero sum: the schema leaves this to the engine.
    payload = {
        "metric": "continuous",
        "variants": [
            {"units": 0, "sum": 5.0, "sum_squares": 0.0},
            {"units": 10, "sum": 5.0, "sum_squares": 10.0},
        ],
    }
    response = client.post("/api/v1/analyze", json=payload)
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "a variant with no units must have sums of 0",
        "field": "sums",
    }


@pytest.mark.parametrize(
    "url,payload,field,message",
    [
        ("/api/v1/boundaries", {"information_fractions": [0.5, 0.5]},
         "information_fractions",
         "information_fractions must increase from look to look."),
        ("/api/v1/boundaries", {"information_fractions": [0.5, 11]},
         "information_fractions[1]", "information_fractions[1] must be at most 10."),
        ("/api/v1/boundaries", {"information_fractions": [1], "spending": None},
         "spending", "spending must be one of: obrien_fleming, pocock."),
        ("/api/v1/sample-size", {"baseline_rate": 0.6, "relative_mde": 1.0},
         "relative_mde", "baseline_rate × (1 + relative_mde) must stay below 1."),
        ("/api/v1/sample-size", {"baseline_rate": "0.1", "relative_mde": 1.0},
         "baseline_rate", "baseline_rate must be a finite number."),
        ("/api/v1/sample-size", {"baseline_rate": 0.1, "relative_mde": 0.2,
                                 "variants": 21},
         "variants", "variants must be from 2 to 20."),
    ],
)  # fmt: skip
def test_boundaries_and_sample_size_refusals(client, url, payload, field, message):
    response = client.post(url, json=payload)
    assert response.status_code == 422
    assert response.get_json() == {"error": message, "field": field}


@pytest.mark.parametrize(
    "body,message",
    [
        ("[" * 1000 + "]" * 1000, "The request body is not valid JSON."),
        ('{"a":' * 1000 + "1" + "}" * 1000, "The request body is not valid JSON."),
        ('{"alpha": 1' + "0" * 5000 + "}", "The request body is not valid JSON."),
        ('"analyze"', "The request body must be a JSON object."),
        ("[1, 2]", "The request body must be a JSON object."),
    ],
)
def test_malformed_bodies_are_400_never_500(client, body, message):
    response = client.post(
        "/api/v1/analyze", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": message, "field": None}


@pytest.mark.parametrize(
    "body,field",
    [
        ('{"variants": NaN}', "variants"),
        ('{"variants": [{"units": Infinity, "conversions": 1}, {}]}',
         "variants[0].units"),
        ('{"variants": [{"units": 10, "conversions": 1}, {"units": 10,'
         ' "conversions": 1}], "alpha": -Infinity}', "alpha"),
    ],
)  # fmt: skip
def test_nan_and_infinity_literals_are_refused_by_field(client, body, field):
    response = client.post(
        "/api/v1/analyze", data=body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_unknown_fields_are_ignored_as_before(client):
    response = client.post("/api/v1/analyze", json={**BINOMIAL, "colour": "red"})
    assert response.status_code == 200


def test_null_options_mean_their_defaults(client):
    response = client.post(
        "/api/v1/analyze", json={**BINOMIAL, "alpha": None, "planned_split": None}
    )
    assert response.status_code == 200


def test_mean_and_sd_give_the_same_answer_as_sums(client):
    # n=50, mean 100, sd 20: sum 5000, sum of squares 49*400 + 50*100^2.
    sums = {
        "metric": "continuous",
        "variants": [
            {"name": "A", "units": 50, "sum": 5000.0, "sum_squares": 519600.0},
            {"name": "B", "units": 50, "sum": 5500.0, "sum_squares": 635625.0},
        ],
    }
    by_sums = client.post("/api/v1/analyze", json=sums).get_json()
    by_means = client.post("/api/v1/analyze", json=MEANS).get_json()
    assert by_sums["comparisons"][0]["p_value"] == pytest.approx(
        by_means["comparisons"][0]["p_value"], rel=1e-12
    )


def test_openapi_document_lists_the_three_endpoints_with_their_schemas(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    paths = doc["paths"]
    assert set(paths) == {
        "/api/v1/analyze",
        "/api/v1/boundaries",
        "/api/v1/sample-size",
    }

    def request_schema(path):
        return paths[path]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]

    ref = "#/components/schemas/"
    assert request_schema("/api/v1/analyze") == {
        "oneOf": [{"$ref": ref + "AnalyzeRequest"},
                  {"$ref": ref + "ContinuousAnalyzeRequest"}]
    }  # fmt: skip
    assert request_schema("/api/v1/boundaries") == {"$ref": ref + "BoundariesRequest"}
    assert request_schema("/api/v1/sample-size") == {"$ref": ref + "SampleSizeRequest"}
    schemas = doc["components"]["schemas"]
    assert schemas["SampleSizeRequest"]["required"] == ["baseline_rate", "relative_mde"]
    assert schemas["SampleSizeRequest"]["properties"]["variants"] == {
        "type": "integer", "minimum": 2, "maximum": 20, "default": 2
    }  # fmt: skip
    assert schemas["AnalyzeRequest"]["required"] == ["variants"]
    assert schemas["BinomialCell"]["properties"]["units"] == {
        "type": "integer", "minimum": 0, "maximum": 10**12
    }  # fmt: skip
    for path in paths.values():
        assert set(path["post"]["responses"]) == {"200", "400", "422"}
