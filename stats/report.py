"""analyze(): one experiment, all looks, figures and verdicts in plain words.

A thin wrapper over the batch functions (a batch of one experiment) plus what only
makes sense per experiment: the sprint looks, sample ratio mismatch, the
stratified test, planning estimates, warnings and verdicts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from . import verdict as words
from .binomial import (
    analyze_binomial_batch,
    check_binomial,
    fisher_exact_p,
    needs_fisher,
    pooled_z,
)
from .continuous import analyze_continuous_batch, check_continuous, mean_and_sd
from .errors import StatsInputError, as_float_array, check_choice, check_probability
from .multiple import CORRECTIONS, critical_levels
from .planning import (
    MIN_BASELINE_RATE,
    MIN_RELATIVE_MDE,
    comparison_alpha,
    continuous_units_per_variant,
    sample_size,
)
from .sequential import (
    SPENDING_FUNCTIONS,
    spending_function,
    z_boundaries,
)
from .srm import SRM_ALPHA, sample_ratio_mismatch
from .stratified import cmh_general, cmh_z

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
METRICS = ("binomial", "continuous")
# What the verdicts call the metric when the caller gives no label.
DEFAULT_LABELS = {"binomial": "conversion rate", "continuous": "mean value"}
# Tolerance on a planned split summing to 1 (shares typed as percentages round).
SPLIT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Warning_:
    """A warning for the reader: a stable code and a plain-words message."""

    code: str
    message: str


@dataclass(frozen=True)
class Report:
    """Everything analyze() found; to_dict() gives the JSON-safe form.

    Fields hold plain Python values (None for figures that do not exist).
    """

    metric: str
    metric_label: str
    alpha: float
    higher_is_better: bool
    variants: tuple[dict[str, Any], ...]
    comparisons: tuple[dict[str, Any], ...]
    chance_to_be_best: tuple[float | None, ...]
    omnibus: dict[str, Any] | None
    srm: dict[str, Any]
    looks: tuple[dict[str, Any], ...]
    stratified: dict[str, Any] | None
    planning: dict[str, Any]
    warnings: tuple[Warning_, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: only str/int/float/bool/None/list/dict, no NaN or inf."""
        return _clean(
            {
                "metric": self.metric,
                "metric_label": self.metric_label,
                "alpha": self.alpha,
                "higher_is_better": self.higher_is_better,
                "variants": self.variants,
                "comparisons": self.comparisons,
                "chance_to_be_best": self.chance_to_be_best,
                "omnibus": self.omnibus,
                "srm": self.srm,
                "looks": self.looks,
                "stratified": self.stratified,
                "planning": self.planning,
                "warnings": [
                    {"code": w.code, "message": w.message} for w in self.warnings
                ],
            }
        )


def _clean(obj: Any) -> Any:
    """Recursively convert numpy values to Python ones; NaN and inf become None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [_clean(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


def _num(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def _count(x: Any) -> int:
    return int(round(float(x)))


def _harmonic(n_t: FloatArray, n_c: FloatArray) -> FloatArray:
    """n_t n_c / (n_t + n_c) = 1 / (1/n_t + 1/n_c), and 0 where either is 0."""
    both = (n_t > 0) & (n_c > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(both, n_t * n_c / (n_t + n_c), 0.0)


@dataclass(frozen=True)
class _Track:
    """One challenger's sprint looks (arrays over sprints)."""

    z: FloatArray  # NaN where undefined
    raw: FloatArray  # information fraction of the plan (above 1 past the plan)
    used: FloatArray  # the fraction shown and spent on: capped at 1
    bounds: FloatArray  # |z| boundary, inf where nothing can be spent
    informed: BoolArray  # False: no information yet, so not a look


# ---------------------------------------------------------------- validation


def _as_table(value: Any, name: str, n_var: int | None = None) -> FloatArray:
    arr = as_float_array(value, name)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise StatsInputError(name, "must be (sprints, variants) or (variants,)")
    if n_var is not None and arr.shape[1] != n_var:
        raise StatsInputError(name, f"needs one column per variant ({n_var})")
    return arr


def _check_names(names: Any) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise StatsInputError("names", "must be a list of variant names, control first")
    out = [str(n) for n in names]
    if len(out) < 2:
        raise StatsInputError("names", "need at least two variants (control first)")
    if any(not n.strip() for n in out) or len(set(out)) != len(out):
        raise StatsInputError("names", "variant names must be non-empty and distinct")
    return out


