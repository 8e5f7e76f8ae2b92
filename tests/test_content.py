"""The content library: Markdown rendered safely, versions, filters, usage."""

import re

import pytest

from content.models import ContentItem, ContentVersion
from database import db
from helpers import content_data


def test_create_content_with_tags(client, app, login):
    login(client, "marketing")
    response = client.post("/content", data=content_data())
    assert response.status_code == 303
    with app.app_context():
        item = db.session.execute(db.select(ContentItem)).scalar_one()
        assert item.tag_names == ["homepage", "outcome"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>Bold</strong> claim" in page


@pytest.mark.parametrize(
    "body,absent,present",
    [
        ("<script>alert(1)</script>", "<script>", "&lt;script&gt;"),
        ("[click](javascript:alert(1))", 'href="javascript', "[click]"),
        ('<a href="x" onclick="steal()">x</a>', '<a href="x" onclick', "&lt;a href"),
        ("![x](https://tracker.example/pixel.png)", "<img", ""),
    ],
)
def test_markdown_is_sanitised(client, app, body, absent, present, login):
    login(client, "marketing")
    response = client.post("/content", data=content_data(body=body))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert absent not in page
    assert present in page


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"title": ""}, "Title is required."),
        ({"kind": "poem"}, "“poem” is not a known kind."),
        ({"body": "x" * 20001}, "Body is too long: 20,001 characters, at most 20,000."),
        ({"funnel_stage": "top"}, "“top” is not a known funnel stage."),
        ({"tags": ",".join(f"t{i}" for i in range(21))}, "At most 20 tags."),
    ],
)
def test_invalid_content_is_refused(client, app, overrides, message, login):
    login(client, "marketing")
    response = client.post("/content", data=content_data(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(ContentItem)).first() is None


def test_duplicate_title_is_refused(client, app, login):
    login(client, "marketing")
    client.post("/content", data=content_data())
    response = client.post("/content", data=content_data(title="CLOSE MORE DEALS"))
    assert response.status_code == 422
    assert b"A content item with this title already exists." in response.data


def test_editing_the_wording_keeps_the_earlier_version(client, app, login):
    login(client, "marketing")
    location = client.post("/content", data=content_data()).headers["Location"]
    item_id = int(location.rsplit("/", 1)[1])
    client.post(f"/content/{item_id}", data=content_data(body="New body"))
    client.post(
        f"/content/{item_id}", data=content_data(body="New body", persona="CFO")
    )
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        assert (item.version, item.body, item.persona) == (2, "New body", "CFO")
        versions = db.session.execute(db.select(ContentVersion)).scalars().all()
        assert [(v.version, v.body) for v in versions] == [(1, "**Bold** claim")]
    page = client.get(location).get_data(as_text=True)
    assert "Earlier versions" in page


def test_filters_by_kind_persona_and_tag(client, app, login):
    login(client, "marketing")
    client.post("/content", data=content_data(), follow_redirects=True)
    client.post(
        "/content",
        data=content_data(
            title="Risk one-pager", kind="one_pager", persona="CFO", tags="risk"
        ),
        follow_redirects=True,
    )
    page = client.get("/content?kind=one_pager").get_data(as_text=True)
    assert "Risk one-pager" in page and "Close more deals" not in page
    page = client.get("/content?persona=VP+Sales").get_data(as_text=True)
    assert "Close more deals" in page and "Risk one-pager" not in page
    page = client.get("/content?tag=risk").get_data(as_text=True)
    assert "Risk one-pager" in page and "Close more deals" not in page


def test_content_page_shows_where_it_is_used(client, app, login, make_experiment):
    with app.app_context():
        item = ContentItem(kind="headline", title="Used headline")
        db.session.add(item)
        db.session.commit()
        experiment = make_experiment(title="Headline test")
        experiment.variants[1].content_item_id = item.id
        db.session.commit()
        item_id = item.id
    login(client, "viewer")
    page = client.get(f"/content/{item_id}").get_data(as_text=True)
    assert "Headline test" in page
    assert "as variant B" in page


def test_unknown_content_is_404(client, login):
    login(client, "marketing")
    assert client.get("/content/999").status_code == 404
    assert client.get("/content/999/edit").status_code == 404


@pytest.mark.parametrize(
    "query", ["?kind=%00", "?persona=%00", "?tag=a%00", "?tag=%ff"]
)
def test_odd_content_filters_answer_200(client, query, login):
    login(client, "viewer")
    assert client.get("/content" + query).status_code == 200


def test_the_library_searches_title_wording_and_call_to_action(client, app, login):
    login(client, "marketing")
    for title, body, cta in (
        ("Close more deals", "Revenue **analytics**", "Book a demo"),
        ("Forecast you can trust", "Stop guessing: 50% fewer misses", "Start free"),
        ("Webinar invite", "Join us", "Save my seat"),
    ):
        data = content_data(title=title, body=body, call_to_action=cta)
        assert client.post("/content", data=data).status_code == 303

    def found(q: str) -> list[str]:
        html = client.get("/content", query_string={"q": q}).get_data(as_text=True)
        return sorted(
            re.findall(r"<a href=\"/content/\d+\"><strong>([^<]+)</strong>", html)
        )

    assert found("ANALYTICS") == ["Close more deals"]
    assert found("start free") == ["Forecast you can trust"]
    assert found("50%") == ["Forecast you can trust"]
    assert found("%") == ["Forecast you can trust"]  # a wildcard taken literally
    assert found("seat") == ["Webinar invite"]
    assert found("nothing like it") == []
    fragment = client.get(
        "/content?q=seat", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="items"') and "<html" not in fragment
