"""The statistics engine: sufficient statistics in, frozen dataclasses out.

Pure numpy and scipy; no web framework or database imports.
"""

from .always_valid import (
    DEFAULT_TUNED_UNITS_PER_VARIANT,
    AlwaysValid,
    always_valid,
    always_valid_binomial,
    always_valid_continuous,
    effective_units,
)
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
    check_sums,
    combine_cells,
    m2_from_sd,
    welch_anova,
)
from .design import (
    MAX_PLANNED_LOOKS,
    Design,
    design_power,
    sequential_design,
)
from .errors import StatsInputError
from .futility import FUTILITY_THRESHOLD, ConditionalPower, conditional_power
from .information import (
    InformationLooks,
    InformationPlan,
    information_boundaries,
    information_plan,
    planned_information,
)
from .multiple import adjust_p_values
from .planning import (
    MAX_COUNT,
    MIN_BASELINE_RATE,
    MIN_RELATIVE_MDE,
    SampleSize,
    minimum_detectable_effect,
    sample_size,
)
from .recommend import Recommendation, recommend, with_guardrails
from .report import Report, analyze
from .sequential import (
    Boundaries,
    boundaries,
    crossing_probabilities,
    spending_function,
    z_boundaries,
)
from .srm import SRM_ALPHA, SRMResult, sample_ratio_mismatch
from .stratified import cmh_general, cmh_z

__all__ = [
    "DEFAULT_TUNED_UNITS_PER_VARIANT",
    "FISHER_MIN_EXPECTED",
    "FUTILITY_THRESHOLD",
    "MAX_COUNT",
    "MAX_PLANNED_LOOKS",
    "MIN_BASELINE_RATE",
    "MIN_RELATIVE_MDE",
    "SRM_ALPHA",
    "AlwaysValid",
    "BinomialBatch",
    "Boundaries",
    "ConditionalPower",
    "ContinuousBatch",
    "Design",
    "InformationLooks",
    "InformationPlan",
    "Recommendation",
    "Report",
    "SRMResult",
    "SampleSize",
    "StatsInputError",
    "adjust_p_values",
    "always_valid",
    "always_valid_binomial",
    "always_valid_continuous",
    "analyze",
    "analyze_binomial_batch",
    "analyze_continuous_batch",
    "boundaries",
    "chi_square_omnibus",
    "cmh_general",
    "cmh_z",
    "conditional_power",
    "crossing_probabilities",
    "design_power",
    "effective_units",
    "fisher_exact_p",
    "information_boundaries",
    "information_plan",
    "minimum_detectable_effect",
    "newcombe_interval",
    "planned_information",
    "pooled_z",
    "recommend",
    "relative_lift_interval",
    "sample_ratio_mismatch",
    "sample_size",
    "sequential_design",
    "spending_function",
    "check_sums",
    "combine_cells",
    "m2_from_sd",
    "welch_anova",
    "with_guardrails",
    "wilson_interval",
    "z_boundaries",
]
