"""Words both the content library and the experiments use."""

from __future__ import annotations

# Where in the revenue funnel a message works or a metric counts.
FUNNEL_STAGES = {
    "visit": "Visit",
    "lead": "Lead",
    "mql": "MQL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "won": "Won",
}
