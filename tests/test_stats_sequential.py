"""Group-sequential boundaries against published tables, and an A/A simulation."""

import numpy as np
import pytest
from scipy import optimize, stats

from stats import StatsInputError, boundaries, pooled_z, spending_function, z_boundaries
from stats.sequential import crossing_probabilities

EQUAL_4 = [0.25, 0.5, 0.75, 1.0]


# Lan-DeMets O'Brien-Fleming type, two-sided alpha = 0.05 (alpha/2 per side), as
# printed by gsDesign (sfLDOF, one-sided 0.025), rpact and ldbounds.
@pytest.mark.parametrize(
    ("fractions", "published"),
    [
        pytest.param([1.0], [1.960], id="1-look"),
        pytest.param([0.5, 1.0], [2.963, 1.969], id="2-looks"),
        pytest.param(EQUAL_4, [4.333, 2.963, 2.359, 2.014], id="4-looks"),
        pytest.param(
            [0.2, 0.4, 0.6, 0.8, 1.0], [4.877, 3.357, 2.680, 2.290, 2.031], id="5-looks"
        ),
    ],
)
def test_obrien_fleming_boundaries_match_published_tables(fractions, published):
    z = boundaries(0.05, fractions, "obrien_fleming").to_dict()["z_boundaries"]
    assert z == pytest.approx(published, abs=5e-4)


def test_obrien_fleming_four_looks_to_four_decimals():
    z = z_boundaries(EQUAL_4, 0.05, "obrien_fleming")
    assert z == pytest.approx([4.3326, 2.9631, 2.3590, 2.0141], abs=5e-5)


def test_single_look_is_the_fixed_sample_test():
    for kind in ("obrien_fleming", "pocock"):
        assert z_boundaries([1.0], 0.05, kind)[0] == pytest.approx(1.959964, abs=1e-6)


def test_the_recursion_reproduces_pococks_constant_boundary():
    # Pocock (1977): 4 equal looks, two-sided 0.05 -> 2.361 at every look.
    c = optimize.brentq(
        lambda b: crossing_probabilities([b] * 4, EQUAL_4).sum() - 0.05, 2.0, 3.0
    )
    assert c == pytest.approx(2.361, abs=5e-4)


def test_pocock_type_spending_is_close_to_pococks_boundary():
    z = z_boundaries(EQUAL_4, 0.05, "pocock")
    assert z == pytest.approx([2.361] * 4, abs=0.012)
    assert z[0] == pytest.approx(2.3683, abs=1e-4)  # first look: exact normal quantile


@pytest.mark.parametrize("kind", ["obrien_fleming", "pocock"])
@pytest.mark.parametrize(
    "fractions",
    [EQUAL_4, [0.3, 0.7, 1.0], [0.1, 0.35, 0.5, 0.9, 1.0], [0.2, 0.4, 0.6, 0.8, 1.0]],
)
def test_boundaries_spend_exactly_the_spending_function(kind, fractions):
    # Independent check: P(|Z_k| < b_k for all k) from the multivariate normal
    # (corr(Z_i, Z_j) = sqrt(t_i / t_j)) must equal 1 - alpha(t_K), look by look.
    t = np.array(fractions)
    b = z_boundaries(t, 0.05, kind)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    cum = spending_function(t, 0.05, kind)
    for k in (0, 1, len(t) - 1):
        mvn = stats.multivariate_normal(
            mean=np.zeros(k + 1),
            cov=cov[: k + 1, : k + 1],
            seed=1,
            maxpts=2_000_000,
            abseps=1e-8,
            releps=1e-8,
        )
        stay = mvn.cdf(b[: k + 1], lower_limit=-b[: k + 1])
        assert 1 - stay == pytest.approx(cum[k], abs=2e-5)


def test_unequal_fractions_cumulative_alpha_and_nominal_p():
    out = boundaries(0.05, [0.3, 0.7, 1.0]).to_dict()
    assert out["cumulative_alpha"][-1] == pytest.approx(0.05, abs=1e-15)
    assert out["cumulative_alpha"][0] == pytest.approx(
        4 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(0.3)), rel=1e-12
    )
    z = np.array(out["z_boundaries"])
    assert out["nominal_p"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)


def test_boundaries_are_deterministic_and_converged_to_1e6():
    import stats.sequential as seq

    t = (0.13, 0.41, 0.77, 1.0)
    coarse = seq._bounds_cached(t, 0.05, "obrien_fleming")
    old = seq._MAX_STEP
    try:
        seq._MAX_STEP = old / 4
        fine = seq._bounds_cached.__wrapped__(t, 0.05, "obrien_fleming")
    finally:
        seq._MAX_STEP = old
    assert coarse == pytest.approx(fine, abs=1e-6)
    assert z_boundaries(t, 0.05) == pytest.approx(coarse, abs=0)


def test_the_first_look_past_the_plan_spends_what_is_left_of_alpha():
    # gsDesign's convention: fractions are information over the planned
    # information; the first look at 1 or more is the final analysis.
    z = z_boundaries([0.5, 0.9, 1.3], 0.05, "obrien_fleming")
    assert z[:2] == pytest.approx(z_boundaries([0.5, 0.9], 0.05), abs=0)
    assert np.isfinite(z).all()
    # Independent check: P(any |Z_k| >= b_k) under no effect is alpha, with the
    # correlation of the actual information sqrt(t_j / t_k).
    t = np.array([0.5, 0.9, 1.3])
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    mvn = stats.multivariate_normal(
        mean=np.zeros(3), cov=cov, seed=1, maxpts=2_000_000, abseps=1e-8, releps=1e-8
    )
    assert 1 - mvn.cdf(z, lower_limit=-z) == pytest.approx(0.05, abs=2e-5)
    assert 1 - crossing_probabilities(z, t).sum() == pytest.approx(0.95, abs=1e-7)


