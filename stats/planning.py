"""Planning: how many units, how many sprints, what effect is detectable."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import optimize, special

from .design import check_looks, sequential_design
from .errors import StatsInputError, check_positive, check_probability

# The smallest baseline rate and relative effect a plan may ask for: below them the
# units needed pass any real traffic (10^11 per variant and more) and the
# arithmetic heads for overflow. 0.01% and 0.1%.
MIN_BASELINE_RATE = 1e-4
MIN_RELATIVE_MDE = 1e-3
# The largest count the app accepts anywhere (forms, imports, the API, the
# database): beyond any real campaign, far below where float arithmetic loses
# whole units. A plan that needs more per variant is refused, not overflowed.
MAX_COUNT = 10**12
# A plan that would take more sprints than this at the given traffic is refused.
MAX_PLAN_SPRINTS = 10**6


@dataclass(frozen=True)
class SampleSize:
    """Units per variant and in total, and sprints needed at the given traffic."""

    units_per_variant: int
    total_units: int
    sprints_needed: int | None
    alpha_per_comparison: float
    fixed_units_per_variant: int  # the one-look figure, before inflation
    inflation_factor: float  # units_per_variant / fixed, unrounded (1 for one look)
    planned_looks: int | None
    spending: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict."""
        return asdict(self)


def _check_variants(variants: int) -> int:
    if isinstance(variants, bool) or not isinstance(variants, int) or variants < 2:
        raise StatsInputError("variants", "need a whole number of variants, at least 2")
    return variants


def comparison_alpha(alpha: float, variants: int) -> float:
    """Bonferroni: alpha divided by the number of challengers (V - 1).

    Consistent with the Holm correction of the analysis (Holm is never stricter
    than Bonferroni), so a plan sized this way keeps its power.
    """
    return alpha / (variants - 1)


def _n_for(p1: float, p2: float, alpha: float, power: float) -> float:
    """Classical pooled normal-approximation sample size per variant (unrounded).

    z_{1-alpha/2} is taken as -ndtri(alpha / 2), which stays finite for an alpha
    as small as 1e-300 (1 - alpha / 2 rounds to 1 there)."""
    z_a = -special.ndtri(alpha / 2.0)
    z_b = special.ndtri(power)
    p_bar = (p1 + p2) / 2.0
    num = z_a * math.sqrt(2.0 * p_bar * (1.0 - p_bar)) + z_b * math.sqrt(
        p1 * (1.0 - p1) + p2 * (1.0 - p2)
    )
    return num * num / (p2 - p1) ** 2


def _check_units_per_sprint(units_per_sprint: float | None) -> float | None:
    if units_per_sprint is None:
        return None
    return check_positive(units_per_sprint, "units_per_sprint")


def _target_rate(p1: float, relative_mde: float) -> float:
    """The challenger's rate p1 (1 + mde), inside (0, 1), mde not too small."""
    try:
        mde = float(relative_mde)
    except (TypeError, ValueError) as exc:
        raise StatsInputError("relative_mde", "must be a number") from exc
    p2 = p1 * (1.0 + mde)
    if mde == 0 or not math.isfinite(mde) or not 0.0 < p2 < 1.0:
        raise StatsInputError(
            "relative_mde", "must be non-zero and keep the target rate between 0 and 1"
        )
    if abs(mde) < MIN_RELATIVE_MDE:
        raise StatsInputError(
            "relative_mde", f"must be at least {MIN_RELATIVE_MDE:g} in size"
        )
    return p2


def _whole_units(units: float) -> int:
    """Units rounded up; refused past MAX_COUNT (inf and NaN included)."""
    if not units <= MAX_COUNT:
        raise StatsInputError(
            "alpha",
            f"with this alpha and power the plan would need more than {MAX_COUNT:,} "
            "units per variant: choose a larger alpha, less power or a larger lift",
        )
    return math.ceil(units - 1e-9)


