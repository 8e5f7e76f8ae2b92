"""Browser tests: headless Chromium drives the app served from a background thread.

The app runs with CSRF protection on, as in production, so every form post and
every htmx request below carries a real token. Each test gets a fresh database
(SQLite, or a PostgreSQL schema when TEST_DATABASE_URL is set) and a fresh browser
context; one Chromium process serves the whole module.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from werkzeug.serving import make_server

from content.models import ContentItem
from core.clock import utcnow
from database import db
from experiments.models import Experiment, Result, Variant
from helpers import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
# Long enough for a slow CI machine, short enough that a missing swap fails fast.
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    app: Flask
    url: str


@dataclass
class BrowserPage:
    """A page and what went wrong on it: 5xx answers and uncaught script errors."""

    _page: Page | None
    problems: list[str] = field(default_factory=list)

    @property
    def page(self) -> Page:
        # Failing here, in the test's own call, reports FAILED rather than a skip
        # or a setup error when Chromium is missing.
        if self._page is None:
            pytest.fail(
                f"Chromium is not installed at {CHROMIUM}: the browser tests need "
                "Debian's chromium package (apt-get install chromium); Playwright's "
                "own browser download is not used.",
                pytrace=False,
            )
        return self._page


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser | None]:
    """One Chromium for the module, or None when it is not installed."""
    if not os.path.exists(CHROMIUM):
        yield None
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app_factory) -> Iterator[LiveServer]:
    """The app with CSRF on and a fresh database, served on a free local port."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def tab(browser, live_server) -> Iterator[BrowserPage]:
    """A fresh browser context at a 1280-wide viewport; fails on 5xx or JS errors."""
    if browser is None:
        yield BrowserPage(None)
        return
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    result = BrowserPage(page)

    def check_response(response) -> None:
        if response.status >= 500:
            result.problems.append(f"{response.status} {response.url}")

    page.on("response", check_response)
    page.on("pageerror", lambda error: result.problems.append(f"script: {error}"))
    try:
        yield result
    finally:
        context.close()
    assert result.problems == [], "server errors or script errors on the page"


@pytest.fixture
def seed(make_user, make_sprint) -> Callable[[Flask], dict[str, int]]:
    """seed(app): marketing and lead users, the previous and the current sprint, one
    content item; returns their ids."""
    return lambda app: _seed(app, make_user, make_sprint)


def _seed(app: Flask, make_user, make_sprint) -> dict[str, int]:
    with app.app_context():
        make_user("marketing")
        make_user("lead")
        previous = make_sprint(2)  # ended a few days ago
        current = make_sprint(3)  # contains today
        item = ContentItem(
            kind="email_subject",
            title="Question subject line",
            body="**Still** chasing leads by hand?",
            call_to_action="Book a demo",
        )
        db.session.add(item)
        db.session.commit()
        return {"previous": previous.id, "current": current.id, "content": item.id}


def sign_in(page: Page, role: str, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(f"{role}@test.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#alerts")).to_have_text(f"Signed in as {name}.")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#alerts")).to_have_text("Signed out.")


def fill_new_experiment(page: Page, title: str, metric: str) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.locator("#hypothesis").fill(
        "We believe that a question in the subject line for IT directors will "
        "lift demo requests because it names their pain. We will know when demo "
        "requests move by 20%."
    )
    page.get_by_label("Channel").select_option(label="Email")
    page.get_by_label("Metric name").fill(metric)


