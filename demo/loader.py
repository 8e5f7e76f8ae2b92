"""Demo data: a B2B software company's revenue team, six sprints in.

Deterministic: the counts come from a seeded generator, the sprints end in the one
that contains today, so the dashboard always has a current sprint.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np

from auth.models import User
from content.models import ContentItem, ContentTag, ContentVersion, Feedback
from core.clock import today, utcnow
from database import db
from experiments.models import (
    Experiment,
    Metric,
    PlannedSplit,
    Result,
    Sprint,
    Variant,
)

SEED = 20261126
DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("marketing@example.com", "marketing"),
    ("sales@example.com", "sales"),
    ("lead@example.com", "lead"),
    ("viewer@example.com", "viewer"),
]
NAMES = {
    "marketing": "Maya Chen",
    "sales": "Sam Ortiz",
    "lead": "Lee Park",
    "viewer": "Vic Jones",
}
SPRINT_GOALS = [
    "Baseline the funnel and set up tracking",
    "Sharpen the homepage promise",
    "Lift webinar sign-ups",
    "Qualify leads better for sales",
    "Test pricing-page calls to action",
    "Land the CFO message in outbound",
]

CONTENT = [
    # key, kind, title, body, cta, persona, stage, tags
    (
        "hl_feature",
        "headline",
        "All-in-one revenue analytics",
        "**All-in-one revenue analytics** for teams that sell software.",
        "Book a demo",
        "VP Marketing",
        "visit",
        "homepage, feature",
    ),
    (
        "hl_outcome",
        "headline",
        "Close 20% more deals this quarter",
        "**Close 20% more deals this quarter**, with the pipeline insight your reps "
        "actually use.",
        "Book a demo",
        "VP Sales",
        "visit",
        "homepage, outcome",
    ),
    (
        "subj_question",
        "email_subject",
        "Is your forecast off again?",
        "Subject line for the March webinar invite.",
        "",
        "Sales manager",
        "lead",
        "webinar, question",
    ),
    (
        "subj_number",
        "email_subject",
        "3 forecasting mistakes costing you deals",
        "Subject line for the March webinar invite.",
        "",
        "Sales manager",
        "lead",
        "webinar, listicle",
    ),
    (
        "cta_free",
        "landing_page",
        "Pricing page: Start free",
        "## Pricing\n\nStart free for 14 days. No card needed.",
        "Start free",
        "Founder",
        "lead",
        "pricing",
    ),
    (
        "cta_demo",
        "landing_page",
        "Pricing page: Book a demo",
        "## Pricing\n\nSee it with your data in a 20-minute demo.",
        "Book a demo",
        "Founder",
        "lead",
        "pricing",
    ),
    (
        "ad_roi",
        "ad",
        "LinkedIn ad: ROI calculator",
        "What is slow pipeline costing you? *Run the numbers in 2 minutes.*",
        "Calculate ROI",
        "CFO",
        "visit",
        "linkedin, roi",
    ),
    (
        "ad_quote",
        "ad",
        "LinkedIn ad: customer quote",
        "> “We forecast within 3% now.” — RevOps lead, Acme",
        "Read the story",
        "CFO",
        "visit",
        "linkedin, social proof",
    ),
    (
        "call_problem",
        "sales_script",
        "Opener: problem first",
        "1. Name the problem: *missed forecasts*.\n2. Ask how they handle it today.\n"
        "3. Offer a 15-minute look.",
        "Book a meeting",
        "Sales manager",
        "sql",
        "outbound, discovery",
    ),
    (
        "call_referral",
        "sales_script",
        "Opener: referral",
        "1. Mention the peer who referred us.\n2. Share their result.\n"
        "3. Offer a 15-minute look.",
        "Book a meeting",
        "Sales manager",
        "sql",
        "outbound, referral",
    ),
    (
        "nurture_long",
        "email_body",
        "Nurture email: the long story",
        "A 600-word story of how Acme's RevOps team rebuilt its forecast.",
        "Read the case study",
        "RevOps",
        "mql",
        "nurture, story",
    ),
    (
        "nurture_short",
        "email_body",
        "Nurture email: three bullets",
        "- Forecast accuracy up 18%\n- Reps save 4 hours a week\n- Live in 2 weeks",
        "See how",
        "RevOps",
        "mql",
        "nurture, short",
    ),
    (
        "nurture_video",
        "email_body",
        "Nurture email: 60-second video",
        "A 60-second product walkthrough, with a transcript below.",
        "Watch",
        "RevOps",
        "mql",
        "nurture, video",
    ),
    (
        "op_tco",
        "one_pager",
        "CFO one-pager: total cost of ownership",
        "Three-year TCO against the spreadsheet-and-BI status quo.",
        "Talk to sales",
        "CFO",
        "opportunity",
        "cfo, tco",
    ),
    (
        "op_risk",
        "one_pager",
        "CFO one-pager: forecast risk",
        "What a 10% forecast miss costs a 50 M ARR company.",
        "Talk to sales",
        "CFO",
        "opportunity",
        "cfo, risk",
    ),
    (
        "blog_inline",
        "social_post",
        "Blog CTA: inline after intro",
        "Inline call to action after the first paragraph.",
        "Get the guide",
        "RevOps",
        "visit",
        "blog",
    ),
    (
        "blog_end",
        "social_post",
        "Blog CTA: end of post",
        "Call to action at the end of the post.",
        "Get the guide",
        "RevOps",
        "visit",
        "blog",
    ),
]

# Binomial metric: (name, stage, owner, role, per-variant true rates)
# Continuous metric: (name, stage, owner, role, (means), sd)
EXPERIMENTS = [
    dict(
        title="Homepage headline: outcome beats feature?",
        hypothesis="We believe that an outcome headline for VP Sales visitors will "
        "lift demo requests because buyers care about closed deals, not features. "
        "We will know when the demo request rate moves by 20%.",
        channel="landing_page",
        audience="Homepage visitors, mid-market",
        status="decided",
        decision="ship",
        sprints=(1, 4),
        traffic=6000,
        variants=[("A", "hl_feature", 0.5), ("B", "hl_outcome", 0.5)],
        binomial=[
            ("Demo request rate", "lead", "marketing", "primary", (0.040, 0.054)),
            ("SQL rate", "sql", "sales", "secondary", (0.012, 0.015)),
        ],
        reason="B lifted demo requests by about a third and crossed the boundary at "
        "look 2; sales reports the leads are as good.",
        learning="Outcome language beats feature lists for VP-level visitors.",
        mde=0.2,
        baseline=0.04,
        ice=(8, 7, 9),
    ),
    dict(
        title="Webinar invite: question vs number subject line",
        hypothesis="We believe that a numbered subject line for sales managers will "
        "lift webinar sign-ups because lists promise concrete takeaways. We will know "
        "when sign-up rate moves by 15%.",
        channel="email",
        audience="Sales managers in the CRM list",
        status="decided",
        decision="stop",
        sprints=(2, 4),
        traffic=9000,
        variants=[("A", "subj_question", 0.5), ("B", "subj_number", 0.5)],
        binomial=[("Sign-up rate", "lead", "marketing", "primary", (0.031, 0.022))],
        reason="The numbered subject line lost clearly: sign-ups fell by about 30%.",
        learning="Our audience opens questions about their own pain, not listicles.",
        mde=0.15,
        baseline=0.03,
        ice=(6, 5, 10),
    ),
    dict(
        title="Pricing page CTA: Start free vs Book a demo",
        hypothesis="We believe that 'Start free' for founders will lift sign-ups "
        "because it removes the sales call. We will know when the lead rate moves "
        "by 20%.",
        channel="website",
        audience="Pricing page visitors",
        status="decided",
        decision="iterate",
        sprints=(3, 5),
        traffic=2400,
        variants=[("A", "cta_demo", 0.5), ("B", "cta_free", 0.5)],
        binomial=[
            ("Lead rate", "lead", "marketing", "primary", (0.050, 0.053)),
            ("MQL rate", "mql", "sales", "guardrail", (0.020, 0.019)),
        ],
        reason="No detectable difference after three sprints; too little traffic "
        "for a 20% effect.",
        learning="The CTA wording is not the bottleneck; test the pricing table next.",
        mde=0.2,
        baseline=0.05,
        ice=(7, 4, 9),
    ),
    dict(
        title="LinkedIn ad: ROI calculator vs customer quote",
        hypothesis="We believe that a customer quote for CFOs will lift click-through "
        "because peers are more credible than calculators. We will know when CTR "
        "moves by 15%.",
        channel="linkedin",
        audience="CFOs, 200-2000 employees",
        status="running",
        sprints=(4, 6),
        traffic=12000,
        skew=(0.56, 0.44),
        variants=[("A", "ad_roi", 0.5), ("B", "ad_quote", 0.5)],
        binomial=[
            ("Click-through rate", "visit", "marketing", "primary", (0.011, 0.012))
        ],
        mde=0.15,
        baseline=0.011,
        ice=(6, 6, 8),
    ),
    dict(
        title="Cold call opener: problem first vs referral",
        hypothesis="We believe that a referral opener for sales managers will book "
        "more meetings because a peer's name earns attention. We will know when the "
        "meeting rate moves by 25%.",
        channel="sales_call",
        audience="Outbound list, sales managers",
        status="running",
        assignment="chosen",
        sprints=(4, 6),
        traffic=500,
        variants=[("A", "call_problem", 0.5), ("B", "call_referral", 0.5)],
        binomial=[("Meeting booked", "sql", "sales", "primary", (0.08, 0.12))],
        mde=0.25,
        baseline=0.08,
        ice=(7, 5, 6),
    ),
    dict(
        title="Nurture email: long story, bullets or video",
        hypothesis="We believe that shorter nurture emails for RevOps will lift "
        "click-through because they read on mobile. We will know when the click "
        "rate moves by 15%.",
        channel="email",
        audience="RevOps nurture track",
        status="running",
        sprints=(5, 6),
        traffic=15000,
        variants=[
            ("A", "nurture_long", 0.34),
            ("B", "nurture_short", 0.33),
            ("C", "nurture_video", 0.33),
        ],
        binomial=[("Click rate", "mql", "marketing", "primary", (0.021, 0.026, 0.022))],
        mde=0.15,
        baseline=0.021,
        ice=(5, 6, 8),
    ),
    dict(
        title="CFO one-pager: TCO vs forecast risk",
        hypothesis="We believe that framing the one-pager around forecast risk for "
        "CFOs will raise deal size because it ties the price to a bigger loss. We "
        "will know when average deal size moves by 10%.",
        channel="sales_call",
        audience="Opportunities with a CFO in the buying group",
        status="analyzing",
        sprints=(3, 6),
        traffic=80,
        variants=[("A", "op_tco", 0.5), ("B", "op_risk", 0.5)],
        binomial=[("Opportunity won", "won", "sales", "primary", (0.22, 0.26))],
        continuous=[
            (
                "Deal size (EUR)",
                "won",
                "sales",
                "secondary",
                (42000.0, 47000.0),
                15000.0,
            )
        ],
        mde=0.3,
        baseline=0.22,
        ice=(8, 5, 7),
    ),
    dict(
        title="Blog CTA: inline vs end of post",
        hypothesis="We believe that an inline call to action for blog readers will "
        "lift guide downloads because most readers never reach the end. We will "
        "know when the download rate moves by 20%.",
        channel="website",
        audience="Blog readers",
        status="running",
        sprints=(4, 6),
        traffic=8000,
        split_history=[(0.7, 0.3), (0.5, 0.5), (0.5, 0.5)],
        variants=[("A", "blog_end", 0.5), ("B", "blog_inline", 0.5)],
        binomial=[
            ("Guide download rate", "lead", "marketing", "primary", (0.018, 0.022))
        ],
        mde=0.2,
        baseline=0.018,
        ice=(5, 7, 9),
    ),
    dict(
        title="Retargeting ad: demo clip vs testimonial",
        hypothesis="We believe that a 15-second demo clip for site visitors who left "
        "will bring them back because it shows the product. We will know when "
        "return visits move by 20%.",
        channel="ads",
        audience="Visitors of the last 30 days",
        status="planned",
        sprints=None,
        variants=[("A", "ad_quote", 0.5), ("B", "ad_roi", 0.5)],
        binomial=[("Return visit rate", "visit", "marketing", "primary", None)],
        mde=0.2,
        baseline=0.015,
        ice=(5, 5, 7),
    ),
    dict(
        title="Case study page: story first vs numbers first",
        hypothesis="We believe that putting the numbers first for RevOps readers will "
        "lift demo requests because skimmers see the result. We will know when the "
        "demo rate moves by 20%.",
        channel="landing_page",
        audience="Case study readers",
        status="idea",
        sprints=None,
        variants=[],
        binomial=[],
        mde=None,
        baseline=None,
        ice=(4, 4, 6),
    ),
    dict(
        title="Trial onboarding email: checklist vs personal note",
        hypothesis="We believe that a personal note from the account executive for "
        "trial users will raise activation because it invites questions. We will "
        "know when activation moves by 10%.",
        channel="email",
        audience="New trial users",
        status="idea",
        sprints=None,
        variants=[],
        binomial=[],
        mde=None,
        baseline=None,
        ice=(6, 3, 8),
    ),
    dict(
        title="Event follow-up: same-day call vs next-day email",
        hypothesis="We believe that a same-day call for booth visitors will book "
        "more meetings because the conversation is fresh. We will know when the "
        "meeting rate moves by 30%.",
        channel="event",
        audience="Trade-show booth visitors",
        status="archived",
        sprints=None,
        variants=[("A", "call_problem", 0.5), ("B", "call_referral", 0.5)],
        binomial=[("Meeting booked", "sql", "sales", "primary", None)],
        mde=0.3,
        baseline=0.1,
        ice=(3, 4, 4),
    ),
]

FEEDBACK = [
    # experiment index, variant, sprint, quality, sentiment, objections, outcome, text
    (
        0,
        "B",
        3,
        4,
        "positive",
        "timing",
        "won",
        "Leads from the new headline arrive knowing what they want.",
    ),
    (
        0,
        "A",
        3,
        3,
        "neutral",
        "price",
        "open",
        "Feature-headline leads ask for a tour.",
    ),
    (0, "B", 4, 5, "positive", "", "won", "Two of these closed within the sprint."),
    (
        2,
        "B",
        5,
        2,
        "negative",
        "price, not decision maker",
        "lost",
        "Free sign-ups are mostly students and consultants.",
    ),
    (2, "A", 5, 4, "positive", "timing", "open", "Demo bookers are real buyers."),
    (
        4,
        "B",
        5,
        4,
        "positive",
        "",
        "open",
        "Referral opener gets a second minute on almost every call.",
    ),
    (
        4,
        "A",
        5,
        3,
        "neutral",
        "already have a tool",
        "no_decision",
        "Problem-first works with managers who missed their number.",
    ),
    (4, "B", 6, 5, "positive", "", "won", "Booked three meetings off one referral."),
    (
        6,
        "B",
        5,
        4,
        "positive",
        "budget",
        "open",
        "Risk framing lands with CFOs; they forward it to the CEO.",
    ),
    (
        6,
        "A",
        6,
        3,
        "neutral",
        "budget, integration",
        "lost",
        "TCO sheet invites line-by-line haggling.",
    ),
    (
        3,
        "A",
        5,
        3,
        "neutral",
        "not now",
        "open",
        "Calculator clicks are curious, not ready.",
    ),
    (
        5,
        "B",
        6,
        4,
        "positive",
        "",
        "open",
        "Bullet email replies mention the 2-week launch.",
    ),
]


def load() -> None:
    """Insert the demo team's data; call on an empty database."""
    rng = np.random.default_rng(SEED)
    users = {}
    for email, role in DEMO_USERS:
        user = User(email=email, name=NAMES[role], role=role)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[role] = user

    current_start = today() - timedelta(days=today().weekday() + 7)
    sprints = {}
    for number in range(1, 7):
        start = current_start - timedelta(days=14 * (6 - number))
        sprints[number] = Sprint(
            name=f"Sprint {number}",
            start_date=start,
            end_date=start + timedelta(days=13),
            goal=SPRINT_GOALS[number - 1],
        )
        db.session.add(sprints[number])

    content = {}
    for key, kind, title, body, cta, persona, stage, tags in CONTENT:
        item = ContentItem(
            kind=kind,
            title=title,
            body=body,
            call_to_action=cta,
            persona=persona,
            funnel_stage=stage,
            tags=[ContentTag(tag=t.strip()) for t in tags.split(",")],
        )
        db.session.add(item)
        content[key] = item
    # One item with a history: the outcome headline was sharpened once.
    content["hl_outcome"].version = 2
    content["hl_outcome"].versions = [
        ContentVersion(
            version=1,
            title="Close more deals",
            body="**Close more deals** with revenue analytics.",
            call_to_action="Book a demo",
            saved_by_id=None,
        )
    ]
    db.session.flush()

    experiments = []
    for spec in EXPERIMENTS:
        experiments.append(_experiment(spec, users, sprints, content, rng))
    db.session.flush()

    for (
        index,
        variant_name,
        sprint,
        quality,
        sentiment,
        objections,
        outcome,
        text,
    ) in FEEDBACK:
        variant = next(v for v in experiments[index].variants if v.name == variant_name)
        db.session.add(
            Feedback(
                sprint_id=sprints[sprint].id,
                variant_id=variant.id,
                author_id=users["sales"].id,
                lead_quality=quality,
                sentiment=sentiment,
                objections=objections.replace(", ", ","),
                outcome=outcome,
                text=text,
                created_at=min(
                    datetime.combine(
                        sprints[sprint].start_date + timedelta(days=9), time(15)
                    ),
                    utcnow(),
                ),
            )
        )
    db.session.commit()


