"""analyze(): the public report, its JSON-safe form, warnings and verdicts."""

import json
import warnings

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from stats import (
    Report,
    StatsInputError,
    always_valid_binomial,
    analyze,
    analyze_binomial_batch,
    boundaries,
    z_boundaries,
)
from stats import numbers as fig


def codes(report):
    return [w["code"] for w in report["warnings"]]


def assert_looks_agree(d):
    """Every look row, the comparison's flag and its verdict tell one story."""
    for row in d["comparisons"]:
        mine = [lk for lk in d["looks"] if lk["variant"] == row["variant"]]
        assert len(mine) == len(d["looks"]) // len(d["comparisons"])
        crossed = [lk["crossed"] for lk in mine]
        assert row["significant"] is any(crossed)
        for lk in mine:
            if lk["z"] is None or lk["boundary"] is None:
                assert lk["crossed"] is False
            else:
                assert lk["crossed"] is (abs(lk["z"]) >= lk["boundary"] - 1e-9)
        verdict = row["verdict"]
        if row["difference"] is None:
            assert verdict.endswith(", no comparison possible yet")
            assert row["significant"] is False
        elif ", significant at look" in verdict or ", not significant: " in verdict:
            # Sequential: the verdict names the first look that crossed.
            assert row["significant"] is (", significant at look" in verdict)
            if row["significant"]:
                first = crossed.index(True) + 1
                assert f", significant at look {first}" in verdict
        elif ", not significant yet: " in verdict:
            assert row["significant"] is False
        else:  # a single look: the adjusted p-value, shown in the verdict
            assert (", significant (" in verdict) is row["significant"]
            assert (", not significant (" in verdict) is not row["significant"]


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
    assert_looks_agree(d)


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
        planned_looks=4, planned_units=2000, relative_mde=0.2, metric_label="lead rate",
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
    assert_looks_agree(d)


def test_significance_at_the_current_look_keeps_the_short_verdict():
    # z 2.19 < 2.963 at look 1, z 3.10 >= 1.969 at look 2.
    d = analyze("binomial", ["A", "B"], [[5000, 5000], [5000, 5000]],
                [[250, 300], [250, 300]], planned_looks=2).to_dict()  # fmt: skip
    assert [lk["crossed"] for lk in d["looks"]] == [False, True]
    last = d["looks"][-1]
    assert abs(last["z"]) >= last["boundary"]
    assert d["comparisons"][0]["significant"] is True
    assert d["comparisons"][0]["verdict"].endswith(", significant at look 2 of 2")
    assert_looks_agree(d)


def test_a_boundary_crossed_at_an_earlier_look_decides_the_comparison():
    # Look 1 crosses (z 6.08 >= 4.333); sprint 2 reverses it (cumulative z 0).
    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 2, [[250, 400], [250, 100]],
                planned_looks=4, planned_units=20_000).to_dict()  # fmt: skip
    assert [lk["crossed"] for lk in d["looks"]] == [True, False]
    assert [lk["boundary"] for lk in d["looks"]] == pytest.approx(
        boundaries(0.05, [0.25, 0.5]).z_boundaries
    )
    row = d["comparisons"][0]
    assert row["significant"] is True
    assert row["verdict"].endswith(
        "significant at look 1 of 4 (boundary crossed; since then, at look 2 of 4, "
        "the estimate is 0.0% (95% CI \u221211% to +13%))"
    )
    assert "boundary_not_crossed" not in codes(d)
    assert_looks_agree(d)