def results_in_db(app: Flask) -> list[tuple[str, str, int, int | None]]:
    """(variant, sprint, units, conversions) of every stored result, sorted."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Result, Variant.name)
            .join(Variant, Variant.id == Result.variant_id)
            .order_by(Variant.name, Result.sprint_id)
        ).all()
        return [
            (name, f"sprint {r.sprint_id}", r.units, r.conversions) for r, name in rows
        ]


def values(locator: Locator) -> list[str]:
    """The current values of the inputs a locator matches, in page order."""
    return locator.evaluate_all("inputs => inputs.map(i => i.value)")


def enter_cell(page: Page, cell_title: str, units: str, conversions: str) -> int:
    """Open one grid cell (an htmx swap of the results panel), fill it, save it.

    Returns the status of the save, which htmx sent as a partial request with the
    page's CSRF token in the X-CSRFToken header.
    """
    page.get_by_title(cell_title).click()
    form = page.locator("#results-panel form.cell-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Units")).to_be_focused()
    form.get_by_label("Units").fill(units)
    form.get_by_label("Conversions").fill(conversions)
    with page.expect_response(re.compile(r"/experiments/\d+/results$")) as answer:
        form.get_by_role("button", name="Save").click()
    headers = answer.value.request.headers
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token and headers.get("x-csrftoken") == token
    assert headers.get("hx-request-type") == "partial"
    return answer.value.status


def test_plan_run_enter_results_and_decide(
    tab: BrowserPage, live_server: LiveServer, seed
):
    page, app = tab.page, live_server.app
    ids = seed(app)
    previous, current = f"sprint {ids['previous']}", f"sprint {ids['current']}"

    # Marketing plans the experiment on the new-experiment form (A/B, 50/50).
    sign_in(page, "marketing", "Marketing")
    page.goto("/experiments/new")
    assert values(page.get_by_label("Variant name")) == ["A", "B"]
    assert values(page.get_by_label("Traffic share")) == ["50", "50"]
    fill_new_experiment(page, "Demo request subject line", "Demo requests")
    page.get_by_label("Content item").nth(1).select_option(
        label="Question subject line"
    )
    page.get_by_role("button", name="Create experiment").click()
    expect(page.locator("#alerts")).to_have_text("Created “Demo request subject line”.")
    expect(page.locator("h1")).to_have_text("Demo request subject line")
    expect(page.locator("hgroup .badge").first).to_have_text("Idea")
    expect(page.locator(".variant-card header")).to_have_text(
        ["A Control 50% of traffic", "B 50% of traffic"]
    )
    expect(page.locator(".variant-card").nth(1)).to_contain_text(
        "Question subject line"
    )
    expect(page.locator("#results-panel > p.muted")).to_have_text(
        "No sprint to enter results for yet: start the experiment, and its sprints "
        "appear here."
    )

    # Start it: Idea -> Planned -> Running.
    status = page.locator("#status")
    expect(status.get_by_role("button")).to_have_text(["Planned", "Archived"])
    status.get_by_role("button", name="Planned").click()
    expect(page.locator("#alerts")).to_have_text("Status is now planned.")
    status.get_by_role("button", name="Running").click()
    expect(page.locator("#alerts")).to_have_text("Status is now running.")
    expect(page.locator("hgroup .badge").first).to_have_text("Running")
    # The form scheduled it in the current sprint: one sprint column.
    grid_head = page.locator(".results-grid thead th")
    expect(grid_head).to_have_text(["Variant", re.compile(r"^Sprint 3"), "Total"])

    # It really started a sprint earlier: move the start sprint on the edit form.
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.locator("h1")).to_have_text("Edit experiment")
    page.get_by_label("Start sprint").select_option(label="Sprint 2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#alerts")).to_have_text("Saved.")
    expect(grid_head).to_have_text(
        ["Variant", re.compile(r"^Sprint 2"), re.compile(r"^Sprint 3"), "Total"]
    )
    expect(page.locator(".results-grid tbody .cell-link")).to_have_text(["+ enter"] * 4)

    # Results are entered in place: every swap below keeps this page (no reload).
    page.evaluate("window.__samePage = true")
    analysis = page.locator("#analysis")
    assert enter_cell(page, "Edit A, Demo requests, Sprint 2", "1,000", "50") == 200
    cell_a2 = page.get_by_title("Edit A, Demo requests, Sprint 2")
    expect(cell_a2).to_have_text("50 / 1,000 5.00%")
    expect(page.locator("#results-panel form.cell-form")).to_have_count(0)
    expect(analysis.locator(".analysis-metric > p")).to_have_text(
        "No sprint has figures for every variant yet; the analysis starts with the "
        "first complete sprint."
    )
    enter_cell(page, "Edit B, Demo requests, Sprint 2", "1000", "80")
    expect(page.get_by_title("Edit B, Demo requests, Sprint 2")).to_have_text(
        "80 / 1,000 8.00%"
    )
    # No baseline in the plan, so no sample size: always-valid looks. Lift 8% /
    # 5%: +60%; with r = rho² n_eff = (2 ln 20 + ln(1 + 2 ln 20)) / 2500 * 500 =
    # 1.586 the boundary is sqrt((1 + r) / r (2 ln 20 + ln(1 + r))) = 3.36, and
    # the interval exp(ln 1.6 ± 3.36 * 0.1746): −11% to +188%.
    expect(analysis.locator(".verdict")).to_have_text(
        "B beats A on Demo requests: +60% (95% CI −11% to +188%, valid at any "
        "look), not significant yet: look 1 of 4; about 3 more sprints at current "
        "traffic"
    )
    expect(analysis.locator('.warning[data-code="always_valid"]')).to_contain_text(
        "With 4 planned looks but no baseline rate and smallest lift, no sample size "
        "can be derived"
    )
    expect(analysis.locator('.warning[data-code="boundary_not_crossed"]')).to_have_text(
        "⚠ B vs A: the difference has not crossed this look's threshold (|z| of "
        "3.36 needed), so it could still be chance: keep the test running."
    )
    expect(analysis.locator("header .muted")).to_have_text(
        "1 sprint look of 4 planned · 95% intervals"
    )
    rates = analysis.locator("table.figures").first.locator("tbody tr")
    expect(rates.locator("td:nth-child(4)")).to_have_text(["5.00%", "8.00%"])

    # Conversions above units: the error stands next to the field, nothing saved.
    saved = [("A", previous, 1000, 50), ("B", previous, 1000, 80)]
    assert results_in_db(app) == saved
    assert enter_cell(page, "Edit B, Demo requests, Sprint 3", "100", "150") == 422
    form = page.locator("#results-panel form.cell-form")
    conversions = form.get_by_label("Conversions")
    expect(form.locator("#conversions-error")).to_have_text(
        "Conversions (150) cannot exceed units (100)."
    )
    expect(conversions).to_have_attribute("aria-invalid", "true")
    expect(conversions).to_have_attribute("aria-describedby", "conversions-error")
    expect(conversions).to_have_value("150")
    expect(form.get_by_label("Units")).to_have_value("100")
    # The error sits in the cell being edited, right after its input.
    expect(
        page.locator(".results-grid tbody tr").nth(1).locator("td").nth(1)
    ).to_contain_text("Conversions (150) cannot exceed units (100).")
    assert results_in_db(app) == saved
    form.get_by_role("link", name="Cancel").click()
    expect(page.get_by_title("Edit B, Demo requests, Sprint 3")).to_have_text("+ enter")
    assert results_in_db(app) == saved

    # The second sprint's figures make it the second look.
    enter_cell(page, "Edit A, Demo requests, Sprint 3", "1200", "60")
    expect(page.get_by_title("Edit A, Demo requests, Sprint 3")).to_have_text(
        "60 / 1,200 5.00%"
    )
    enter_cell(page, "Edit B, Demo requests, Sprint 3", "1200", "102")
    expect(page.get_by_title("Edit B, Demo requests, Sprint 3")).to_have_text(
        "102 / 1,200 8.50%"
    )
    expect(page.locator(".results-grid td.total")).to_have_text(
        ["110 / 2,200 5.00%", "182 / 2,200 8.27%"]
    )
    # |z| = 4.37 crosses the always-valid boundary 3.10 (r = 0.0031745 * 1100).
    # Lift 182/110: exp(ln 1.6545 ± 3.1048 * 0.11695) = +15% to +138%.
    expect(analysis.locator(".verdict")).to_have_text(
        "B beats A on Demo requests: +65% (95% CI +15% to +138%, valid at any "
        "look), significant at look 2 of 4"
    )
    expect(analysis.locator(".warning")).to_have_count(1)  # the always-valid note
    expect(analysis.locator("header .muted")).to_have_text(
        "2 sprint looks of 4 planned · 95% intervals"
    )
    expect(rates.locator("td:nth-child(4)")).to_have_text(["5.00%", "8.27%"])
    assert page.evaluate("window.__samePage") is True
    assert results_in_db(app) == [
        ("A", previous, 1000, 50),
        ("A", current, 1200, 60),
        ("B", previous, 1000, 80),
        ("B", current, 1200, 102),
    ]

    # The team lead records the decision.
    experiment_url = page.url.split("#")[0]
    sign_out(page)
    sign_in(page, "lead", "Lead")
    page.goto(experiment_url)
    decision = page.locator("#decision")
    expect(decision.locator("legend")).to_have_text("Record the decision")
    decision.get_by_label("Ship", exact=True).check()
    decision.get_by_label("Reason").fill("B lifted demo requests in both sprints.")
    decision.get_by_label("What we learned").fill(
        "IT directors answer a question that names their pain."
    )
    decision.get_by_role("button", name="Record decision").click()
    expect(page.locator("#alerts")).to_have_text("Decision recorded: ship.")
    expect(page.locator("hgroup .badge").first).to_have_text("Decided")
    expect(page.locator(".decision-box > p")).to_have_text(
        [
            f"Ship by Lead, {utcnow().strftime('%d %b %Y')}",
            "Why: B lifted demo requests in both sprints.",
            "Learning: IT directors answer a question that names their pain.",
        ]
    )
    expect(page.locator(".snapshot").first).to_contain_text("At the decision")
    with app.app_context():
        stored = db.session.execute(db.select(Experiment)).scalar_one()
        assert (stored.status, stored.decision) == ("decided", "ship")
        assert stored.decided_by.email == "lead@test.example"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "experiment.png", full_page=True)

    # The decision locks the results; the lead reopens them with a reason.
    expect(page.locator("a.cell-link")).to_have_count(0)
    page.get_by_text("Reopen the results").first.click()
    reason = page.get_by_label("Why reopen (recorded in the log)")
    reason.fill("The CRM export was late")
    page.get_by_role("button", name="Reopen the results").click()
    expect(page.locator("#alerts")).to_contain_text("Results reopened")
    expect(page.locator("a.cell-link").first).to_be_visible()
    expect(page.locator("#decision")).to_contain_text("The CRM export was late")


def test_active_search_narrows_the_list(
    tab: BrowserPage, live_server: LiveServer, make_experiment, seed
):
    page, app = tab.page, live_server.app
    seed(app)
    with app.app_context():
        make_experiment(title="Subject line question", audience="IT directors")
        make_experiment(title="Landing page hero video", channel="landing_page")
        make_experiment(
            title="LinkedIn carousel",
            channel="linkedin",
            hypothesis="We believe a customer video in the carousel lifts clicks.",
        )
    sign_in(page, "marketing", "Marketing")
    page.goto("/experiments")
    titles = page.locator("#results tbody tr td:first-child a")
    expect(titles).to_have_count(3)
    expect(page.locator("#results > p.muted")).to_have_text("3 experiments")

    page.evaluate("window.__samePage = true")
    with page.expect_response(lambda r: "q=video" in r.url) as answer:
        page.locator("#q").press_sequentially("video", delay=20)
    response = answer.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"
    assert response.request.headers.get("hx-request-type") == "partial"
    assert "<html" not in response.text()
    # The title or the hypothesis matches; the list narrows in place.
    expect(titles).to_have_text(["LinkedIn carousel", "Landing page hero video"])
    expect(page.locator("#results > p.muted")).to_have_text("2 experiments")
    expect(page).to_have_url(re.compile(r"/experiments\?.*q=video"))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["video"]
    assert page.evaluate("window.__samePage") is True

    # Back restores the unfiltered list as a whole page, not a bare fragment.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/experiments$"))
    expect(titles).to_have_count(3)
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator("h1")).to_have_text("Experiments")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/experiments\?.*q=video"))
    expect(titles).to_have_text(["LinkedIn carousel", "Landing page hero video"])

    # The pushed URL is a real page: a reload shows the same filtered list.
    page.reload()
    assert page.evaluate("window.__samePage") is None
    expect(page.locator("#q")).to_have_value("video")
    expect(titles).to_have_text(["LinkedIn carousel", "Landing page hero video"])
    expect(page.locator("#results > p.muted")).to_have_text("2 experiments")

    # Narrowing further: a search with no match says so.
    page.locator("#q").fill("podcast")
    expect(page.locator("#results")).to_contain_text("No experiment matches.")
    expect(page.locator("#results > p.muted")).to_have_text("0 experiments")
    expect(page).to_have_url(re.compile(r"q=podcast"))


def test_add_variant_row_and_save_three_way_split(
    tab: BrowserPage, live_server: LiveServer, seed
):
    page, app = tab.page, live_server.app
    seed(app)
    sign_in(page, "marketing", "Marketing")
    page.goto("/experiments/new")
    rows = page.locator("#variant-rows tr")
    expect(rows).to_have_count(2)

    with page.expect_response(re.compile(r"/experiments/rows/variants$")) as answer:
        page.get_by_role("button", name="+ Add variant").click()
    assert answer.value.request.headers.get("hx-request-type") == "partial"
    expect(rows).to_have_count(3)
    names = page.get_by_label("Variant name")
    assert values(names) == ["A", "B", ""]
    names.nth(2).fill("C")
    for share, value in zip(
        page.get_by_label("Traffic share").all(), ["34", "33", "33"], strict=True
    ):
        share.fill(value)
    fill_new_experiment(page, "Three subject lines", "Demo requests")
    page.get_by_role("button", name="Create experiment").click()

    expect(page.locator("#alerts")).to_have_text("Created “Three subject lines”.")
    expect(page.locator(".variant-card header")).to_have_text(
        ["A Control 34% of traffic", "B 33% of traffic", "C 33% of traffic"]
    )
    with app.app_context():
        variants = db.session.execute(
            db.select(Variant.name, Variant.planned_share, Variant.is_control).order_by(
                Variant.position
            )
        ).all()
    assert [(n, round(s, 4), c) for n, s, c in variants] == [
        ("A", 0.34, True),
        ("B", 0.33, False),
        ("C", 0.33, False),
    ]


def test_a_running_experiment_keeps_the_wording_it_tests(
    tab: BrowserPage, live_server: LiveServer, make_experiment, seed
):
    """The content is edited in the library while the experiment runs: the
    experiment page still shows the wording it started with, and says so."""
    page, app = tab.page, live_server.app
    ids = seed(app)
    with app.app_context():
        experiment = make_experiment(status="planned", start_sprint_id=ids["previous"])
        experiment.variants[1].content_item_id = ids["content"]
        db.session.commit()
        experiment_id = experiment.id
    sign_in(page, "marketing", "Marketing")
    page.goto(f"/experiments/{experiment_id}")
    page.get_by_role("button", name="Running").click()
    expect(page.locator("#alerts")).to_contain_text("Status is now running.")

    page.goto(f"/content/{ids['content']}/edit")
    page.get_by_label("Body (Markdown)").fill("Tired of chasing leads by hand?")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("h1")).to_have_text("Question subject line")

    page.goto(f"/experiments/{experiment_id}")
    card = page.locator(".variant-card").nth(1)
    expect(card).to_contain_text("Still chasing leads by hand?")
    expect(card).not_to_contain_text("Tired of")
    expect(card).to_contain_text("The content was edited after the start.")
    expect(card.get_by_role("link", name="version 2")).to_be_visible()


def test_keyboard_entry_moves_down_a_sprint_and_escape_cancels(
    tab: BrowserPage, live_server: LiveServer, make_experiment, seed
):
    page, app = tab.page, live_server.app
    ids = seed(app)
    with app.app_context():
        experiment = make_experiment(start_sprint_id=ids["previous"])
        experiment_id, b_id = experiment.id, experiment.variants[1].id
    sign_in(page, "marketing", "Marketing")
    page.goto(f"/experiments/{experiment_id}")
    page.evaluate("window.__samePage = true")
    page.get_by_title("Edit A, Open rate, Sprint 2").click()
    form = page.locator("#results-panel form.cell-form")
    expect(form.get_by_label("Units")).to_be_focused()
    page.keyboard.type("1,000")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Conversions")).to_be_focused()
    page.keyboard.type("40")
    page.keyboard.press("Enter")  # saves A, opens B of the same sprint
    expect(page.get_by_title("Edit A, Open rate, Sprint 2")).to_have_text(
        "40 / 1,000 4.00%"
    )
    expect(form.locator('input[name="variant_id"]')).to_have_value(str(b_id))
    expect(form.get_by_label("Units")).to_be_focused()
    page.keyboard.type("1000")
    page.keyboard.press("Tab")
    page.keyboard.type("60")
    page.keyboard.press("Tab")  # the cell's last input: saves B, opens Sprint 3
    expect(page.get_by_title("Edit B, Open rate, Sprint 2")).to_have_text(
        "60 / 1,000 6.00%"
    )
    expect(form.get_by_label("Units")).to_be_focused()
    page.keyboard.type("5")
    page.keyboard.press("Escape")  # cancels: nothing saved, no form open
    expect(page.locator("#results-panel form.cell-form")).to_have_count(0)
    expect(page.get_by_title("Edit B, Open rate, Sprint 3")).to_have_text("+ enter")
    assert page.evaluate("window.__samePage") is True