def _experiment(spec, users, sprints, content, rng) -> Experiment:
    experiment = Experiment(
        title=spec["title"],
        hypothesis=spec["hypothesis"],
        channel=spec["channel"],
        audience=spec["audience"],
        status=spec["status"],
        assignment=spec.get("assignment", "randomized"),
        owner_id=None,
        ice_impact=spec["ice"][0],
        ice_confidence=spec["ice"][1],
        ice_ease=spec["ice"][2],
        relative_mde=spec["mde"],
        baseline_rate=spec["baseline"],
        planned_looks=4,
    )
    experiment.owner = users[
        "sales" if spec["channel"] == "sales_call" else "marketing"
    ]
    window = spec["sprints"]
    if window:
        experiment.start_sprint = sprints[window[0]]
    experiment.variants = [
        Variant(
            name=name,
            content_item=content[key],
            planned_share=share,
            is_control=(i == 0),
            position=i,
        )
        for i, (name, key, share) in enumerate(spec["variants"])
    ]
    metrics = []
    for name, stage, owner, role, _ in spec["binomial"]:
        metrics.append(
            Metric(
                name=name, kind="binomial", funnel_stage=stage, owner=owner, role=role
            )
        )
    for name, stage, owner, role, _, _ in spec.get("continuous", []):
        metrics.append(
            Metric(
                name=name, kind="continuous", funnel_stage=stage, owner=owner, role=role
            )
        )
    for i, metric in enumerate(metrics):
        metric.position = i
    experiment.metrics = metrics
    db.session.add(experiment)
    db.session.flush()
    if spec.get("decision"):
        experiment.decision = spec["decision"]
        experiment.decision_reason = spec["reason"]
        experiment.learning = spec["learning"]
        experiment.decided_by_id = users["lead"].id
        experiment.decided_at = utcnow() - timedelta(days=14 * (6 - window[1]))
    if window:
        _results(experiment, spec, sprints, rng)
    return experiment