def test_more_sprints_than_planned_keep_the_verdict_of_the_final_look():
    # Repro A: z 6.08, 8.60, 10.54 with planned_looks=2. Look 2 is the planned end
    # and spends what is left; look 3 has nothing to spend and changes nothing.
    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 3, [[250, 400]] * 3,
                planned_looks=2, planned_units=10_000).to_dict()  # fmt: skip
    fractions = [lk["information_fraction"] for lk in d["looks"]]
    assert fractions == [0.5, 1.0, 1.0]
    bounds = [lk["boundary"] for lk in d["looks"]]
    assert bounds[:2] == pytest.approx([2.963, 1.969], abs=5e-4)  # published OBF
    assert bounds[2] is None
    assert [lk["crossed"] for lk in d["looks"]] == [True, True, False]
    row = d["comparisons"][0]
    assert row["significant"] is True
    assert row["p_value"] == pytest.approx(5.725e-26, rel=1e-3)
    assert row["verdict"].endswith(
        "significant at look 1 of 2 (boundary crossed; since then, at look 3, past "
        "the 2 planned, the estimate is +60% (95% CI +46% to +75%))"
    )
    assert "look 3 of 2" not in row["verdict"]
    assert codes(d) == ["beyond_plan"]
    assert_looks_agree(d)


def test_earlier_looks_never_move_when_more_sprints_arrive():
    # z 1.55, 2.20 at the planned two looks: crossed at the planned end (1.969).
    two = analyze("binomial", ["A", "B"], [[5000, 5000]] * 2, [[250, 285]] * 2,
                  planned_looks=2, planned_units=10_000).to_dict()  # fmt: skip
    three = analyze("binomial", ["A", "B"], [[5000, 5000]] * 3, [[250, 285]] * 3,
                    planned_looks=2, planned_units=10_000).to_dict()  # fmt: skip
    assert [lk["boundary"] for lk in three["looks"]][:2] == pytest.approx(
        [lk["boundary"] for lk in two["looks"]], abs=0
    )
    assert two["comparisons"][0]["verdict"].endswith("significant at look 2 of 2")
    assert three["comparisons"][0]["verdict"].endswith(
        "significant at look 2 of 2 (boundary crossed; since then, at look 3, past "
        "the 2 planned, the estimate is +14% (95% CI +3.6% to +25%))"
    )
    # Not crossed by the planned end: later sprints cannot make it a winner.
    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 3, [[250, 260]] * 3,
                planned_looks=2, planned_units=10_000).to_dict()  # fmt: skip
    assert d["comparisons"][0]["significant"] is False
    assert d["comparisons"][0]["verdict"].endswith(
        "not significant: no clear winner at the planned end (look 3, past the 2 "
        "planned)"
    )
    assert_looks_agree(d)


def test_more_units_than_planned_make_the_first_look_past_the_plan_final():
    # Repro B: planned_units 4000 per variant; look 1 already holds 5000 per
    # variant (information 2500 against 2000 planned), so it is the final analysis
    # at the fixed-sample 1.96 and look 2 spends nothing.
    d = analyze("binomial", ["A", "B"], [[5000, 5000], [5000, 5000]],
                [[250, 400], [250, 400]], planned_units=4000).to_dict()  # fmt: skip
    assert [lk["information_fraction"] for lk in d["looks"]] == [1.0, 1.0]
    assert d["looks"][0]["boundary"] == pytest.approx(stats.norm.isf(0.025), abs=1e-9)
    assert d["looks"][1]["boundary"] is None
    row = d["comparisons"][0]
    assert row["significant"] is True
    assert row["p_value"] == pytest.approx(7.641e-18, rel=1e-3)
    assert row["verdict"].endswith(
        "significant at look 1 (boundary crossed; since then, at look 2, past the "
        "planned sample, the estimate is +60% (95% CI +44% to +78%))"
    )
    assert codes(d) == ["beyond_plan"]
    assert_looks_agree(d)


def test_two_challengers_spend_half_the_alpha_each():
    d = analyze("binomial", ["A", "B", "C"], [[1000] * 3] * 4, [[50, 60, 55]] * 4,
                planned_looks=4, planned_units=4000).to_dict()  # fmt: skip
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