def _sprints_needed(total: int, traffic: float | None) -> int | None:
    """Sprints the total takes at this traffic; refused past MAX_PLAN_SPRINTS."""
    if traffic is None:
        return None
    if not total / traffic <= MAX_PLAN_SPRINTS:
        raise StatsInputError(
            "units_per_sprint",
            f"is too small: the plan would take more than {MAX_PLAN_SPRINTS:,} sprints",
        )
    return math.ceil(total / traffic - 1e-9)


def sample_size(
    baseline_rate: float = 0.05,
    relative_mde: float = 0.2,
    alpha: float = 0.05,
    power: float = 0.8,
    variants: int = 2,
    units_per_sprint: float | None = None,
    planned_looks: int | None = None,
    spending: str = "obrien_fleming",
) -> SampleSize:
    """Units per variant to detect a relative change of a conversion rate.

    n = (z_{1-a/2} sqrt(2 pbar(1-pbar)) + z_{1-b} sqrt(p1(1-p1) + p2(1-p2)))^2
        / (p2 - p1)^2, rounded up, two-sided; with more than two variants alpha is
    divided by the number of challengers (Bonferroni). sprints_needed: total units
    over all variants divided by units_per_sprint (all variants together), rounded
    up; None without a traffic figure.

    With planned_looks = K > 1 the units are the fixed-design figure (unrounded)
    times the inflation factor of the Lan-DeMets design with looks at k/K
    (stats.design), rounded up, so the plan keeps its power when it looks K times;
    fixed_units_per_variant keeps the one-look figure beside it.
    """
    p1 = check_probability(baseline_rate, "baseline_rate")
    if p1 < MIN_BASELINE_RATE:
        raise StatsInputError(
            "baseline_rate", f"must be at least {MIN_BASELINE_RATE:g}"
        )
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    variants = _check_variants(variants)
    traffic = _check_units_per_sprint(units_per_sprint)
    p2 = _target_rate(p1, relative_mde)
    a = comparison_alpha(alpha, variants)
    looks = None if planned_looks is None else check_looks(planned_looks)
    factor = 1.0
    if looks is not None:
        factor = sequential_design(looks, spending, a, power).inflation_factor
    unrounded = _n_for(p1, p2, a, power)
    n = _whole_units(unrounded * factor)
    total = n * variants
    return SampleSize(
        units_per_variant=n,
        total_units=total,
        sprints_needed=_sprints_needed(total, traffic),
        alpha_per_comparison=a,
        fixed_units_per_variant=math.ceil(unrounded - 1e-9),
        inflation_factor=factor,
        planned_looks=looks,
        spending=None if looks is None else spending,
    )


def minimum_detectable_effect(
    baseline_rate: float,
    units_per_variant: float,
    alpha: float = 0.05,
    power: float = 0.8,
    variants: int = 2,
) -> float:
    """Smallest relative increase detectable with the given units per variant.

    Inverts the sample-size formula numerically (brentq); same Bonferroni rule.
    Returns inf when even a rate of 100% could not be detected.
    """
    p1 = check_probability(baseline_rate, "baseline_rate")
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    variants = _check_variants(variants)
    try:
        n = float(units_per_variant)
    except (TypeError, ValueError) as exc:
        raise StatsInputError("units_per_variant", "must be a number") from exc
    if not n > 0 or not math.isfinite(n):
        raise StatsInputError("units_per_variant", "must be above 0")
    a = comparison_alpha(alpha, variants)
    top = (1.0 - 1e-12) / p1 - 1.0
    if _n_for(p1, p1 * (1.0 + top), a, power) > n:
        return math.inf
    return float(
        optimize.brentq(
            lambda m: _n_for(p1, p1 * (1.0 + m), a, power) - n, 1e-9, top, xtol=1e-12
        )
    )


def continuous_units_per_variant(
    sd: float, mean: float, relative_mde: float, alpha: float, power: float
) -> float:
    """Units per variant for a difference of means: 2 (z_a + z_b)^2 sd^2 / delta^2."""
    delta = abs(mean * relative_mde)
    z = special.ndtri(1.0 - alpha / 2.0) + special.ndtri(power)
    return 2.0 * z * z * sd * sd / (delta * delta) if delta > 0 else math.inf
