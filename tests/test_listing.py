"""The experiment list: what each row says now, and its sort orders (issue 9)."""

import re

from database import db
from experiments.models import Experiment


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/experiments/\d+">([^<]+)</a>', html)


def test_a_row_shows_metric_recommendation_with_lift_owner_and_sprint(
    app, client, login, make_sprint, make_experiment, make_user, add_result
):
    with app.app_context():
        sprint = make_sprint(1)
        owner = make_user("marketing", email="maya@test.example")
        running = make_experiment(
            title="Running test", start_sprint_id=sprint.id, owner_id=owner.id
        )
        a, b = running.variants
        add_result(a.id, sprint.id, running.metrics[0].id, 1000, 50)
        add_result(b.id, sprint.id, running.metrics[0].id, 1000, 80)
        make_experiment(title="Just an idea", status="idea")
        db.session.commit()
    login(client, "viewer")
    html = client.get("/experiments").get_data(as_text=True)
    row = html[
        html.index("Running test") : html.index("</tr>", html.index("Running test"))
    ]
    assert "Open rate" in row  # the primary metric
    assert "Keep running B" in row
    assert "+60%" in row and "(−11% to +188%)" in row  # the lift and its interval
    assert "Marketing" in row and "Sprint 1" in row  # owner name, start sprint
    idea = html[
        html.index("Just an idea") : html.index("</tr>", html.index("Just an idea"))
    ]
    assert 'data-label="Now" class="now-cell">' in idea and "—" in idea


def test_the_list_sorts_by_ice_status_or_update(app, client, login, make_experiment):
    with app.app_context():
        make_experiment(title="Low ICE running", ice_impact=1, ice_confidence=1,
                        ice_ease=1)  # fmt: skip
        make_experiment(title="High ICE idea", status="idea", ice_impact=9,
                        ice_confidence=9, ice_ease=9)  # fmt: skip
        make_experiment(title="Mid ICE planned", status="planned")
    login(client, "viewer")
    by_ice = _titles(client.get("/experiments?sort=ice").get_data(as_text=True))
    assert by_ice == ["High ICE idea", "Mid ICE planned", "Low ICE running"]
    by_status = _titles(client.get("/experiments?sort=status").get_data(as_text=True))
    assert by_status == ["High ICE idea", "Mid ICE planned", "Low ICE running"]
    with app.app_context():
        low = db.session.execute(
            db.select(Experiment).where(Experiment.title == "Low ICE running")
        ).scalar_one()
        low.audience = "touched last"
        db.session.commit()
    recent = _titles(client.get("/experiments").get_data(as_text=True))
    assert recent[0] == "Low ICE running"
    odd = client.get("/experiments?sort=%3Cscript%3E&page=abc")
    assert odd.status_code == 200
    assert _titles(odd.get_data(as_text=True)) == recent


def test_the_pager_keeps_the_filters_and_the_sort(app, client, login, make_experiment):
    with app.app_context():
        for n in range(52):
            make_experiment(title=f"Email test {n:02d}", ice_impact=1 + n % 10)
    login(client, "viewer")
    html = client.get("/experiments?channel=email&sort=ice").get_data(as_text=True)
    assert len(_titles(html)) == 50
    assert 'href="/experiments?channel=email&amp;sort=ice&amp;page=2"' in html
    second = client.get("/experiments?channel=email&sort=ice&page=2")
    assert len(_titles(second.get_data(as_text=True))) == 2