def test_without_a_plan_every_sprint_is_an_always_valid_look():
    """No planned units and no planned looks: the looks are the mixture SPRT's,
    computed here by stats.always_valid on the cumulative counts."""
    units, conversions = [[1000, 1000], [1000, 1000]], [[50, 60], [50, 60]]
    d = analyze("binomial", ["A", "B"], units, conversions).to_dict()
    ref = always_valid_binomial(
        np.cumsum(units, axis=0), np.cumsum(conversions, axis=0)
    )
    assert [lk["z"] for lk in d["looks"]] == pytest.approx(list(ref.z[:, 0, 0]))
    assert [lk["boundary"] for lk in d["looks"]] == pytest.approx(
        list(ref.z_boundary[:, 0, 0])
    )
    assert [lk["information_fraction"] for lk in d["looks"]] == [None, None]
    assert "always_valid" in codes(d)
    row = d["comparisons"][0]
    assert row["decision"]["difference_ci"] == pytest.approx(
        [ref.lower[-1, 0, 0], ref.upper[-1, 0, 0]]
    )
    assert row["verdict"].endswith("valid at any look), not significant yet: look 2")


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


# ------------------------------------------------------------------ looks


def continuous_sums(n, means, sds):
    n = np.asarray(n, dtype=float)
    means = np.broadcast_to(np.asarray(means, dtype=float), n.shape)
    sds = np.broadcast_to(np.asarray(sds, dtype=float), n.shape)
    return n, n * means, (n - 1) * sds**2 + n * means**2


def test_continuous_looks_survive_a_p_value_that_underflows():
    # 1e6 units per arm per sprint, means 10 vs 10.5, sd 1: t = 354 then 500.
    # stats.t.sf underflows to 0 and -ndtri(0) = inf used to become z None.
    n, s, q = continuous_sums([[1e6, 1e6]] * 2, [10.0, 10.5], 1.0)
    d = analyze("continuous", ["A", "B"], n, sums=s, sum_squares=q,
                planned_looks=2, planned_units=2e6).to_dict()  # fmt: skip
    cum_n, cum_s, cum_q = n.cumsum(0), s.cumsum(0), q.cumsum(0)
    mean = cum_s / cum_n
    sd = np.sqrt((cum_q - cum_s * mean) / (cum_n - 1))
    for k, lk in enumerate(d["looks"]):
        ref = stats.ttest_ind_from_stats(mean[k, 1], sd[k, 1], cum_n[k, 1],
                                         mean[k, 0], sd[k, 0], cum_n[k, 0],
                                         equal_var=False)  # fmt: skip
        assert ref.pvalue == 0.0  # underflowed: |t| stands in for z
        assert lk["z"] == pytest.approx(ref.statistic, rel=1e-9)
    assert [lk["z"] for lk in d["looks"]] == pytest.approx([353.55, 500.0], abs=0.01)
    assert [lk["crossed"] for lk in d["looks"]] == [True, True]
    row = d["comparisons"][0]
    assert row["significant"] is True
    assert row["verdict"].endswith(
        "significant at look 1 of 2 (boundary crossed; since then, at look 2 of 2, "
        "the estimate is +5.0% (95% CI +5.0% to +5.0%))"
    )
    assert_looks_agree(d)


def test_continuous_look_z_has_the_p_value_of_welchs_t():
    n, s, q = continuous_sums([[200, 210], [220, 190]], [[52, 55], [50, 56]],
                              [[10, 12], [11, 12]])  # fmt: skip
    d = analyze("continuous", ["A", "B"], n, sums=s, sum_squares=q,
                planned_looks=3, planned_units=1000).to_dict()  # fmt: skip
    cum_n, cum_s, cum_q = n.cumsum(0), s.cumsum(0), q.cumsum(0)
    mean = cum_s / cum_n
    sd = np.sqrt((cum_q - cum_s * mean) / (cum_n - 1))
    for k, lk in enumerate(d["looks"]):
        ref = stats.ttest_ind_from_stats(mean[k, 1], sd[k, 1], cum_n[k, 1],
                                         mean[k, 0], sd[k, 0], cum_n[k, 0],
                                         equal_var=False)  # fmt: skip
        assert lk["z"] == pytest.approx(stats.norm.isf(ref.pvalue / 2), rel=1e-9)


