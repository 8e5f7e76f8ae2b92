"""The grown data set of the page benchmark: the demo plus many long experiments.

`grow(experiments=1000, sprints=26)` adds, to a database that holds the demo,
earlier two-week sprints until there are `sprints` of them, and `experiments`
running experiments that started in the first one, each with 3 variants and 2
metrics (a conversion rate and, alternately, a guardrail rate or a continuous
deal value) and a result in every sprint: 1,000 x 26 x 3 x 2 = 156,000 rows.

The rows go in with bulk inserts (seconds, not the hour the forms would take);
they carry no edit trail, which no page the benchmark reads depends on.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from database import db
from experiments.models import Experiment, Metric, Result, Sprint, Variant

SPRINT_DAYS = 14
VARIANTS = (("Control", True), ("Challenger B", False), ("Challenger C", False))
CHUNK = 5_000


def grow(experiments: int = 1000, sprints: int = 26, seed: int = 7) -> int:
    """Add the grown set; answers the number of result rows inserted."""
    rng = np.random.default_rng(seed)
    sprint_ids = _sprints(sprints)
    owner_id = db.session.execute(db.text("SELECT min(id) FROM users")).scalar_one()
    rows = 0
    for first in range(0, experiments, 100):
        numbers = range(first, min(first + 100, experiments))
        rows += _experiments(numbers, sprint_ids, owner_id, rng)
    db.session.commit()
    return rows


def _sprints(total: int) -> list[int]:
    """Ids of `total` sprints, oldest first: earlier ones are added as needed."""
    existing = list(
        db.session.execute(db.select(Sprint).order_by(Sprint.start_date)).scalars()
    )
    start = existing[0].start_date if existing else None
    for number in range(total - len(existing)):
        start = start - timedelta(days=SPRINT_DAYS)
        db.session.add(
            Sprint(
                name=f"Earlier sprint {number + 1}",
                start_date=start,
                end_date=start + timedelta(days=SPRINT_DAYS - 1),
                goal="Grow the pipeline",
            )
        )
    db.session.flush()
    return list(
        db.session.execute(db.select(Sprint.id).order_by(Sprint.start_date)).scalars()
    )[:total]


def _experiments(numbers, sprint_ids, owner_id, rng) -> int:
    """One batch of experiments with their variants, metrics and results."""
    experiments = [
        Experiment(
            title=f"Grown experiment {n + 1:04d}",
            hypothesis="If we lead with the customer's pain, more leads reply.",
            channel=("email", "ads", "landing_page", "sales_call")[n % 4],
            audience="Mid-market operations leads",
            owner_id=owner_id,
            status="running",
            relative_mde=0.1,
            baseline_rate=0.05,
            planned_looks=4,
            traffic_per_sprint=6_000,
            start_sprint_id=sprint_ids[0],
        )
        for n in numbers
    ]
    for experiment, n in zip(experiments, numbers, strict=True):
        experiment.variants = [
            Variant(name=name, is_control=control, planned_share=1 / 3, position=i)
            for i, (name, control) in enumerate(VARIANTS)
        ]
        experiment.metrics = [
            Metric(name="Reply rate", kind="binomial", funnel_stage="lead",
                   owner="marketing", role="primary", position=0),
            _second_metric(n),
        ]  # fmt: skip
    db.session.add_all(experiments)
    db.session.flush()
    results = [
        row
        for experiment in experiments
        for metric in experiment.metrics
        for variant in experiment.variants
        for row in _cells(metric, variant, sprint_ids, rng)
    ]
    for start in range(0, len(results), CHUNK):
        db.session.execute(db.insert(Result), results[start : start + CHUNK])
    return len(results)


def _second_metric(n: int) -> Metric:
    if n % 2:
        return Metric(name="Deal value", kind="continuous", funnel_stage="won",
                      owner="sales", role="secondary", position=1)  # fmt: skip
    return Metric(name="Unsubscribe rate", kind="binomial", funnel_stage="visit",
                  owner="marketing", role="guardrail", higher_is_better=False,
                  position=1)  # fmt: skip


def _cells(metric: Metric, variant: Variant, sprint_ids, rng) -> list[dict]:
    """One result per sprint: ~2,000 units, a rate near 5% (or a deal value)."""
    units = rng.integers(1_800, 2_200, len(sprint_ids))
    base = {"variant_id": variant.id, "metric_id": metric.id, "source": "api"}
    if metric.kind == "binomial":
        rate = 0.05 * (1 + 0.04 * variant.position)
        conversions = rng.binomial(units, rate)
        return [
            base | {"sprint_id": s, "units": int(u), "conversions": int(c)}
            for s, u, c in zip(sprint_ids, units, conversions, strict=True)
        ]
    means = rng.normal(1_200, 40, len(sprint_ids))
    return [
        base
        | {
            "sprint_id": s,
            "units": int(u),
            "value_mean": float(m),
            "value_m2": float((u - 1) * 350.0**2),
        }
        for s, u, m in zip(sprint_ids, units, means, strict=True)
    ]
