"""Every page on a phone (390 x 844): nothing scrolls sideways, the menu opens,
the name and "Sign out" stay readable. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser import ARTIFACTS, browser, live_server  # noqa: F401 (fixtures)

from content.models import ContentItem
from database import db
from demo.loader import load
from experiments.calendar import current_sprint
from experiments.models import Experiment, Sprint

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):  # noqa: F811 (the imported fixtures)
    if browser is None:
        pytest.skip("no browser")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("response", lambda r: r.status >= 500 and errors.append(r.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def _pages(app) -> list[str]:
    with app.app_context():
        experiments = db.session.execute(db.select(Experiment.id)).scalars().all()
        sprints = db.session.execute(db.select(Sprint.id)).scalars().all()
        items = db.session.execute(db.select(ContentItem.id)).scalars().all()
        running = db.session.execute(
            db.select(Experiment.id).where(Experiment.status == "running")
        ).scalars()
        current = current_sprint().id
    return (
        ["/", "/experiments", "/experiments/new", "/sprints", "/content",
         "/content/new", "/users", "/calculator"]
        + [f"/experiments/{i}" for i in experiments]
        + [f"/experiments/{i}/edit" for i in experiments]
        + [f"/sprints/{i}" for i in sprints]
        + [f"/content/{i}" for i in items]
        + [f"/experiments/{i}/sprints/{current}/results" for i in running]
    )  # fmt: skip


def _fits(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_no_page_scrolls_sideways_on_a_phone(phone, live_server):  # noqa: F811
    app = live_server.app
    with app.app_context():
        load()
    phone.goto("/login")
    width, inner = _fits(phone)
    assert width <= inner, "/login"
    phone.get_by_label("Email").fill("lead@example.com")
    phone.get_by_label("Password").fill("demo")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator("#alerts")).to_contain_text("Signed in as")

    wide = []
    for path in _pages(app):
        phone.goto(path)
        width, inner = _fits(phone)
        if width > inner:
            wide.append((path, width))
    assert wide == [], f"pages wider than {PHONE['width']} px"

    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in (("/", "dashboard"), ("/experiments/5", "experiment"),
                       ("/experiments", "list")):  # fmt: skip
        phone.goto(path)
        phone.screenshot(path=ARTIFACTS / f"phone-{name}.png", full_page=True)

    phone.goto("/")
    menu = phone.locator(".narrow-nav summary")
    expect(phone.locator(".wide-nav")).to_be_hidden()
    menu.click()
    expect(phone.get_by_role("link", name="Experiments")).to_be_visible()
    expect(
        phone.locator(".narrow-nav").get_by_text("Lee Park · Team lead")
    ).to_be_visible()
    sign_out = phone.locator(".narrow-nav").get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    box = sign_out.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    sign_out.click()
    expect(phone.locator("#alerts")).to_contain_text("Signed out.")