def test_an_early_look_gets_a_finite_boundary_and_no_alpha_spent_warning():
    # 1000 of 25000 planned per variant: fraction 0.04, boundary norm.isf(spent/2).
    d = analyze("binomial", ["A", "B"], [1000, 1000], [50, 60],
                planned_units=25000).to_dict()  # fmt: skip
    [look] = d["looks"]
    spent = 4 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(0.04))
    assert look["information_fraction"] == pytest.approx(0.04, rel=1e-12)
    assert look["boundary"] == pytest.approx(stats.norm.isf(spent / 2), rel=1e-12)
    assert look["boundary"] == pytest.approx(11.1455, abs=1e-4)
    assert "alpha_spent" not in codes(d) and "early_look" not in codes(d)
    assert d["comparisons"][0]["verdict"].endswith(
        "not significant yet: look 1 of about 25; about 24 more sprints at current "
        "traffic"
    )
    # So early that nothing at all is spent (0.01%): explained, but not as
    # "used at earlier looks".
    d = analyze("binomial", ["A", "B"], [1000, 1000], [50, 60],
                planned_units=10_000_000).to_dict()  # fmt: skip
    assert d["looks"][0]["boundary"] is None and d["looks"][0]["crossed"] is False
    assert "early_look" in codes(d) and "alpha_spent" not in codes(d)
    assert_looks_agree(d)


# ------------------------------------------------------------------ one story


def test_a_single_look_shows_the_boundary_of_the_holm_level_that_applied():
    # C: p 0.0484, Holm-adjusted 0.0484 < 0.05 (its step is alpha / 1), so its
    # look crosses 1.96, not the Bonferroni 2.2414 it used to show.
    d = analyze("binomial", ["A", "B", "C"], [2000] * 3, [100, 145, 129],
                planned_looks=1).to_dict()  # fmt: skip
    rows = {r["variant"]: r for r in d["comparisons"]}
    looks = {lk["variant"]: lk for lk in d["looks"]}
    assert rows["C"]["p_value_adjusted"] == pytest.approx(0.04842, abs=1e-5)
    assert rows["B"]["significant"] is True and rows["C"]["significant"] is True
    assert looks["B"]["boundary"] == pytest.approx(stats.norm.isf(0.025 / 2))
    assert looks["C"]["boundary"] == pytest.approx(stats.norm.isf(0.05 / 2))
    assert looks["C"]["z"] == pytest.approx(1.9737, abs=1e-4)
    assert looks["B"]["crossed"] is True and looks["C"]["crossed"] is True
    assert_looks_agree(d)


@pytest.mark.parametrize("correction", ["holm", "bh"])
@pytest.mark.parametrize(
    "conversions",
    [
        [100, 145, 129, 150],  # all significant
        [100, 128, 127, 100],  # Holm stops at the first step, BH passes all
        [100, 131, 104, 126],  # mixed
        [100, 101, 99, 102],  # none
    ],
)
def test_single_look_crossed_matches_the_adjusted_p_value(correction, conversions):
    d = analyze("binomial", list("ABCD"), [2000] * 4, conversions,
                correction=correction, planned_looks=1).to_dict()  # fmt: skip
    p = [r["p_value"] for r in d["comparisons"]]
    sm = {"holm": "holm", "bh": "fdr_bh"}[correction]
    reject = multipletests(p, alpha=0.05, method=sm)[0]
    assert [r["significant"] for r in d["comparisons"]] == list(reject)
    assert [lk["crossed"] for lk in d["looks"]] == list(reject)
    assert_looks_agree(d)


def test_a_look_on_a_small_table_uses_fishers_exact_test():
    # The row shows Fisher's p = 0.1 (scipy); the looks used the pooled z 2.45
    # and said "significant at look 2 of 2".
    d = analyze("binomial", ["A", "B"], [[3, 3], [0, 0]],
                [[0, 3], [0, 0]], planned_looks=1).to_dict()  # fmt: skip
    row = d["comparisons"][0]
    ref = stats.fisher_exact([[3, 0], [0, 3]]).pvalue
    assert row["test"] == "fisher_exact" and row["p_value"] == pytest.approx(ref)
    for lk in d["looks"]:
        assert lk["z"] == pytest.approx(stats.norm.isf(ref / 2), rel=1e-12)
        assert lk["crossed"] is False
    assert row["significant"] is False
    assert row["verdict"].endswith(
        "not significant: no clear winner at the planned end (look 2, past the 1 "
        "planned)"
    )
    assert_looks_agree(d)


