"""The statistics engine: sufficient statistics in, frozen dataclasses out.

Pure numpy and scipy; no web framework or database imports.
"""

from .binomial import (
    FISHER_MIN_EXPECTED,
    BinomialBatch,
    analyze_binomial_batch,
    chi_square_omnibus,
    fisher_exact_p,
    newcombe_interval,
    pooled_z,
    relative_lift_interval,
    wilson_interval,
)
from .continuous import (
    ContinuousBatch,
    analyze_continuous_batch,
    sufficient_from_mean_sd,
    welch_anova,
)
from .errors import StatsInputError
from .multiple import adjust_p_values
from .planning import (
    MIN_BASELINE_RATE,
    MIN_RELATIVE_MDE,
    SampleSize,
    minimum_detectable_effect,
    sample_size,
)
from .recommend import Recommendation, recommend, with_guardrails
from .report import Report, analyze
from .sequential import Boundaries, boundaries, spending_function, z_boundaries
from .srm import SRM_ALPHA, SRMResult, sample_ratio_mismatch
from .stratified import cmh_general, cmh_z

__all__ = [
    "MIN_BASELINE_RATE",
    "MIN_RELATIVE_MDE",
    "FISHER_MIN_EXPECTED",
    "SRM_ALPHA",
    "BinomialBatch",
    "Boundaries",
    "ContinuousBatch",
    "Recommendation",
    "Report",
    "SRMResult",
    "SampleSize",
    "StatsInputError",
    "adjust_p_values",
    "analyze",
    "analyze_binomial_batch",
    "analyze_continuous_batch",
    "boundaries",
    "chi_square_omnibus",
    "cmh_general",
    "cmh_z",
    "fisher_exact_p",
    "minimum_detectable_effect",
    "newcombe_interval",
    "pooled_z",
    "recommend",
    "relative_lift_interval",
    "sample_ratio_mismatch",
    "sample_size",
    "spending_function",
    "sufficient_from_mean_sd",
    "welch_anova",
    "with_guardrails",
    "wilson_interval",
    "z_boundaries",
]
