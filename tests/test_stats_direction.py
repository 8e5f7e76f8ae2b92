"""The verdict's direction and estimate: stratified under Simpson, frozen at a stop.

Mantel-Haenszel estimators against statsmodels' StratifiedTable (risk ratio) and a
direct computation of the published variances (Sato 1989 for the risk
difference, Greenland & Robins 1985 for log RR), which statsmodels lacks.
"""

import numpy as np
import pytest
from scipy import special
from statsmodels.stats.contingency_tables import StratifiedTable

from stats import analyze
from stats.stratified import mantel_haenszel

SIMPSON = dict(
    units=[[5000, 5000], [8000, 2000]],
    conversions=[[150, 180], [640, 192]],
    planned_split=[[0.5, 0.5], [0.8, 0.2]],
    planned_looks=2,
    # Stratified information 2500 then 2500 + 1600: the plan ends at look 2.
    planned_units=8200,
)


def direct_mh(x_t, n_t, x_c, n_c, alpha=0.05):
    """The published formulas, one stratum at a time (plain Python)."""
    w = r = s = p = q = v = rd_num = 0.0
    for a, m, c, k in zip(x_t, n_t, x_c, n_c, strict=True):
        if m == 0 or k == 0:
            continue
        big = m + k
        w += m * k / big
        rd_num += (a * k - c * m) / big
        r += a * k / big
        s += c * m / big
        p += (m * m * c - k * k * a + m * k * (k - m) / 2) / big**2
        q += (a * (k - c) + c * (m - a)) / (2 * big)
        v += (m * k * (a + c) - a * c * big) / big**2
    rd = rd_num / w
    z = special.ndtri(1 - alpha / 2)
    se_rd = np.sqrt(rd * p + q) / w
    se_log = np.sqrt(v / (r * s))
    rr = r / s
    return (
        rd,
        (rd - z * se_rd, rd + z * se_rd),
        rr - 1,
        (rr * np.exp(-z * se_log) - 1, rr * np.exp(z * se_log) - 1),
    )


TABLES = [
    pytest.param([150, 640], [5000, 8000], [180, 192], [5000, 2000], id="simpson"),
    pytest.param([3, 0, 7], [40, 10, 60], [1, 2, 5], [35, 12, 70], id="sparse"),
    pytest.param([50], [1000], [40], [1000], id="one-stratum"),
    pytest.param([9, 30], [10, 30], [8, 29], [10, 30], id="nearly-all-convert"),
    pytest.param([5200, 9100], [1e6, 2e6], [5000, 9000], [1e6, 2e6], id="two-million"),
]


@pytest.mark.parametrize(("x_t", "n_t", "x_c", "n_c"), TABLES)
def test_mantel_haenszel_matches_statsmodels_and_the_published_variances(
    x_t, n_t, x_c, n_c
):
    got = mantel_haenszel(*(np.array(v, float) for v in (x_t, n_t, x_c, n_c)), 0.05)
    tables = [
        np.array([[a, m - a], [c, k - c]], float)
        for a, m, c, k in zip(x_t, n_t, x_c, n_c, strict=True)
    ]
    ref_rr = StratifiedTable(tables).riskratio_pooled
    rd, rd_ci, lift, lift_ci = direct_mh(x_t, n_t, x_c, n_c)
    assert float(got.relative_lift) == pytest.approx(ref_rr - 1, rel=1e-12, abs=1e-15)
    assert float(got.difference) == pytest.approx(rd, rel=1e-12)
    assert (float(got.difference_low), float(got.difference_high)) == pytest.approx(
        rd_ci, rel=1e-10
    )
    assert (
        float(got.relative_lift_low),
        float(got.relative_lift_high),
    ) == pytest.approx(lift_ci, rel=1e-10)


def test_mantel_haenszel_without_control_conversions_has_no_ratio():
    got = mantel_haenszel(
        np.array([5.0, 3.0]), np.array([100.0, 80.0]), np.zeros(2),
        np.array([100.0, 90.0]), 0.05,
    )  # fmt: skip
    assert np.isnan(got.relative_lift) and np.isnan(got.relative_lift_low)
    assert float(got.difference) > 0


def test_mantel_haenszel_is_vectorised_over_challengers():
    x_t = np.array([[150.0, 20.0], [640.0, 30.0]])
    n_t = np.array([[5000.0, 400.0], [8000.0, 500.0]])
    x_c = np.array([[180.0, 25.0], [192.0, 28.0]])
    n_c = np.array([[5000.0, 410.0], [2000.0, 480.0]])
    both = mantel_haenszel(x_t, n_t, x_c, n_c, 0.05)
    for j in range(2):
        one = mantel_haenszel(x_t[:, j], n_t[:, j], x_c[:, j], n_c[:, j], 0.05)
        assert both.difference[j] == pytest.approx(float(one.difference), rel=1e-14)
        assert both.relative_lift_high[j] == pytest.approx(
            float(one.relative_lift_high), rel=1e-14
        )


