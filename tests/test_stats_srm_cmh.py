"""Sample ratio mismatch and Cochran-Mantel-Haenszel against scipy/statsmodels."""

import numpy as np
import pytest
from scipy.stats import chisquare
from statsmodels.stats.contingency_tables import StratifiedTable

from stats import SRM_ALPHA, analyze, cmh_general, cmh_z, sample_ratio_mismatch


@pytest.mark.parametrize(
    ("units", "split"),
    [
        pytest.param([[5000, 5150]], [0.5, 0.5], id="50:50-ok"),
        pytest.param([[5000, 5400]], [0.5, 0.5], id="50:50-off"),
        pytest.param([[9050, 950]], [0.9, 0.1], id="9:1"),
        pytest.param([[1000, 980, 1090]], [1 / 3] * 3, id="3-variants"),
        pytest.param([[1_000_000, 1_003_000]], [0.5, 0.5], id="two-million"),
    ],
)
def test_srm_matches_scipy_chisquare(units, split):
    u = np.array(units, dtype=float)
    r = sample_ratio_mismatch(u, np.broadcast_to(split, u.shape))
    ref = chisquare(u[0], u[0].sum() * np.array(split))
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert r.mismatch == (ref.pvalue < SRM_ALPHA)


def test_srm_with_a_split_that_changed_uses_each_sprints_own_split():
    units = np.array([[500.0, 500.0], [200.0, 800.0]])
    split = np.array([[0.5, 0.5], [0.2, 0.8]])
    r = sample_ratio_mismatch(units, split)
    assert r.expected == pytest.approx((700.0, 1300.0))
    assert r.statistic == pytest.approx(0.0) and not r.mismatch
    # Against a constant 50:50 split the same counts are a glaring mismatch.
    assert sample_ratio_mismatch(units, np.full((2, 2), 0.5)).mismatch


def test_srm_alarm_threshold():
    assert SRM_ALPHA == 0.001
    r = analyze("binomial", ["A", "B"], [5000, 5400], [250, 270])
    assert r.to_dict()["srm"]["mismatch"] is True
    assert "srm" in [w["code"] for w in r.to_dict()["warnings"]]


SPRINTS = [
    # per sprint: (control units, control conversions, challenger units, conv.)
    [(500, 50, 500, 60), (200, 10, 800, 56), (100, 3, 900, 40)],
    [(1000, 100, 1000, 90), (1000, 40, 1000, 55)],
    [(30, 2, 10, 1), (25, 0, 40, 4), (50, 5, 50, 9)],
]


@pytest.mark.parametrize("sprints", SPRINTS)
def test_cmh_matches_statsmodels_stratified_table(sprints):
    s = np.array(sprints, dtype=float)
    z = cmh_z(s[:, 3], s[:, 2], s[:, 1], s[:, 0])
    tables = [
        np.array([[x_t, n_t - x_t], [x_c, n_c - x_c]]) for n_c, x_c, n_t, x_t in s
    ]
    ref = StratifiedTable(tables).test_null_odds(correction=False)
    assert float(z) ** 2 == pytest.approx(ref.statistic, rel=1e-10)
    stat, dof, p = cmh_general(s[:, [0, 2]], s[:, [1, 3]])
    assert (stat, dof, p) == pytest.approx((ref.statistic, 1, ref.pvalue), rel=1e-9)


def test_cmh_per_challenger_with_three_variants_matches_statsmodels():
    units = np.array([[500, 500, 500], [200, 400, 400]], dtype=float)
    conv = np.array([[50, 60, 45], [10, 30, 25]], dtype=float)
    report = analyze(
        "binomial", ["A", "B", "C"], units, conv,
        planned_split=[[1 / 3] * 3, [0.2, 0.4, 0.4]], planned_looks=4,
    ).to_dict()  # fmt: skip
    rows = report["stratified"]["comparisons"]
    for j, row in enumerate(rows, start=1):
        tables = [
            np.array([[conv[s, j], units[s, j] - conv[s, j]],
                      [conv[s, 0], units[s, 0] - conv[s, 0]]])
            for s in range(2)
        ]  # fmt: skip
        ref = StratifiedTable(tables).test_null_odds(correction=False)
        assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)


def test_generalised_cmh_by_hand_for_three_variants():
    units = np.array([[100, 120, 80], [90, 100, 110]], dtype=float)
    conv = np.array([[10, 20, 5], [12, 9, 20]], dtype=float)
    stat, dof, p = cmh_general(units, conv)
    # Landis et al. (1978) general association statistic, written out per stratum.
    resid, cov = np.zeros(2), np.zeros((2, 2))
    for s in range(2):
        n, x = units[s], conv[s]
        big_n, m = n.sum(), x.sum()
        resid += x[:2] - n[:2] * m / big_n
        for i in range(2):
            for k in range(2):
                cov[i, k] += (
                    m * (big_n - m) / (big_n**2 * (big_n - 1))
                    * (n[i] * big_n * (i == k) - n[i] * n[k])
                )  # fmt: skip
    assert dof == 2
    assert stat == pytest.approx(resid @ np.linalg.inv(cov) @ resid, rel=1e-12)


def test_simpsons_paradox_is_flagged_and_the_looks_use_the_stratified_z():
    # Within each sprint B does better; pooled, B looks worse because most of its
    # traffic came in the weak second sprint.
    units = [[800, 200], [200, 800]]
    conv = [[160, 44], [10, 48]]
    report = analyze(
        "binomial", ["A", "B"], units, conv,
        planned_split=[[0.8, 0.2], [0.2, 0.8]], planned_looks=2, planned_units=640,
    ).to_dict()  # fmt: skip
    pooled_diff = report["comparisons"][0]["difference"]
    assert pooled_diff < 0
    codes = [w["code"] for w in report["warnings"]]
    assert "simpson" in codes and "srm" not in codes
    last = report["looks"][-1]
    assert last["z"] > 0
    assert last["z"] == pytest.approx(report["stratified"]["comparisons"][0]["z"])
