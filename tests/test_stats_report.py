"""analyze(): the public report, its JSON-safe form, warnings and verdicts."""

import json

import numpy as np
import pytest

from stats import Report, StatsInputError, analyze, analyze_binomial_batch, boundaries


def codes(report):
    return [w["code"] for w in report["warnings"]]


def assert_json_safe(d):
    json.dumps(d, allow_nan=False)  # raises on NaN / inf
    for key in ("metric", "alpha", "variants", "comparisons", "chance_to_be_best",
                "omnibus", "srm", "looks", "stratified", "warnings"):  # fmt: skip
        assert key in d


EDGE_CASES = [
    pytest.param([0, 0], [0, 0], id="both-empty"),
    pytest.param([100, 100], [0, 0], id="nobody-converts"),
    pytest.param([100, 100], [100, 100], id="everybody-converts"),
    pytest.param([100, 100], [0, 5], id="control-0%"),
    pytest.param([100, 100], [5, 0], id="challenger-0%"),
    pytest.param([3, 2], [1, 2], id="tiny"),
    pytest.param([2_000_000, 2_000_000], [100_000, 100_900], id="two-million"),
    pytest.param([9000, 1000], [450, 61], id="9:1"),
    pytest.param([0, 0, 0], [0, 0, 0], id="3-empty"),
    pytest.param([100, 0, 100], [5, 0, 7], id="one-empty-of-3"),
    pytest.param([500] * 5, [20, 25, 30, 22, 0], id="5-variants"),
]


@pytest.mark.parametrize(("units", "conversions"), EDGE_CASES)
def test_report_is_json_safe_and_explains_missing_figures(units, conversions):
    names = [chr(65 + i) for i in range(len(units))]
    d = analyze("binomial", names, units, conversions).to_dict()
    assert_json_safe(d)
    missing = [
        key
        for row in d["comparisons"] + d["variants"]
        for key, value in row.items()
        if value is None or (isinstance(value, list) and None in value)
    ]
    if missing or None in d["chance_to_be_best"]:
        assert "undefined" in codes(d)
    for row in d["comparisons"]:
        assert row["test"] in ("z_pooled", "fisher_exact")
        assert "-" not in row["verdict"].split(" on ")[1]  # real minus signs only


def test_everybody_converting_is_undefined_with_a_reason():
    d = analyze("binomial", ["A", "B"], [50, 50], [50, 50]).to_dict()
    row = d["comparisons"][0]
    assert row["z"] is None and row["relative_lift_ci"] == [None, None]
    assert row["test"] == "fisher_exact" and row["p_value"] == 1.0
    msg = [w["message"] for w in d["warnings"] if w["code"] == "undefined"]
    assert any("Every unit converted in both A and B" in m for m in msg)


def test_single_look_uses_the_adjusted_p_value():
    d = analyze("binomial", ["A", "B", "C"], [2000, 2000, 2000], [100, 150, 110],
                planned_looks=1).to_dict()  # fmt: skip
    b = analyze_binomial_batch([[2000, 2000, 2000]], [[100, 150, 110]])
    rows = d["comparisons"]
    assert [r["p_value_adjusted"] for r in rows] == pytest.approx(b.p_value_adjusted[0])
    assert [r["significant"] for r in rows] == [True, False]
    assert d["omnibus"]["test"] == "chi_square" and d["omnibus"]["dof"] == 2
    assert d["looks"][0]["boundary"] == pytest.approx(2.2414, abs=1e-4)  # alpha/2
    assert rows[0]["verdict"].startswith("B beats A on conversion rate: +50% (95% CI ")
    assert "significant (p = " in rows[0]["verdict"]


def test_sequential_verdict_reads_like_the_issue_example():
    d = analyze(
        "binomial", ["A", "B"], [[500, 500], [500, 500]], [[25, 32], [25, 33]],
        planned_looks=4, relative_mde=0.2, metric_label="lead rate",
    ).to_dict()  # fmt: skip
    v = d["comparisons"][0]["verdict"]
    assert v.startswith("B beats A on lead rate: +30% (95% CI \u2212")
    assert v.endswith("not significant yet: look 2 of 4; about 15 more sprints at "
                      "current traffic")  # fmt: skip
    assert d["comparisons"][0]["significant"] is False
    assert [lk["boundary"] for lk in d["looks"]] == pytest.approx(
        boundaries(0.05, [0.25, 0.5]).z_boundaries
    )
    assert {"underpowered", "boundary_not_crossed"} <= set(codes(d))
    assert d["stratified"]["test"] == "cmh"


def test_significance_with_several_looks_means_the_last_boundary_was_crossed():
    d = analyze("binomial", ["A", "B"], [[5000, 5000], [5000, 5000]],
                [[250, 330], [250, 340]], planned_looks=2).to_dict()  # fmt: skip
    last = d["looks"][-1]
    assert last["crossed"] and abs(last["z"]) >= last["boundary"]
    assert d["comparisons"][0]["significant"] is True
    assert "significant at look 2 of 2" in d["comparisons"][0]["verdict"]