def test_look_z_switches_to_fisher_with_the_comparisons_rule():
    # Sprint 1 is small (Fisher, negative difference), sprint 2 makes it large.
    d = analyze("binomial", ["A", "B"], [[20, 20], [2000, 2000]], [[3, 1], [100, 140]],
                planned_looks=2, planned_units=4040).to_dict()  # fmt: skip
    first, second = d["looks"]
    p1 = stats.fisher_exact([[1, 19], [3, 17]]).pvalue
    assert first["z"] == pytest.approx(-stats.norm.isf(p1 / 2), rel=1e-12)
    x_t, x_c, n = 141, 103, 2020
    pooled = (x_t + x_c) / (2 * n)
    z2 = (x_t - x_c) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    assert second["z"] == pytest.approx(z2, rel=1e-12)
    assert_looks_agree(d)


# ------------------------------------------------------------------ information


def test_information_fraction_is_the_information_of_the_difference():
    # Uneven arms: information n_t n_c / (n_t + n_c) over the planned 500.
    d = analyze("binomial", ["A", "B"], [[300, 100], [300, 300]],
                [[15, 5], [15, 20]], planned_units=1000).to_dict()  # fmt: skip
    assert [lk["information_fraction"] for lk in d["looks"]] == pytest.approx(
        [300 * 100 / 400 / 500, 600 * 400 / 1000 / 500], rel=1e-12
    )  # 0.15 and 0.48, not (n_t + n_c) / 2000 = 0.2 and 0.5
    assert [lk["boundary"] for lk in d["looks"]] == pytest.approx(
        list(z_boundaries([0.15, 0.48], 0.05)), abs=1e-12
    )
    # Planned per variant: 1 / (1 / 1500 + 1 / 500) = 375.
    d = analyze("binomial", ["A", "B"], [[300, 100]], [[15, 5]],
                planned_units=[1500, 500]).to_dict()  # fmt: skip
    assert d["looks"][0]["information_fraction"] == pytest.approx(75 / 375)


def test_stratified_looks_sum_the_information_of_each_sprint():
    d = analyze(
        "binomial", ["A", "B"], [[750, 250], [500, 500]], [[75, 30], [50, 60]],
        planned_split=[[0.75, 0.25], [0.5, 0.5]], planned_units=2000,
    ).to_dict()  # fmt: skip
    info = np.cumsum([750 * 250 / 1000, 500 * 500 / 1000])
    assert [lk["information_fraction"] for lk in d["looks"]] == pytest.approx(
        list(info / 1000), rel=1e-12
    )  # 0.1875 and 0.4375 (the pooled counts would say 0.1875 and 0.4464)
    assert "simpson" in codes(d)
    assert_looks_agree(d)


@pytest.mark.parametrize(
    ("plan", "fraction"),
    # Information 2000 * 1000 / 3000 at look 2, of the planned P / 2.
    [
        ({"planned_units": 8000 / 3}, 0.5),
        ({"planned_units": 4000}, 1 / 3),
        ({"planned_units": 4000 / 3}, 1.0),
    ],
)
def test_a_challenger_without_units_has_no_look_yet(plan, fraction):
    d = analyze("binomial", ["A", "B"], [[1000, 0], [1000, 1000]],
                [[50, 0], [50, 70]], **plan).to_dict()  # fmt: skip
    before, after = d["looks"]
    assert before == {
        "variant": "B", "sprint": "1", "information_fraction": 0.0,
        "z": None, "boundary": None, "crossed": False,
    }  # fmt: skip
    assert after["information_fraction"] == pytest.approx(fraction)
    # Its first look spends alpha(t) as a first look: nothing went to sprint 1.
    spent = 4 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(fraction))
    assert after["boundary"] == pytest.approx(stats.norm.isf(spent / 2), rel=1e-9)
    assert not {"alpha_spent", "early_look"} & set(codes(d))
    assert_looks_agree(d)


