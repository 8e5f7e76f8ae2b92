"""The limits every input path shares: forms, the JSON API, imports and the
database constraints import them from here, so they never disagree."""

from __future__ import annotations

# What the statistics engine can compute bounds the plans people may enter.
# The largest count a form, an import or the API accepts (and the database
# enforces) is the engine's too: stats.planning.MAX_COUNT.
from stats import (  # noqa: F401
    MAX_COUNT,
    MAX_PLANNED_LOOKS,
    MIN_BASELINE_RATE,
    MIN_RELATIVE_MDE,
)

# The largest magnitude of a continuous value (a mean, a standard deviation).
MAX_VALUE = 1e12
# Variants in one experiment (control included) and metrics per experiment. The API
# accepted 20 variants before this module existed, so its contract sets the figure.
MAX_VARIANTS = 20
MAX_METRICS = 12
# Sprint looks an analysis takes: two years of two-week sprints.
MAX_SPRINTS = 104
# An email address (RFC 5321's path limit), stored lower-cased.
MAX_EMAIL_LENGTH = 254
# A variant's name, short enough for a table header.
MAX_VARIANT_NAME = 60
# The significance levels and powers a plan may choose.
ALPHAS = {
    "0.01": "1% (99% confidence)",
    "0.05": "5% (95% confidence)",
    "0.1": "10% (90% confidence)",
}
POWERS = {"0.8": "80%", "0.9": "90%"}
# Planned shares are entered as percentages with one decimal (33.3 x 3 = 99.9,
# 16.7 x 6 = 100.2): a sum within half a percent of 100% is accepted, and the
# shares are scaled to add to exactly 1.
SHARE_TOLERANCE = 0.005
# A sprint lasts at most a quarter.
MAX_SPRINT_DAYS = 92
# Dates a sprint or a plan can sensibly carry; beyond them date arithmetic overflows.
FIRST_YEAR, LAST_YEAR = 2000, 2100
