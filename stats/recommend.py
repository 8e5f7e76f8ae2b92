"""What to do, in one plain sentence: ship, keep running, stop, fix the set-up.

recommend() reads a Report (the primary metric's); with_guardrails() turns a
"ship" into "hold" when the challenger significantly harms a guardrail metric.
The figures quoted are those of the verdict at its decision point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from . import numbers as fig
from .report_types import Report

# "hold": ship on the primary metric, but a guardrail is significantly harmed.
GUARDRAIL_ACTION = "hold"
ACTIONS = (
    "ship",
    "keep_running",
    "stop",
    "fix_setup",
    "no_winner",
    "keep_control",
    GUARDRAIL_ACTION,
)
# Conditional power below which continuing is not worth it: the 10% futility
# threshold common in group-sequential practice (Lachin 2005, Stat Med 24:2747).
FUTILITY_POWER = 0.10


@dataclass(frozen=True)
class Recommendation:
    """An action code, the variant concerned, the plain sentence, its figures."""

    action: str
    variant: str | None
    sentence: str
    figures: dict[str, Any] = field(default_factory=dict)
    guardrail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict."""
        return asdict(self)


def _better(report: Report, difference: float | None) -> bool | None:
    if difference is None or difference == 0:
        return None
    return (difference > 0) == report.higher_is_better


def _effect(report: Report, est: dict[str, Any]) -> str:
    """'+42% (+11% to +81%)', or the difference when there is no lift."""
    lift = est.get("relative_lift")
    if lift is not None:
        lo, hi = est["relative_lift_ci"]
        text, ci = fig.pct(lift), (lo, hi)
        word = fig.pct
    else:
        word = fig.points if report.metric == "binomial" else fig.mean_difference
        text, ci = word(est["difference"]), tuple(est["difference_ci"])
    if ci[0] is not None and ci[1] is not None:
        anytime = ", valid at any look" if est.get("always_valid") else ""
        text += f" ({word(ci[0])} to {word(ci[1])}{anytime})"
    return text


def _look_at(sprint: str) -> str:
    """'the sprint 6 look' for a number; 'the Sprint 6 look' for a name."""
    return f"the sprint {sprint} look" if sprint.isdigit() else f"the {sprint} look"


def _next_look(sprint: str) -> str:
    """'sprint 7' after '6'; 'the next sprint' when labels are not numbers."""
    return f"sprint {int(sprint) + 1}" if sprint.isdigit() else "the next sprint"


def _make(action: str, row: dict[str, Any] | None, sentence: str, **extra: Any):
    figures = dict(row["decision"]) if row else {}
    figures.update(extra)
    return Recommendation(action, row["variant"] if row else None, sentence, figures)


def _decided(report: Report, rows: list[dict[str, Any]]) -> Recommendation | None:
    """Ship the best significant winner, or keep the control when all lose."""
    won = [r for r in rows if r["significant"] and _better(report, _diff(r))]
    lost = [r for r in rows if r["significant"] and _better(report, _diff(r)) is False]
    label = report.metric_label
    if won:
        sign = 1 if report.higher_is_better else -1
        best = max(won, key=lambda r: sign * _diff(r))
        verb = "lifts" if _diff(best) > 0 else "lowers"
        sentence = (
            f"Ship {best['variant']}: it {verb} {label} by about "
            f"{_effect(report, best['decision'])}; the result held at "
            f"{_look_at(best['decision']['sprint'])}."
        )
        return _make("ship", best, sentence)
    if lost and len(lost) == len(rows):
        worst = lost[0]
        sentence = (
            f"Keep {worst['control']}: {worst['variant']} does worse on {label} "
            f"({_effect(report, worst['decision'])})."
        )
        return _make("keep_control", worst, sentence)
    return None


def _diff(row: dict[str, Any]) -> float:
    return row["decision"]["difference"] or 0.0


def recommend(report: Report, conditional_power: float | None = None) -> Recommendation:
    """The action for one metric's report.

    fix_setup on a sample ratio mismatch; ship the best significant winner (keep
    the control when every challenger significantly loses); no_winner at the
    planned end without a difference; stop when conditional_power (the chance
    of a significant result by the planned end, from another module) is below
    FUTILITY_POWER; else keep_running, naming the challenger ahead.
    """
    if report.srm.get("mismatch"):
        return Recommendation(
            "fix_setup", None, "Fix the set-up first: traffic split is off."
        )
    rows = [r for r in report.comparisons if r.get("decision")]
    rows = [r for r in rows if r["decision"]["difference"] is not None]
    if not rows:
        return Recommendation(
            "keep_running", None, "Keep running: there is nothing to compare yet."
        )
    decided = _decided(report, rows)
    if decided is not None:
        return decided
    if all(r["decision"]["ended"] for r in rows):
        return _make(
            "no_winner",
            None,
            "No winner: the test reached its planned end without a clear "
            f"difference on {report.metric_label}; keep {rows[0]['control']}.",
        )
    if conditional_power is not None and conditional_power < FUTILITY_POWER:
        return _make(
            "stop",
            None,
            "Stop: a difference worth having is unlikely by the planned end "
            f"({fig.percent(conditional_power, 0)}).",
            conditional_power=conditional_power,
        )
    return _keep_running(report, rows)


def _keep_running(report: Report, rows: list[dict[str, Any]]) -> Recommendation:
    sign = 1 if report.higher_is_better else -1
    lead = max(rows, key=lambda r: sign * _diff(r))
    nxt = _next_look(lead["decision"]["sprint"])
    if not _better(report, _diff(lead)):
        return _make(
            "keep_running",
            None,
            f"Keep running: no variant is ahead of {lead['control']} yet; the "
            f"next look ({nxt}) shows more.",
        )
    return _make(
        "keep_running",
        lead,
        f"Keep running: {lead['variant']} is ahead but not yet conclusive; the "
        f"next look ({nxt}) decides if {lead['variant']} stays at least this far "
        "ahead.",
    )


def with_guardrails(
    primary: Recommendation, guardrails: Sequence[Report]
) -> Recommendation:
    """A "ship" that significantly harms a guardrail metric becomes "hold"."""
    if primary.action != "ship":
        return primary
    for report in guardrails:
        for row in report.comparisons:
            decision = row.get("decision") or {}
            harmed = _better(report, decision.get("difference")) is False
            if row["variant"] == primary.variant and row["significant"] and harmed:
                sentence = (
                    f"Do not ship {primary.variant} yet: it wins on the primary "
                    f"metric but significantly harms {report.metric_label} "
                    f"({_effect(report, decision)}). Weigh the two first."
                )
                return Recommendation(
                    GUARDRAIL_ACTION,
                    primary.variant,
                    sentence,
                    {**primary.figures, "guardrail_effect": dict(decision)},
                    guardrail=report.metric_label,
                )
    return primary