def _results(experiment: Experiment, spec, sprints, rng) -> None:
    variants = experiment.variants
    history = spec.get("split_history")
    for look, number in enumerate(range(spec["sprints"][0], spec["sprints"][1] + 1)):
        sprint = sprints[number]
        shares = np.array(
            history[look] if history else [v.planned_share for v in variants]
        )
        if history:
            for variant, share in zip(variants, shares, strict=True):
                if abs(share - variant.planned_share) > 1e-9:
                    db.session.add(
                        PlannedSplit(
                            variant_id=variant.id,
                            sprint_id=sprint.id,
                            share=float(share),
                        )
                    )
        actual = np.array(spec.get("skew", shares))
        units = rng.multinomial(spec["traffic"], actual / actual.sum())
        for metric, (_, _, _, _, rates) in zip(
            experiment.metrics, spec["binomial"], strict=False
        ):
            for variant, n, rate in zip(variants, units, rates, strict=True):
                db.session.add(
                    Result(
                        variant_id=variant.id,
                        sprint_id=sprint.id,
                        metric_id=metric.id,
                        units=int(n),
                        conversions=int(rng.binomial(n, rate)),
                        source="demo",
                    )
                )
        continuous = experiment.metrics[len(spec["binomial"]) :]
        for metric, (_, _, _, _, means, sd) in zip(
            continuous, spec.get("continuous", []), strict=True
        ):
            for variant, n, mean in zip(variants, units, means, strict=True):
                values = rng.normal(mean, sd, size=int(n))
                db.session.add(
                    Result(
                        variant_id=variant.id,
                        sprint_id=sprint.id,
                        metric_id=metric.id,
                        units=int(n),
                        value_sum=float(values.sum()),
                        value_sum_squares=float((values**2).sum()),
                        source="demo",
                    )
                )