def test_a_look_after_the_final_one_has_nothing_left():
    done = boundaries(0.05, [0.5, 1.0, 1.2]).to_dict()
    assert done["information_fractions"] == [0.5, 1.0, 1.2]
    assert done["z_boundaries"][:2] == pytest.approx([2.963, 1.969], abs=5e-4)
    assert done["z_boundaries"][2] is None
    assert done["cumulative_alpha"][1:] == pytest.approx([0.05, 0.05], abs=1e-15)
    assert done["nominal_p"][2] == 0.0


def test_an_early_first_look_gets_its_finite_boundary():
    # ndtri(1 - inc / 2) rounded to inf once inc / 2 < 1.1e-16 (here 1.5e-29).
    t = [0.04, 0.5, 1.0]
    z = z_boundaries(t, 0.05, "obrien_fleming")
    spent = 4 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(0.04))
    assert spent == pytest.approx(3.06e-29, rel=1e-2)
    assert z[0] == pytest.approx(stats.norm.isf(spent / 2), rel=1e-12)
    assert z[0] == pytest.approx(11.1455, abs=1e-4)
    # So little is spent first that the later looks are the two-look design's.
    assert z[1:] == pytest.approx(z_boundaries([0.5, 1.0]), abs=1e-6)
    assert boundaries(0.05, t).to_dict()["nominal_p"][0] == pytest.approx(
        spent, rel=1e-9
    )
    # Only when the spent alpha underflows to 0 is there nothing to spend.
    assert spending_function(np.array([0.001]), 0.05, "obrien_fleming")[0] == 0.0
    assert z_boundaries([0.001, 1.0])[0] == np.inf
    assert z_boundaries([0.001, 1.0])[1] == pytest.approx(1.959964, abs=1e-6)


@pytest.mark.parametrize(
    ("fractions", "field"),
    [([0.5, 0.4], "information_fractions"), ([0.0, 1.0], "information_fractions")],
)
def test_invalid_fractions_name_the_field(fractions, field):
    with pytest.raises(StatsInputError) as err:
        boundaries(0.05, fractions)
    assert err.value.field == field


def test_invalid_alpha_and_spending_name_the_field():
    with pytest.raises(StatsInputError) as err:
        boundaries(1.5, EQUAL_4)
    assert err.value.field == "alpha"
    with pytest.raises(StatsInputError) as err:
        boundaries(0.05, EQUAL_4, "haybittle")
    assert err.value.field == "spending"


# ------------------------------------------------------------------ simulation

N_SIM = 20_000
UNITS_PER_SPRINT = 1_000  # per arm
BASE = 0.10


def simulate_z(rng, looks, lift):
    n = np.full((N_SIM, looks), float(UNITS_PER_SPRINT))
    x_c = rng.binomial(UNITS_PER_SPRINT, BASE, (N_SIM, looks)).cumsum(axis=1)
    x_t = rng.binomial(UNITS_PER_SPRINT, BASE * (1 + lift), (N_SIM, looks))
    cum_n = n.cumsum(axis=1)
    return pooled_z(x_t.cumsum(axis=1).astype(float), cum_n, x_c.astype(float), cum_n)


@pytest.mark.slow
@pytest.mark.parametrize("looks", [4, 6])
def test_aa_simulation_keeps_false_winners_at_alpha(looks):
    rng = np.random.default_rng(20240 + looks)
    z = np.abs(simulate_z(rng, looks, 0.0))
    t = np.arange(1, looks + 1) / looks
    mc_error = 4 * np.sqrt(0.05 * 0.95 / N_SIM)  # 4 standard errors
    for kind in ("obrien_fleming", "pocock"):
        b = z_boundaries(t, 0.05, kind)
        sequential = np.mean(np.any(z >= b, axis=1))
        assert abs(sequential - 0.05) < mc_error, (kind, sequential)
    naive = np.mean(np.any(z >= 1.959964, axis=1))
    print(f"\n{looks} looks: naive peeking declares {naive:.1%} false winners")
    assert naive > 0.05 + 3 * mc_error


@pytest.mark.slow
def test_power_lost_to_sequential_looks_is_small_for_obrien_fleming():
    rng = np.random.default_rng(99)
    looks = 4
    z = simulate_z(rng, looks, 0.2)  # ~80% power at the end with a fixed test
    fixed = np.mean(np.abs(z[:, -1]) >= 1.959964)
    t = np.arange(1, looks + 1) / looks
    lost = {}
    for kind in ("obrien_fleming", "pocock"):
        b = z_boundaries(t, 0.05, kind)
        lost[kind] = fixed - np.mean(np.any(np.abs(z) >= b, axis=1))
    print(
        f"\nfixed-horizon power {fixed:.1%}; lost with 4 looks: "
        f"O'Brien-Fleming {lost['obrien_fleming']:.1%}, Pocock {lost['pocock']:.1%}"
    )
    assert 0.6 < fixed < 0.95
    assert lost["obrien_fleming"] < 0.05
    assert lost["pocock"] < 0.15