def test_a_challenger_that_starts_late_among_three():
    d = analyze("binomial", ["A", "B", "C"], [[1000, 1000, 0], [1000, 1000, 1000]],
                [[50, 90, 0], [50, 90, 60]], planned_looks=2,
                planned_units=[2000, 2000, 1000]).to_dict()  # fmt: skip
    b_looks = [lk for lk in d["looks"] if lk["variant"] == "B"]
    c_looks = [lk for lk in d["looks"] if lk["variant"] == "C"]
    assert [lk["boundary"] for lk in b_looks] == pytest.approx(
        list(z_boundaries([0.5, 1.0], 0.025)), abs=1e-12
    )
    assert c_looks[0]["boundary"] is None and c_looks[0]["z"] is None
    assert c_looks[1]["boundary"] == pytest.approx(stats.norm.isf(0.025 / 2))
    assert_looks_agree(d)


# ------------------------------------------------------------------ labels


def test_continuous_relative_lift_with_a_zero_control_mean_is_undefined():
    # Control mean 0 with sd 1 used to raise "invalid value" (inf - inf).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = analyze("continuous", ["A", "B"], [10, 10], sums=[0, 10],
                    sum_squares=[9, 19], planned_looks=1).to_dict()  # fmt: skip
    row = d["comparisons"][0]
    assert row["relative_lift"] is None and row["relative_lift_ci"] == [None, None]
    ref = stats.ttest_ind_from_stats(1, 1, 10, 0, 1, 10, equal_var=False)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-12)
    assert row["difference"] == pytest.approx(1.0)
    msg = [w["message"] for w in d["warnings"] if w["code"] == "undefined"]
    assert "The mean of A is not above zero, so the relative lift of B is not " \
        "defined; the difference is shown." in msg  # fmt: skip
    assert row["verdict"] == (
        "B beats A on mean value: +1.00 (95% CI +0.0604 to +1.94), significant "
        "(p = 0.0382)"
    )


def test_the_default_label_follows_the_metric():
    n, s, q = continuous_sums([[100, 100]], [10.0, 11.0], 3.0)
    cont = analyze("continuous", ["A", "B"], n, sums=s, sum_squares=q)
    assert cont.metric_label == "mean value"
    assert " on mean value: " in cont.comparisons[0]["verdict"]
    binom = analyze("binomial", ["A", "B"], [100, 100], [10, 12])
    assert binom.metric_label == "conversion rate"
    assert " on conversion rate: " in binom.comparisons[0]["verdict"]
    named = analyze("continuous", ["A", "B"], n, sums=s, sum_squares=q,
                    metric_label="deal size")  # fmt: skip
    assert named.to_dict()["metric_label"] == "deal size"


# ------------------------------------------------------------------ broad sweep


def _continuous_case(n, means, sds):
    n, s, q = continuous_sums(n, means, sds)
    return {"units": n, "sums": s, "sum_squares": q}


def _binomial_case(units, conversions, **extra):
    return {"units": units, "conversions": conversions, **extra}


SWEEP_DATA = [
    pytest.param("binomial", _binomial_case([1000, 1000], [50, 65]), id="bin-1-sprint"),
    pytest.param(
        "binomial",
        _binomial_case([[1000] * 3] * 3, [[50, 65, 40], [55, 70, 42], [48, 80, 45]]),
        id="bin-3-sprints-3-variants",
    ),
    pytest.param(
        "binomial",
        _binomial_case(
            [[900, 100], [500, 500], [100, 900]],
            [[90, 12], [40, 60], [5, 90]],
            planned_split=[[0.9, 0.1], [0.5, 0.5], [0.1, 0.9]],
        ),
        id="bin-split-changes",
    ),
    pytest.param(
        "binomial",
        _binomial_case(
            [[1000, 0, 1000], [0, 0, 0], [1000, 1000, 0]],
            [[50, 0, 60], [0, 0, 0], [50, 70, 0]],
        ),
        id="bin-0-unit-sprints",
    ),
    pytest.param(
        "binomial",
        _binomial_case([[5000, 5000]] * 3, [[250, 400], [250, 100], [250, 250]]),
        id="bin-crosses-then-fades",
    ),
    pytest.param(
        "binomial",
        _binomial_case([[3, 3], [2, 2]], [[0, 3], [2, 0]]),
        id="bin-tiny-fisher",
    ),
    pytest.param(
        "binomial", _binomial_case([[0, 0], [0, 0]], [[0, 0], [0, 0]]), id="bin-empty"
    ),
    pytest.param(
        "continuous",
        _continuous_case([[200, 210], [220, 190]], [[52, 55], [50, 56]], 11.0),
        id="cont-2-sprints",
    ),
    pytest.param(
        "continuous",
        _continuous_case([[1e6, 1e6]] * 2, [10.0, 10.5], 1.0),
        id="cont-huge-t",
    ),
    pytest.param(
        "continuous",
        {
            **_continuous_case([[300, 100, 200], [100, 300, 200]], [5, 6, 5.5], 2.0),
            "planned_split": [[0.5, 1 / 6, 1 / 3], [1 / 6, 0.5, 1 / 3]],
        },
        id="cont-split-changes-3-variants",
    ),
    pytest.param(
        "continuous",
        _continuous_case([[10, 0], [10, 10]], [[0, 0], [0, 1]], [[1, 0], [1, 1]]),
        id="cont-zero-mean-0-unit-sprint",
    ),
    pytest.param(
        "continuous", _continuous_case([[1, 1]], [3.0, 4.0], 0.0), id="cont-one-unit"
    ),
]

