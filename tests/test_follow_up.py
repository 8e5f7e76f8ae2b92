"""'Iterate' starts a follow-up pre-filled from the experiment, linked both ways
(issue 9)."""

from html.parser import HTMLParser

from database import db
from experiments.models import Experiment, Metric, Variant


class FormValues(HTMLParser):
    """What a browser would submit from the page's experiment form."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._inside = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "experiment-form" in (a.get("class") or ""):
            self._inside = True
        if not self._inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "on")
            elif kind != "submit":
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def _form(html: str) -> dict[str, str]:
    parser = FormValues()
    parser.feed(html)
    return parser.values


def _iterated(app, make_experiment, make_sprint):
    with app.app_context():
        make_sprint(3)
        parent = make_experiment(
            title="Subject line test",
            status="decided",
            decision="iterate",
            learning="Questions work for IT directors",
            variants=[
                Variant(name="Plain", is_control=True, planned_share=0.4, position=0),
                Variant(name="Question", planned_share=0.6, position=1),
            ],
            metrics=[
                Metric(name="Open rate", kind="binomial", funnel_stage="lead",
                       owner="marketing", role="primary", position=0),
                Metric(name="SQL rate", kind="binomial", funnel_stage="sql",
                       owner="sales", role="guardrail", position=1),
            ],
        )  # fmt: skip
        return parent.id


def test_iterate_offers_the_follow_up_and_it_is_linked_both_ways(
    app, client, login, make_experiment, make_sprint
):
    parent_id = _iterated(app, make_experiment, make_sprint)
    login(client, "marketing")
    page = client.get(f"/experiments/{parent_id}").get_data(as_text=True)
    assert f'href="/experiments/new?from={parent_id}">Start the follow-up</a>' in page

    form_page = client.get(f"/experiments/new?from={parent_id}").get_data(as_text=True)
    assert "Follows up" in form_page and "Questions work for IT directors" in form_page
    values = _form(form_page)
    assert values["title"] == "Subject line test (follow-up)"
    assert values["parent_id"] == str(parent_id)
    assert sorted(v for k, v in values.items() if k.endswith("-name")) == [
        "Open rate", "Plain", "Question", "SQL rate"
    ]  # fmt: skip
    assert not any(k.endswith("-id") for k in values)  # new rows, not the parent's
    values["hypothesis"] = "A question naming the pain lifts opens for CFOs too."
    values["title"] = "Subject line test, CFOs"
    created = client.post("/experiments", data=values)
    assert created.status_code == 303, created.data
    with app.app_context():
        child = db.session.execute(
            db.select(Experiment).where(Experiment.title == "Subject line test, CFOs")
        ).scalar_one()
        assert (child.parent_id, child.status) == (parent_id, "idea")
        assert [(v.name, v.planned_share, v.is_control) for v in child.variants] == [
            ("Plain", 0.4, True),
            ("Question", 0.6, False),
        ]
        assert [(m.name, m.role, m.owner) for m in child.metrics] == [
            ("Open rate", "primary", "marketing"),
            ("SQL rate", "guardrail", "sales"),
        ]
        child_id = child.id
    parent_page = client.get(f"/experiments/{parent_id}").get_data(as_text=True)
    assert f'Followed up by <a href="/experiments/{child_id}">' in parent_page
    child_page = client.get(f"/experiments/{child_id}").get_data(as_text=True)
    assert f'Follows up <a href="/experiments/{parent_id}">Subject line test</a>' in (
        child_page
    )


def test_a_follow_up_of_nothing_is_refused(app, client, login, make_experiment):
    login(client, "marketing")
    assert client.get("/experiments/new?from=999999").status_code == 404
    assert client.get("/experiments/new?from=abc").status_code == 404
    from helpers import form_data

    answer = client.post("/experiments", data=form_data(parent_id="424242"))
    assert answer.status_code == 422
    with app.app_context():
        assert db.session.execute(db.select(Experiment)).first() is None


def test_only_an_iterate_decision_offers_the_follow_up(
    app, client, login, make_experiment
):
    with app.app_context():
        shipped = make_experiment(status="decided", decision="ship").id
    login(client, "lead")
    page = client.get(f"/experiments/{shipped}").get_data(as_text=True)
    assert "Start the follow-up" not in page