def _check_split(planned_split: Any, shape: tuple[int, int]) -> FloatArray:
    n_sprints, n_var = shape
    if planned_split is None:
        return np.full(shape, 1.0 / n_var)
    split = as_float_array(planned_split, "planned_split")
    if split.ndim == 1:
        split = np.broadcast_to(split, (n_sprints, split.shape[0]))
    if split.shape != shape:
        raise StatsInputError(
            "planned_split", f"must be ({n_var},) or ({n_sprints}, {n_var})"
        )
    if np.any(split < 0):
        raise StatsInputError("planned_split", "shares cannot be negative")
    if np.any(np.abs(split.sum(axis=1) - 1.0) > SPLIT_TOLERANCE):
        raise StatsInputError("planned_split", "shares must sum to 1")
    return np.array(split)


def _check_planned_units(planned_units: Any, n_var: int) -> FloatArray | None:
    if planned_units is None:
        return None
    p = as_float_array(planned_units, "planned_units")
    if p.ndim == 0:
        p = np.full(n_var, float(p))
    if p.shape != (n_var,) or np.any(p <= 0):
        raise StatsInputError(
            "planned_units",
            "must be a positive number per variant (one or per variant)",
        )
    return p


def _check_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise StatsInputError(name, "must be a whole number, at least 1")
    return int(value)


def _check_mde(value: Any) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise StatsInputError("relative_mde", "must be a number") from exc
    if not math.isfinite(v) or v == 0 or v <= -1:
        raise StatsInputError("relative_mde", "must be a non-zero change above -100%")
    return v


# ---------------------------------------------------------------- analysis


def analyze(
    metric: str,
    names: Sequence[str],
    units: Any,
    conversions: Any = None,
    sums: Any = None,
    sum_squares: Any = None,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    planned_split: Any = None,
    planned_units: Any = None,
    planned_looks: int | None = None,
    spending: str = "obrien_fleming",
    correction: str = "holm",
    relative_mde: float | None = None,
    observational: bool = False,
    metric_label: str | None = None,
    sprint_labels: Sequence[str] | None = None,
    higher_is_better: bool = True,
) -> Report:
    """Analyse one experiment from per-sprint sufficient statistics.

    units (and conversions, or sums and sum_squares) are (S, V): one row per
    sprint, the control in column 0; a (V,) array is one look. Figures for the
    comparisons use the cumulative totals.

    Significance: with a sequential plan (several sprints, planned_looks > 1, or
    planned_units not yet reached) a comparison is significant as soon as any look
    crosses its Lan-DeMets boundary (the verdict names the first such look); with
    two or more challengers each comparison gets alpha / (number of challengers)
    (Bonferroni). With a single look it is significant when the Holm (or BH)
    adjusted p-value is below alpha, and that look's boundary is the critical z of
    the level the adjustment applied to it (multiple.critical_levels), so `crossed`
    and `significant` agree.

    Information fractions: the information of a difference is proportional to
    n_t n_c / (n_t + n_c) (summed over sprints for the stratified test), taken
    relative to the planned P_t P_c / (P_t + P_c) when planned_units is given;
    with only planned_looks, sprint s of K is at s / K; with neither, relative to
    the latest look. A sprint at which a challenger (or the control) has no units
    yet is not a look for it: no alpha is spent, and its look row has z and
    boundary None and crossed False. Past the plan (information above the planned,
    or more sprints than planned_looks) the first look that reached the plan was
    the final analysis and spent what alpha was left; later looks spend nothing
    and cannot change the verdict (gsDesign's convention). The look rows show the
    fractions capped at 1.

    The looks use the pooled z (binomial) or the normal equivalent of Welch's t
    (continuous) on the cumulative counts; when the planned split changed between
    sprints the binomial looks use the Cochran-Mantel-Haenszel z stratified by
    sprint, because the pooled counts can mislead (Simpson's paradox). A look
    whose cumulative table calls for Fisher's exact test (as the comparison's
    does) uses the z with the same two-sided p-value as Fisher's test.

    metric_label names the metric in the verdicts; by default "conversion rate"
    (binomial) or "mean value" (continuous).
    """
    metric = check_choice(metric, "metric", METRICS)
    names_ = _check_names(names)
    n_var = len(names_)
    alpha = check_probability(alpha, "alpha")
    power = check_probability(power, "power")
    check_choice(spending, "spending", SPENDING_FUNCTIONS)
    check_choice(correction, "correction", CORRECTIONS)
    n = _as_table(units, "units", n_var)
    if metric == "binomial":
        if conversions is None:
            raise StatsInputError("conversions", "required for a binomial metric")
        x = _as_table(conversions, "conversions", n_var)
        n, x = check_binomial(n, x)
        s = q = None
    else:
        if sums is None or sum_squares is None:
            field_ = "sums" if sums is None else "sum_squares"
            raise StatsInputError(field_, "required for a continuous metric")
        s = _as_table(sums, "sums", n_var)
        q = _as_table(sum_squares, "sum_squares", n_var)
        n, s, q = check_continuous(n, s, q)
        x = None
    n_sprints = n.shape[0]
    split = _check_split(planned_split, n.shape)
    plan_units = _check_planned_units(planned_units, n_var)
    looks_planned = _check_int(planned_looks, "planned_looks")
    mde = _check_mde(relative_mde)
    if sprint_labels is None:
        labels = [str(i + 1) for i in range(n_sprints)]
    else:
        labels = [str(v) for v in sprint_labels]
        if len(labels) != n_sprints:
            raise StatsInputError(
                "sprint_labels", f"need one label per sprint ({n_sprints})"
            )
    observational = bool(observational)
    higher_is_better = bool(higher_is_better)

    ctx = _Context(
        metric,
        names_,
        DEFAULT_LABELS[metric] if metric_label is None else str(metric_label),
        alpha,
        power,
        spending,
        correction,
        higher_is_better,
        n,
        x,
        s,
        q,
        split,
        plan_units,
        looks_planned,
        mde,
        labels,
    )
    return ctx.run(observational)