def test_under_simpsons_paradox_the_verdict_follows_the_stratified_estimate():
    # B is +20% within both sprints; the pooled counts say B is 13% behind.
    d = analyze("binomial", ["A", "B"], **SIMPSON).to_dict()
    row = d["comparisons"][0]
    assert row["relative_lift"] == pytest.approx((372 / 7000) / (790 / 13000) - 1)
    strat = d["stratified"]["comparisons"][0]
    tables = [
        np.array([[180, 4820], [150, 4850]]),
        np.array([[192, 1808], [640, 7360]]),
    ]
    chi2 = StratifiedTable(tables).test_null_odds(correction=False).statistic
    assert strat["z"] == pytest.approx(np.sqrt(chi2), rel=1e-10)  # 2.858
    assert strat["relative_lift"] == pytest.approx(0.2, rel=1e-12)
    assert strat["relative_lift_ci"] == pytest.approx([0.05916, 0.35956], abs=1e-5)
    assert strat["difference"] == pytest.approx(0.0099024, abs=1e-7)
    assert row["verdict"] == (
        "B beats A on conversion rate within sprints: +20% (95% CI +5.9% to +36%), "
        "significant at look 2 of 2"
    )
    messages = [w["message"] for w in d["warnings"] if w["code"] == "simpson"]
    assert any("added up over the sprints" in m and "\u221213%" in m for m in messages)


def test_a_stopped_test_keeps_the_estimate_of_its_decision_point():
    # Look 1 crosses for B (+60%); sprint 2 reverses it (cumulative difference 0).
    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 2, [[250, 400], [250, 100]],
                planned_looks=4, planned_units=20_000).to_dict()  # fmt: skip
    row = d["comparisons"][0]
    assert row["difference"] == 0  # the latest, pooled over both sprints
    assert row["verdict"] == (
        "B beats A on conversion rate: +60% (95% CI +37% to +86%), significant at "
        "look 1 of 4 (boundary crossed; since then, at look 2 of 4, the estimate "
        "is 0.0% (95% CI \u221211% to +13%))"
    )


def test_a_test_significant_for_a_is_never_read_as_b_beating_a():
    # Significant at look 1 with A ahead; a sprint later B leads the totals.
    d = analyze("binomial", ["A", "B"], [[5000, 5000]] * 2, [[400, 250], [100, 300]],
                planned_looks=4).to_dict()  # fmt: skip
    row = d["comparisons"][0]
    assert row["significant"] is True
    assert row["verdict"].startswith("B trails A on conversion rate: \u221238% ")


def test_two_variants_without_spread_have_an_exact_difference():
    # Every unit of A is worth 10, every unit of B 12: no test needed.
    d = analyze("continuous", ["A", "B"], [10, 10], sums=[100, 120],
                sum_squares=[1000, 1440]).to_dict()  # fmt: skip
    assert d["comparisons"][0]["verdict"] == (
        "B beats A on mean value: +20%, an exact difference: every unit of each "
        "variant has the same value, so the difference is certain"
    )


def test_without_a_plan_the_stratified_direction_and_always_valid_interval_hold():
    """The issue's Simpson example with no plan: the always-valid looks still
    quote the Mantel-Haenszel difference, and its interval contains it."""
    units, conversions = [[5000, 5000], [8000, 2000]], [[150, 180], [640, 192]]
    d = analyze("binomial", ["A", "B"], units, conversions,
                planned_split=[[0.5, 0.5], [0.8, 0.2]]).to_dict()  # fmt: skip
    row = d["comparisons"][0]
    n, x = np.array(units, float), np.array(conversions, float)
    mh = mantel_haenszel(x[:, 1:], n[:, 1:], x[:, :1], n[:, :1], 0.05)
    decision = row["decision"]
    assert decision["difference"] == pytest.approx(mh.difference[0])
    low, high = decision["difference_ci"]
    # Wider than the fixed interval below; above, the running intersection with
    # sprint 1's interval may cut it (it holds at every look at once).
    assert low < mh.difference_low[0] < mh.difference[0] < high
    assert row["verdict"].startswith("B beats A on conversion rate within sprints")
    assert "valid at any look" in row["verdict"]
