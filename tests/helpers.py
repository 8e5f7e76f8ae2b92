"""Request builders for the web tests: no database, so plain functions."""

from __future__ import annotations

PASSWORD = "correct horse"


def post_cell(client, ids, variant="a", headers=None, **values):
    """Submit one results cell, as the grid's inline form does."""
    data = {
        "variant_id": ids[variant],
        "metric_id": ids["metric"],
        "sprint_id": ids["sprint"],
        **values,
    }
    return client.post(
        f"/experiments/{ids['experiment']}/results", data=data, headers=headers or {}
    )


def partial(headers: dict | None = None) -> dict:
    """The headers htmx 4 sends for a targeted (partial) swap."""
    return {"HX-Request": "true", "HX-Request-Type": "partial", **(headers or {})}


def form_data(**overrides) -> dict:
    """A valid new-experiment form with variants A (control) and B and one metric."""
    data = {
        "title": "Pricing headline",
        "hypothesis": "We believe a price anchor lifts demo requests.",
        "channel": "landing_page",
        "audience": "Pricing page visitors",
        "assignment": "randomized",
        "ice_impact": "7",
        "ice_confidence": "5",
        "ice_ease": "8",
        "alpha": "0.05",
        "power": "0.8",
        "planned_looks": "4",
        "baseline_rate": "5",
        "relative_mde": "20",
        "control": "a1",
        "variants-a1-name": "A",
        "variants-a1-share": "50",
        "variants-b2-name": "B",
        "variants-b2-share": "50",
        "metrics-m1-name": "Demo requests",
        "metrics-m1-kind": "binomial",
        "metrics-m1-funnel_stage": "lead",
        "metrics-m1-owner": "marketing",
        "metrics-m1-role": "primary",
        "metrics-m1-direction": "higher",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(experiment, **changes):
    """The edit form of an existing experiment as the page fills it, with changes."""
    data = form_data(title=experiment.title, control=f"id{experiment.variants[0].id}")
    for key in list(data):
        if key.startswith(("variants-", "metrics-")):
            del data[key]
    for v in experiment.variants:
        data[f"variants-id{v.id}-id"] = str(v.id)
        data[f"variants-id{v.id}-name"] = v.name
        data[f"variants-id{v.id}-share"] = f"{v.planned_share * 100:g}"
    for m in experiment.metrics:
        p = f"metrics-id{m.id}"
        data.update(
            {
                f"{p}-id": str(m.id),
                f"{p}-name": m.name,
                f"{p}-kind": m.kind,
                f"{p}-funnel_stage": m.funnel_stage,
                f"{p}-owner": m.owner,
                f"{p}-role": m.role,
                f"{p}-direction": "higher",
            }
        )
    data.update(changes)
    return data


# An id longer than any row id (ids are 32-bit): pages answer 404, forms refuse it.
HUGE = "99999999999999999999999"


def content_data(**overrides):
    """A content item as the library form posts it."""
    return {
        "kind": "headline",
        "title": "Close more deals",
        "body": "**Bold** claim",
        "call_to_action": "Book a demo",
        "persona": "VP Sales",
        "funnel_stage": "visit",
        "tags": "Homepage, outcome, homepage",
        **overrides,
    }