@dataclass
class _Context:
    """Working state of one analyze() call."""

    metric: str
    names: list[str]
    label: str
    alpha: float
    power: float
    spending: str
    correction: str
    higher_is_better: bool
    n: FloatArray
    x: FloatArray | None
    s: FloatArray | None
    q: FloatArray | None
    split: FloatArray
    plan_units: FloatArray | None
    planned_looks: int | None
    mde: float | None
    labels: list[str]

    def __post_init__(self) -> None:
        self.warnings: list[Warning_] = []
        self.n_var = self.n.shape[1]
        self.n_sprints = self.n.shape[0]
        self.cum_n = np.cumsum(self.n, axis=0)
        self.total_n = self.cum_n[-1]

    def warn(self, code: str, message: str) -> None:
        if not any(w.code == code and w.message == message for w in self.warnings):
            self.warnings.append(Warning_(code, message))

    # ------------------------------------------------------------ main flow

    def run(self, observational: bool) -> Report:
        if self.metric == "binomial":
            assert self.x is not None
            batch = analyze_binomial_batch(
                self.total_n[None, :],
                np.cumsum(self.x, axis=0)[-1][None, :],
                self.alpha,
                self.correction,
                self.higher_is_better,
            )
            variants, comparisons = self._binomial_rows(batch)
            omnibus = self._omnibus(
                "chi_square",
                batch.omnibus_statistic[0],
                batch.omnibus_dof,
                batch.omnibus_p_value[0],
            )
        else:
            assert self.s is not None and self.q is not None
            batch_c = analyze_continuous_batch(
                self.total_n[None, :],
                self.s.sum(axis=0)[None, :],
                self.q.sum(axis=0)[None, :],
                self.alpha,
                self.correction,
                self.higher_is_better,
            )
            variants, comparisons = self._continuous_rows(batch_c)
            omnibus = self._omnibus(
                "welch_anova",
                batch_c.omnibus_statistic[0],
                batch_c.omnibus_dof,
                batch_c.omnibus_p_value[0],
            )
            if omnibus is not None:
                omnibus["dof_denominator"] = _num(batch_c.omnibus_dof_denominator[0])
            batch = batch_c  # type: ignore[assignment]
        best = tuple(_num(v) for v in batch.chance_to_be_best[0])
        if self.n_var >= 3 and any(b is None for b in best):
            self.warn(
                "undefined",
                "The chance to be best cannot be computed until "
                "every variant has at least two units.",
            )

        srm = self._srm()
        split_changed = bool(
            np.any(np.abs(self.split - self.split[:1]) > SPLIT_TOLERANCE)
        )
        if split_changed:
            self.warn(
                "simpson",
                "The planned traffic split changed between sprints. Simply adding up "
                "the sprints can mislead (Simpson's paradox): a sprint that was better "
                "or worse for everyone weighs more in the variant that got more "
                "traffic then. "
                + (
                    "The sprint looks use a test stratified by sprint."
                    if self.metric == "binomial"
                    else "Read the pooled figures with care."
                ),
            )
        stratified = self._stratified()
        tracks = self._looks(split_changed)
        planning = self._planning(comparisons)
        looks = self._finish_comparisons(comparisons, tracks, planning)
        if observational:
            self.warn(
                "observational",
                "The variants were not assigned at random (for example each rep chose "
                "their own script), so a difference may come from who used which "
                "variant rather than from the variant itself. Treat it as a hint.",
            )
        return Report(
            metric=self.metric,
            metric_label=self.label,
            alpha=self.alpha,
            higher_is_better=self.higher_is_better,
            variants=tuple(variants),
            comparisons=tuple(comparisons),
            chance_to_be_best=best,
            omnibus=omnibus,
            srm=srm,
            looks=tuple(looks),
            stratified=stratified,
            planning=planning,
            warnings=tuple(self.warnings),
        )

    # ------------------------------------------------------------ rows

    def _binomial_rows(
        self, b: Any
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        variants = []
        for j, name in enumerate(self.names):
            units = _count(b.units[0, j])
            if units == 0:
                self.warn(
                    "undefined",
                    f"{name} has no units yet, so its {self.label} is not available.",
                )
            variants.append(
                {
                    "name": name,
                    "units": units,
                    "conversions": _count(b.conversions[0, j]),
                    "rate": _num(b.rate[0, j]),
                    "rate_ci": [_num(b.rate_low[0, j]), _num(b.rate_high[0, j])],
                }
            )
        comparisons = []
        control = self.names[0]
        x_c, n_c = b.conversions[0, 0], b.units[0, 0]
        for i, name in enumerate(self.names[1:]):
            x_t, n_t = b.conversions[0, i + 1], b.units[0, i + 1]
            row = {
                "variant": name,
                "control": control,
                "difference": _num(b.difference[0, i]),
                "difference_ci": [
                    _num(b.difference_low[0, i]),
                    _num(b.difference_high[0, i]),
                ],
                "relative_lift": _num(b.relative_lift[0, i]),
                "relative_lift_ci": [
                    _num(b.relative_lift_low[0, i]),
                    _num(b.relative_lift_high[0, i]),
                ],
                "z": _num(b.z[0, i]),
                "test": "fisher_exact" if b.fisher[0, i] else "z_pooled",
                "p_value": _num(b.p_value[0, i]),
                "p_value_adjusted": _num(b.p_value_adjusted[0, i]),
                "chance_to_beat_control": _num(b.chance_to_beat_control[0, i]),
                "expected_loss": _num(b.expected_loss[0, i]),
            }
            if n_t > 0 and n_c > 0:
                if x_c == 0:
                    self.warn(
                        "undefined",
                        f"{control} has no conversions yet, so the "
                        f"relative lift of {name} cannot be computed (it would "
                        "divide by zero); the difference in points is shown.",
                    )
                elif x_t == 0:
                    self.warn(
                        "undefined",
                        f"{name} has no conversions yet, so the "
                        "interval for its relative lift cannot be computed.",
                    )
                if x_c == n_c and x_t == n_t:
                    self.warn(
                        "undefined",
                        f"Every unit converted in both {control} and "
                        f"{name}: there is no spread to test, so the z statistic "
                        "and the lift interval do not exist.",
                    )
                if b.fisher[0, i]:
                    self.warn(
                        "small_sample",
                        f"{name} vs {control}: the counts are small, "
                        "so the p-value comes from Fisher's exact test.",
                    )
            comparisons.append(row)
        return variants, comparisons

    def _continuous_rows(
        self, b: Any
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        variants = []
        for j, name in enumerate(self.names):
            units = _count(b.units[0, j])
            if units < 2:
                self.warn(
                    "undefined",
                    f"{name} has fewer than two units, so its spread "
                    f"and interval for {self.label} are not available.",
                )
            variants.append(
                {
                    "name": name,
                    "units": units,
                    "mean": _num(b.mean[0, j]),
                    "sd": _num(b.sd[0, j]),
                    "mean_ci": [_num(b.mean_low[0, j]), _num(b.mean_high[0, j])],
                }
            )
        comparisons = []
        control = self.names[0]
        for i, name in enumerate(self.names[1:]):
            row = {
                "variant": name,
                "control": control,
                "difference": _num(b.difference[0, i]),
                "difference_ci": [
                    _num(b.difference_low[0, i]),
                    _num(b.difference_high[0, i]),
                ],
                "relative_lift": _num(b.relative_lift[0, i]),
                "relative_lift_ci": [
                    _num(b.relative_lift_low[0, i]),
                    _num(b.relative_lift_high[0, i]),
                ],
                "t": _num(b.t[0, i]),
                "df": _num(b.df[0, i]),
                "test": "welch_t",
                "p_value": _num(b.p_value[0, i]),
                "p_value_adjusted": _num(b.p_value_adjusted[0, i]),
                "chance_to_beat_control": _num(b.chance_to_beat_control[0, i]),
                "expected_loss": _num(b.expected_loss[0, i]),
            }
            if row["p_value"] is None and b.units[0, i + 1] >= 2 and b.units[0, 0] >= 2:
                self.warn(
                    "undefined",
                    f"{name} and {control} show no spread at all, so "
                    "Welch's t-test cannot be computed.",
                )
            if row["relative_lift"] is None and row["difference"] is not None:
                self.warn(
                    "undefined",
                    f"The mean of {control} is not above zero, so the "
                    f"relative lift of {name} is not defined; the difference is "
                    "shown.",
                )
            comparisons.append(row)
        return variants, comparisons

    def _omnibus(
        self, test: str, stat: float, dof: int, p: float
    ) -> dict[str, Any] | None:
        if self.n_var < 3:
            return None
        if not math.isfinite(stat):
            self.warn(
                "undefined",
                "The test across all variants cannot be computed yet "
                "(a variant is empty, or nobody or everybody converted).",
            )
        return {"test": test, "statistic": _num(stat), "dof": dof, "p_value": _num(p)}

    # ------------------------------------------------------------ checks

    def _srm(self) -> dict[str, Any]:
        r = sample_ratio_mismatch(self.n, self.split)
        if r.mismatch:
            shares = ", ".join(
                f"{name} {words.pct(u / self.total_n.sum(), sign=False)}"
                for name, u in zip(self.names, self.total_n, strict=True)
            )
            self.warn(
                "srm",
                f"Sample ratio mismatch: the traffic split ({shares}) is not what was "
                f"planned (chance of a split this far off by luck: "
                f"{words.p_text(r.p_value)}, "
                f"alarm below {SRM_ALPHA:g}). Something in the set-up sends traffic "
                "unevenly, so the results may be biased: fix that before "
                "trusting them.",
            )
        return {
            "statistic": _num(r.statistic),
            "dof": r.dof,
            "p_value": _num(r.p_value),
            "mismatch": r.mismatch,
            "expected_units": [_num(e) for e in r.expected],
        }

    def _stratified(self) -> dict[str, Any] | None:
        if self.n_sprints < 2 or self.metric != "binomial":
            return None
        assert self.x is not None
        stat, dof, p = cmh_general(self.n, self.x)
        rows = []
        for j in range(1, self.n_var):
            z = cmh_z(self.x[:, j], self.n[:, j], self.x[:, 0], self.n[:, 0])
            zf = float(z)
            rows.append(
                {
                    "variant": self.names[j],
                    "z": _num(zf),
                    "statistic": _num(zf * zf),
                    "p_value": _num(2.0 * special.ndtr(-abs(zf))),
                }
            )
        if not math.isfinite(stat):
            self.warn(
                "undefined",
                "The test stratified by sprint cannot be computed "
                "yet (no variation within the sprints).",
            )
        return {
            "test": "cmh",
            "statistic": _num(stat),
            "dof": dof,
            "p_value": _num(p),
            "comparisons": rows,
        }

    # ------------------------------------------------------------ looks

    def _look_z(self, split_changed: bool) -> FloatArray:
        """z per sprint (rows) per challenger (columns), cumulative data.

        Binomial: the pooled z, or the CMH z stratified by sprint when the split
        changed; where the cumulative table needs Fisher's exact test (the rule of
        the comparison, binomial.needs_fisher) the z with the same two-sided
        p-value as Fisher's test, signed like the difference. Continuous: the z
        with the same two-sided p-value as Welch's t.
        """
        cum_n = self.cum_n
        if self.metric == "binomial":
            assert self.x is not None
            cum_x = np.cumsum(self.x, axis=0)
            x_t, n_t = cum_x[:, 1:], cum_n[:, 1:]
            x_c = np.broadcast_to(cum_x[:, :1], x_t.shape)
            n_c = np.broadcast_to(cum_n[:, :1], n_t.shape)
            z = pooled_z(x_t, n_t, x_c, n_c)
            if split_changed:
                for s in range(self.n_sprints):
                    sl = slice(0, s + 1)
                    z[s] = cmh_z(
                        self.x[sl, 1:], self.n[sl, 1:], self.x[sl, :1], self.n[sl, :1]
                    )
            fisher = needs_fisher(x_t, n_t, x_c, n_c)
            if fisher.any():
                p = fisher_exact_p(x_t[fisher], n_t[fisher], x_c[fisher], n_c[fisher])
                diff = x_t[fisher] / n_t[fisher] - x_c[fisher] / n_c[fisher]
                # + 0.0 turns the -0.0 of a zero difference into 0.0.
                z[fisher] = np.sign(diff) * -special.ndtri(p / 2.0) + 0.0
            return z
        assert self.s is not None and self.q is not None
        mean, sd = mean_and_sd(
            cum_n, np.cumsum(self.s, axis=0), np.cumsum(self.q, axis=0)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            var = sd**2 / cum_n
            se = np.sqrt(var[:, 1:] + var[:, :1])
            t = (mean[:, 1:] - mean[:, :1]) / se
            df = se**4 / (
                var[:, 1:] ** 2 / (cum_n[:, 1:] - 1)
                + var[:, :1] ** 2 / (cum_n[:, :1] - 1)
            )
        ok = np.isfinite(t) & np.isfinite(df) & (se > 0)
        z = np.full(t.shape, np.nan)
        if ok.any():
            # The normal z with the same two-sided p-value as Welch's t. Beyond
            # |z| of about 38 the p-value underflows to 0 (ndtri would give inf):
            # there |t| itself stands in, far past every finite boundary.
            p = stats.t.sf(np.abs(t[ok]), df[ok])
            safe_p = np.where(p > 0, p, 0.5)
            z[ok] = np.sign(t[ok]) * np.where(
                p > 0, -special.ndtri(safe_p), np.abs(t[ok])
            )
        return z

    def _information(self, split_changed: bool) -> FloatArray:
        """Statistical information per sprint per challenger, up to a constant.

        The variance of a difference of two means or rates is proportional to
        1/n_t + 1/n_c, so its information is n_t n_c / (n_t + n_c) on the
        cumulative units (0 while either arm has none). For the test stratified by
        sprint (CMH) it is the sum over sprints of each sprint's n_t n_c /
        (n_t + n_c).
        """
        if self.metric == "binomial" and split_changed:
            n_t, n_c = self.n[:, 1:], self.n[:, :1]
            per_sprint = _harmonic(n_t, n_c)
            return np.cumsum(per_sprint, axis=0)
        return _harmonic(self.cum_n[:, 1:], self.cum_n[:, :1])

    def _fractions(self, info: FloatArray) -> FloatArray:
        """Planned information fraction per sprint per challenger (may exceed 1).

        With planned_units: the information reached over the planned information
        P_t P_c / (P_t + P_c). With only planned_looks: sprint s of K is at s / K
        (calendar spacing: a sprint counts as a look even if it adds few units).
        Without a plan: the information reached over the latest one. A challenger
        with no information yet (it, or the control, has no units) is at 0: it
        has no look at that sprint.
        """
        informed = info > 0
        if self.plan_units is not None:
            planned = _harmonic(self.plan_units[1:], self.plan_units[:1])
            return info / planned
        if self.planned_looks is not None:
            steps = (
                np.arange(1, self.n_sprints + 1, dtype=np.float64) / self.planned_looks
            )
            return np.where(informed, steps[:, None], 0.0)
        self.warn(
            "no_plan",
            "No planned sample size or number of looks was given, so each "
            "sprint so far "
            "counts as a look and the latest is treated as the final one.",
        )
        last = np.where(info[-1] > 0, info[-1], 1.0)
        return np.where(info[-1] > 0, info / last, 0.0)

    def _looks(self, split_changed: bool) -> list[_Track]:
        """z, information fractions and Lan-DeMets boundaries per challenger.

        Each challenger gets alpha / (number of challengers) (Bonferroni), spent
        over its own looks. Sprints where it has no information yet are not
        looks: no alpha is spent on them and their boundary is None. The first
        look that reaches the plan is the final analysis; later looks spend nothing.
        """
        z = self._look_z(split_changed)
        raw = self._fractions(self._information(split_changed))
        alpha_c = comparison_alpha(self.alpha, self.n_var)
        tracks = []
        for j in range(self.n_var - 1):
            tj = raw[:, j]
            informed = tj > 0
            used = np.zeros(self.n_sprints)
            bounds = np.full(self.n_sprints, np.inf)
            if informed.any():
                used[informed] = np.minimum(tj[informed], 1.0)
                bounds[informed] = z_boundaries(tj[informed], alpha_c, self.spending)
            name = self.names[j + 1]
            if tj[-1] > 1.0 + 1e-9:
                self.warn(
                    "beyond_plan",
                    "The experiment has run past its plan: the first look that "
                    "reached the planned sample was the final analysis and spent "
                    "what was left of the error allowance, so later sprints cannot "
                    "change the verdict.",
                )
            if informed[-1] and not math.isfinite(bounds[-1]) and tj[-1] <= 1.0:
                earlier = used[informed][:-1]
                spent = (
                    float(spending_function(earlier[-1:], alpha_c, self.spending)[0])
                    if earlier.size
                    else 0.0
                )
                if spent >= alpha_c * (1.0 - 1e-9):
                    self.warn(
                        "alpha_spent",
                        f"{name}: all of the error allowance was used at earlier "
                        "looks, so this look cannot declare a winner.",
                    )
                else:
                    share = float(tj[-1])
                    share_text = (
                        "under 0.1%" if share < 0.001 else words.pct(share, sign=False)
                    )
                    self.warn(
                        "early_look",
                        f"{name}: this look comes so early in the plan "
                        f"({share_text} of the planned information) that the "
                        "boundary spends none of the error allowance on it, so it "
                        "cannot declare a winner yet.",
                    )
            tracks.append(_Track(z[:, j], tj, used, bounds, informed))
        return tracks

    # ------------------------------------------------------------ planning

    def _required_per_variant(self) -> float | None:
        if self.mde is None:
            return None
        if self.metric == "binomial":
            assert self.x is not None
            x0, n0 = self.x[:, 0].sum(), self.total_n[0]
            if n0 == 0 or x0 == 0 or x0 == n0:
                return None
            rate = x0 / n0
            if not 0 < rate * (1 + self.mde) < 1:
                return None
            if rate < MIN_BASELINE_RATE or abs(self.mde) < MIN_RELATIVE_MDE:
                return None  # beyond what a plan can size (planning's limits)
            plan = sample_size(rate, self.mde, self.alpha, self.power, self.n_var)
            return float(plan.units_per_variant)
        assert self.s is not None and self.q is not None
        mean, sd = mean_and_sd(
            self.total_n[:1], self.s.sum(axis=0)[:1], self.q.sum(axis=0)[:1]
        )
        if not (np.isfinite(mean[0]) and np.isfinite(sd[0])) or mean[0] == 0:
            return None
        a = comparison_alpha(self.alpha, self.n_var)
        return math.ceil(
            continuous_units_per_variant(sd[0], mean[0], self.mde, a, self.power)
        )

    def _planning(self, comparisons: list[dict[str, Any]]) -> dict[str, Any]:
        traffic = float(self.total_n.sum()) / self.n_sprints
        required = self._required_per_variant()
        needed_total: float | None = None
        if required is not None:
            needed_total = required * self.n_var
        elif self.plan_units is not None:
            needed_total = float(self.plan_units.sum())
        more: int | None = None
        if needed_total is not None and traffic > 0:
            more = max(
                0, math.ceil((needed_total - self.total_n.sum()) / traffic - 1e-9)
            )
        elif self.planned_looks is not None:
            more = max(0, self.planned_looks - self.n_sprints)
        if required is not None:
            mde_text = words.pct(self.mde or 0.0)
            if self.metric == "binomial":
                assert self.x is not None
                observed = self.x[:, 0].sum() / self.total_n[0]
                basis = (
                    "at the control's observed rate of "
                    f"{words.pct(float(observed), sign=False)}"
                )
            else:
                basis = "at the control's observed mean and spread"
            if self.plan_units is not None:
                short = float(self.plan_units.min()) < required
                have = f"the plan's {int(self.plan_units.min()):,} units per variant"
            elif self.planned_looks is not None:
                projected = traffic * self.planned_looks / self.n_var
                short = projected < required
                have = (
                    f"{self.planned_looks} sprints at the current traffic "
                    f"(about {int(projected):,} units per variant)"
                )
            else:
                short = float(self.total_n.min()) < required
                have = f"the {int(self.total_n.min()):,} units per variant so far"
            if short:
                self.warn(
                    "underpowered",
                    f"Too few units for the planned effect: {basis}, detecting a "
                    f"{mde_text} change reliably (power {self.power:.0%}) takes "
                    f"about {int(required):,} units per variant, but {have} fall "
                    "short. A real effect of that size could easily be missed.",
                )
        return {
            "units_needed_per_variant": int(required) if required is not None else None,
            "units_per_sprint": traffic,
            "more_sprints": more,
            "alpha_per_comparison": comparison_alpha(self.alpha, self.n_var),
        }

    # ------------------------------------------------------------ verdicts

    def _sequential(self, tracks: list[_Track]) -> bool:
        if self.n_sprints > 1 or (self.planned_looks or 1) > 1:
            return True
        return self.plan_units is not None and any(
            t.raw[-1] < 1.0 - 1e-9 for t in tracks
        )

    def _look_name(self, s: int, past_units: bool, more: int | None) -> list[str]:
        """'look 2 of 4', plus a note when the look is past the plan.

        s is 1-based. Returns [name] or [name, note]: never "look 3 of 2".
        """
        k = self.planned_looks
        if k is not None and s > k:
            return [f"look {s}", f"past the {k} planned"]
        if k is not None:
            name = f"look {s} of {k}"
        elif self.plan_units is None:
            name = f"look {s} of {self.n_sprints}"
        elif more is not None and not past_units:
            name = f"look {s} of about {self.n_sprints + more}"
        else:
            name = f"look {s}"
        if past_units:
            return [name, "past the planned sample"]
        return [name]

    def _finish_comparisons(
        self,
        comparisons: list[dict[str, Any]],
        tracks: list[_Track],
        planning: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Significance, verdicts and the look rows, told as one story.

        Sequential: a comparison is significant when any of its looks crossed
        its boundary; the verdict names the first such look. Single look: the
        Holm (or BH) adjusted p-value decides, and the look shows the critical z
        of the level that applied to the comparison (multiple.critical_levels),
        so its `crossed` is the comparison's `significant`.
        """
        sequential = self._sequential(tracks)
        level = 100 * (1 - self.alpha)
        more = planning["more_sprints"]
        looks: list[dict[str, Any]] = []
        if not sequential:
            p = np.array(
                [np.nan if r["p_value"] is None else r["p_value"] for r in comparisons]
            )
            levels = critical_levels(p[None, :], self.alpha, self.correction)[0]
        for i, row in enumerate(comparisons):
            tr = tracks[i]
            if sequential:
                crossed = tr.informed & (np.abs(tr.z) >= tr.bounds)
                bounds = tr.bounds
                significant = bool(crossed.any())
            else:
                pa = row["p_value_adjusted"]
                significant = pa is not None and pa < self.alpha
                crossed = np.array([significant])
                with np.errstate(invalid="ignore"):
                    bounds = np.array([-special.ndtri(levels[i] / 2.0)])
            row["significant"] = bool(significant)
            for s in range(self.n_sprints):
                looks.append(
                    {
                        "variant": row["variant"],
                        "sprint": self.labels[s],
                        "information_fraction": _num(tr.used[s]),
                        "z": _num(tr.z[s]) if tr.informed[s] else None,
                        "boundary": _num(bounds[s]) if tr.informed[s] else None,
                        "crossed": bool(crossed[s]),
                    }
                )
            head = self._headline(row, level)
            if row["difference"] is None:
                status = "no comparison possible yet"
            elif sequential:
                status = self._sequential_status(row, tr, crossed, more)
            else:
                pv = row["p_value_adjusted"]
                p_text = words.p_text(pv) if pv is not None else "p not available"
                status = (
                    "significant" if significant else "not significant"
                ) + f" ({p_text})"
            row["verdict"] = f"{head}, {status}"
        return looks

    def _sequential_status(
        self,
        row: dict[str, Any],
        tr: _Track,
        crossed: BoolArray,
        more: int | None,
    ) -> str:
        past = tr.raw > 1.0 + 1e-9
        if self.plan_units is None:
            past = np.zeros(self.n_sprints, dtype=bool)
        last = self.n_sprints - 1
        current = self._look_name(last + 1, bool(past[last]), more)
        if crossed.any():
            # The first crossing decides; the verdict names that look.
            first = int(np.argmax(crossed))
            if first == last:
                name, *note = current
            else:
                name = self._look_name(first + 1, bool(past[first]), more)[0]
                note = ["boundary crossed", f"now at {', '.join(current)}"]
            return f"significant at {name}" + (f" ({'; '.join(note)})" if note else "")
        vs = f"{row['variant']} vs {row['control']}"
        if tr.used[last] >= 1.0 - 1e-9:
            self.warn(
                "boundary_not_crossed",
                f"{vs}: no significant difference by the planned end of the test.",
            )
            return (
                "not significant: no clear winner at the planned end "
                f"({', '.join(current)})"
            )
        status = f"not significant yet: {current[0]}"
        if len(current) > 1:
            status += f" ({current[1]})"
        if more:
            status += f"; about {more} more sprint{'s' if more != 1 else ''}"
            status += " at current traffic"
        b = _num(tr.bounds[last]) if tr.informed[last] else None
        if b is not None:
            self.warn(
                "boundary_not_crossed",
                f"{vs}: the difference has not crossed this look's threshold (|z| "
                f"of {b:.2f} needed), so it could still be chance: keep the test "
                "running.",
            )
        return status

    def _headline(self, row: dict[str, Any], level: float) -> str:
        d = row["difference"]
        name, control = row["variant"], row["control"]
        if d is None:
            return f"{name} vs {control} on {self.label}"
        if d == 0:
            verb = "ties with"
        else:
            better = d > 0 if self.higher_is_better else d < 0
            verb = "beats" if better else "trails"
        lift = row["relative_lift"]
        lo, hi = row["relative_lift_ci"]
        if lift is not None:
            effect = words.pct(lift)
            if lo is not None and hi is not None:
                effect += " " + words.ci_text(level, words.pct(lo), words.pct(hi))
        else:
            fmt = words.points if self.metric == "binomial" else words.number
            effect = fmt(d)
            dlo, dhi = row["difference_ci"]
            if dlo is not None and dhi is not None:
                effect += " " + words.ci_text(level, fmt(dlo), fmt(dhi))
        return f"{name} {verb} {control} on {self.label}: {effect}"