PLANS = [
    pytest.param({}, id="no-plan"),
    pytest.param({"planned_looks": 1}, id="looks-1"),
    pytest.param({"planned_looks": 2}, id="looks-2"),
    pytest.param({"planned_looks": 6}, id="looks-6"),
    pytest.param({"planned_units": 1500}, id="units"),
    pytest.param({"planned_units": 50}, id="units-overrun"),
    pytest.param({"planned_looks": 4, "planned_units": 3000}, id="looks-and-units"),
    pytest.param({"planned_looks": 2, "spending": "pocock", "correction": "bh"},
                 id="pocock-bh"),
]  # fmt: skip


@pytest.mark.parametrize("higher_is_better", [True, False])
@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize(("metric", "data"), SWEEP_DATA)
def test_every_report_is_json_safe_and_its_looks_agree(
    metric, data, plan, higher_is_better
):
    names = [chr(65 + i) for i in range(np.shape(data["units"])[-1])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from numpy or scipy
        report = analyze(
            metric,
            names,
            **data,
            **plan,
            higher_is_better=higher_is_better,
            relative_mde=0.1,
        )
        d = report.to_dict()
        text = json.dumps(d, allow_nan=False)
    assert_json_safe(json.loads(text))
    assert_looks_agree(d)
    n_sprints = np.atleast_2d(data["units"]).shape[0]
    assert len(d["looks"]) == n_sprints * (len(names) - 1)
    for row in d["comparisons"]:
        assert "look 3 of 2" not in row["verdict"]
        assert "-" not in row["verdict"].split(" on ")[1]  # real minus signs only
    for lk in d["looks"]:
        f = lk["information_fraction"]
        if "planned_units" not in plan and plan.get("planned_looks") != 1:
            # always-valid: no planned information to be a share of
            assert f is None
        else:
            assert f is not None and 0.0 <= f <= 1.0


@pytest.mark.parametrize(
    ("labels", "look"),
    [(["1"], "the sprint 1 look"), (["Sprint 3"], "the Sprint 3 look")],
)
def test_the_ship_sentence_names_the_look_once(labels, look):
    """A sprint named "Sprint 3" reads "at the Sprint 3 look", not "the sprint
    Sprint 3 look"."""
    d = analyze("binomial", ["A", "B"], [2000, 2000], [100, 200], planned_looks=1,
                sprint_labels=labels).to_dict()  # fmt: skip
    sentence = d["recommendation"]["sentence"]
    assert sentence.startswith("Ship B:")
    assert sentence.endswith(f"; the result held at {look}.")


def test_points_beyond_a_thousand_keep_their_sign_and_separators():
    """'−1,352.16 pp' used to raise ValueError (float of a grouped number)."""
    assert fig.points(-13.5216) == "\u22121,352.16 pp"
    assert fig.points(0.00001) == "0.00 pp"
