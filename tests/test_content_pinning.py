"""A variant keeps the content version it was tested with (issue 9)."""

import pytest

from content.models import ContentItem
from database import db
from experiments.models import Experiment, Variant
from helpers import content_data, edit_data


@pytest.fixture
def planned(app, client, login, make_experiment, make_sprint):
    """A planned experiment whose challenger shows a library item (version 1)."""
    login(client, "lead")
    location = client.post("/content", data=content_data()).headers["Location"]
    item_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        make_sprint(1)
        experiment = make_experiment(status="planned")
        experiment.variants[1].content_item_id = item_id
        db.session.commit()
        return {"experiment": experiment.id, "item": item_id}


def _reword(client, item_id: int, body: str, **values) -> None:
    answer = client.post(f"/content/{item_id}", data=content_data(body=body, **values))
    assert answer.status_code == 303


def _pinned(app, experiment_id: int) -> list:
    with app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        return [v.content_version for v in experiment.variants]


def test_starting_pins_the_version_and_a_later_edit_leaves_what_was_tested(
    app, client, planned
):
    _reword(client, planned["item"], "Second wording")  # before the start: v2
    assert _pinned(app, planned["experiment"]) == [None, None]
    url = f"/experiments/{planned['experiment']}"
    assert client.post(f"{url}/status", data={"status": "running"}).status_code == 303
    assert _pinned(app, planned["experiment"]) == [None, 2]

    _reword(client, planned["item"], "Third wording")  # while it runs: v3
    page = client.get(url).get_data(as_text=True)
    assert "Second wording" in page and "Third wording" not in page
    assert "The content was edited after the start." in page
    assert "This experiment tests version 2" in page
    assert ">version 3</a>" in page

    content = client.get(f"/content/{planned['item']}").get_data(as_text=True)
    assert "as variant B · tested version 2" in content
    assert 'href="#version-2"' in content and 'id="version-2"' in content


def test_an_unstarted_experiment_shows_the_library_wording(app, client, planned):
    _reword(client, planned["item"], "Fresh wording")
    page = client.get(f"/experiments/{planned['experiment']}").get_data(as_text=True)
    assert "Fresh wording" in page
    assert "This experiment tests version" not in page


def test_a_running_variant_given_another_item_is_pinned_to_that_items_version(
    app, client, planned
):
    url = f"/experiments/{planned['experiment']}"
    client.post(f"{url}/status", data={"status": "running"})
    other = client.post("/content", data=content_data(title="Another headline"))
    other_id = int(other.headers["Location"].rsplit("/", 1)[1])
    _reword(client, other_id, "Other, second wording", title="Another headline")
    with app.app_context():
        experiment = db.session.get(Experiment, planned["experiment"])
        b = experiment.variants[1]
        data = edit_data(
            experiment, **{f"variants-id{b.id}-content_item_id": str(other_id)}
        )
    answer = client.post(url, data=data)
    assert answer.status_code == 303, answer.data
    with app.app_context():
        b = db.session.get(Variant, b.id)
        assert (b.content_item_id, b.content_version) == (other_id, 2)
        assert db.session.get(ContentItem, other_id).version == 2