def test_two_challengers_spend_half_the_alpha_each():
    d = analyze("binomial", ["A", "B", "C"], [[1000] * 3] * 4, [[50, 60, 55]] * 4,
                planned_looks=4).to_dict()  # fmt: skip
    expected = boundaries(0.025, [0.25, 0.5, 0.75, 1.0]).z_boundaries
    b_looks = [lk["boundary"] for lk in d["looks"] if lk["variant"] == "B"]
    assert b_looks == pytest.approx(expected)
    assert len(d["looks"]) == 8


def test_information_fraction_from_planned_units():
    d = analyze("binomial", ["A", "B"], [[1000, 1000], [1500, 1500]], [[50, 60]] * 2,
                planned_units=5000).to_dict()  # fmt: skip
    assert [lk["information_fraction"] for lk in d["looks"]] == pytest.approx(
        [0.2, 0.5]
    )
    assert "no_plan" not in codes(d)


def test_without_a_plan_the_last_sprint_is_final():
    d = analyze("binomial", ["A", "B"], [[1000, 1000], [1000, 1000]],
                [[50, 60], [50, 60]]).to_dict()  # fmt: skip
    assert d["looks"][-1]["information_fraction"] == 1.0
    assert "no_plan" in codes(d)
    assert "no clear winner at the planned end" in d["comparisons"][0]["verdict"]


def test_lower_is_better_changes_the_wording():
    kwargs = {"metric_label": "unsubscribe rate", "planned_looks": 1}
    up = analyze("binomial", ["A", "B"], [1000, 1000], [50, 70], **kwargs).to_dict()
    down = analyze("binomial", ["A", "B"], [1000, 1000], [50, 70],
                   higher_is_better=False, **kwargs).to_dict()  # fmt: skip
    assert up["comparisons"][0]["verdict"].startswith("B beats A")
    assert down["comparisons"][0]["verdict"].startswith("B trails A")
    assert down["comparisons"][0]["chance_to_beat_control"] == pytest.approx(
        1 - up["comparisons"][0]["chance_to_beat_control"]
    )


def test_observational_flag_warns():
    d = analyze("binomial", ["A", "B"], [100, 100], [10, 12], observational=True)
    assert "observational" in codes(d.to_dict())


def test_continuous_report_from_sums():
    n = np.array([[200, 210], [220, 190]], dtype=float)
    means = np.array([[52.0, 55.0], [50.0, 56.0]])
    sds = np.array([[10.0, 12.0], [11.0, 12.0]])
    sums = n * means
    sq = (n - 1) * sds**2 + n * means**2
    d = analyze("continuous", ["A", "B"], n, sums=sums, sum_squares=sq,
                metric_label="deal size", planned_looks=3).to_dict()  # fmt: skip
    assert_json_safe(d)
    assert d["variants"][0]["mean"] == pytest.approx((sums[:, 0].sum()) / 420)
    assert d["comparisons"][0]["test"] == "welch_t"
    assert d["comparisons"][0]["verdict"].startswith("B beats A on deal size: +")
    assert d["stratified"] is None and d["omnibus"] is None
    assert len(d["looks"]) == 2


def test_report_is_frozen():
    r = analyze("binomial", ["A", "B"], [100, 100], [10, 12])
    assert isinstance(r, Report)
    with pytest.raises(AttributeError):
        r.alpha = 0.1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("poisson", ["A", "B"], [1, 1], [0, 0]), {}, "metric"),
        (("binomial", ["A"], [1], [0]), {}, "names"),
        (("binomial", ["A", "A"], [1, 1], [0, 0]), {}, "names"),
        (("binomial", ["A", "B"], [1, 1, 1], [0, 0, 0]), {}, "units"),
        (("binomial", ["A", "B"], [-1, 1], [0, 0]), {}, "units"),
        (("binomial", ["A", "B"], [1.5, 1], [0, 0]), {}, "units"),
        (("binomial", ["A", "B"], [1, 1], [2, 0]), {}, "conversions"),
        (("binomial", ["A", "B"], [1, 1]), {}, "conversions"),
        (("binomial", ["A", "B"], [[1, 1]], [[0, 0], [0, 0]]), {}, "conversions"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"alpha": 0}, "alpha"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"power": 1}, "power"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"planned_split": [0.5, 0.6]},
         "planned_split"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"planned_units": 0},
         "planned_units"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"planned_looks": 0},
         "planned_looks"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"spending": "x"}, "spending"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"correction": "x"}, "correction"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"relative_mde": 0},
         "relative_mde"),
        (("binomial", ["A", "B"], [1, 1], [0, 0]), {"sprint_labels": ["a", "b"]},
         "sprint_labels"),
        (("continuous", ["A", "B"], [1, 1]), {"sums": [1, 1]}, "sum_squares"),
    ],
)  # fmt: skip
def test_invalid_input_raises_with_the_field_name(args, kwargs, field):
    with pytest.raises(StatsInputError) as err:
        analyze(*args, **kwargs)
    assert err.value.field == field
    assert isinstance(err.value, ValueError)
