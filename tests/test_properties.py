"""Property-based tests (Hypothesis) over every form and API endpoint: whatever a
client sends (wrong types, huge and tiny numbers, Unicode that changes length,
control characters, deep JSON, missing, repeated and unknown fields) the answer is
never a 5xx, and a refused request changes no table (issue 8 §1).

`make test` runs PROPERTY_EXAMPLES examples per endpoint; HYPOTHESIS_PROFILE=long
runs many more.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from database import db
from experiments.models import Experiment
from helpers import form_data

settings.register_profile(
    "suite",
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

# Text that breaks naive handling: length-changing case maps, combining marks,
# control characters, NUL, RTL marks, CR/LF, very long runs.
NASTY = st.sampled_from(
    ["İ", "ß", "ﬃ", "\u0301", "\x00", "\r\n", "\u202e", "\ufeff", "-", "1,5",
     "1.234,5", "−3", "1e400", "nan", "inf", "0x10", " ", "<script>", "%00"]
)  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(NASTY, max_size=8).map("".join),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.just("İ" * 300),
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([5e-324, 1e-300, 1 - 1e-16, 1e308, -0.0]),
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBER, TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)


def _counts() -> dict[str, int]:
    """Rows per table; failed sign-ins are counted on purpose (throttling), and a
    page a refusal renders may fill the cache of derived figures."""
    return {
        table.name: db.session.execute(
            db.select(db.func.count()).select_from(table)
        ).scalar()
        for table in db.metadata.sorted_tables
        if table.name not in ("login_failures", "page_cache")
    }


def _field_values(names: list[str]):
    """A form: some of the known fields (maybe none), each with nasty text, maybe
    twice, plus unknown fields."""
    return st.lists(
        st.tuples(st.sampled_from(names + ["unknown", "x" * 300]), TEXT), max_size=12
    )


# ------------------------------------------------------------------ the JSON API

API_FIELDS = {
    "/api/v1/analyze": ["metric", "variants", "alpha", "power", "planned_split",
                        "planned_units", "planned_looks", "spending", "correction",
                        "relative_mde", "baseline_rate", "metric_label"],
    "/api/v1/sample-size": ["baseline_rate", "relative_mde", "alpha", "power",
                            "variants", "units_per_sprint", "planned_looks",
                            "spending"],
    "/api/v1/boundaries": ["alpha", "information_fractions", "spending"],
}  # fmt: skip


@pytest.mark.parametrize("url", sorted(API_FIELDS))
def test_the_api_never_answers_5xx(client, url):
    fields = API_FIELDS[url]
    payloads = st.one_of(
        JSON, st.dictionaries(st.sampled_from(fields), JSON, max_size=len(fields))
    )

    @given(payloads)
    def check(payload):
        response = client.post(url, json=payload)
        assert response.status_code < 500, (payload, response.get_data(as_text=True))
        assert response.is_json

    check()


# ------------------------------------------------------------------ the HTML forms


def _refused_changes_nothing(app, client, url: str, make_data):
    @given(make_data)
    def check(pairs):
        with app.app_context():
            before = _counts()
        response = client.post(url, data=MultiDict(pairs))
        assert response.status_code < 500, (pairs, response.status_code)
        if response.status_code >= 400:
            with app.app_context():
                assert _counts() == before, pairs

    check()


FORMS = {
    "/experiments": list(form_data()),
    "/sprints": ["name", "start_date", "end_date", "goal"],
    "/content": ["kind", "title", "body", "call_to_action", "persona",
                 "funnel_stage", "tags"],
    "/users": ["name", "email", "role", "password"],
    "/calculator": ["counts", "metric", "alpha"],
    "/calculator/sample-size": ["baseline_rate", "relative_mde", "alpha", "power",
                                "variants", "units_per_sprint", "planned_looks",
                                "spending"],
}  # fmt: skip


@pytest.mark.parametrize("url", sorted(FORMS))
def test_forms_never_answer_5xx_and_refusals_change_nothing(app, client, login, url):
    login(client, "lead")
    _refused_changes_nothing(app, client, url, _field_values(FORMS[url]))


def test_results_and_feedback_never_answer_5xx(app, client, login, make_cell_ids):
    ids = make_cell_ids(app)
    login(client, "lead")
    base = f"/experiments/{ids['experiment']}"
    cell = ["variant_id", "metric_id", "sprint_id", "units", "conversions", "mean",
            "sd"]  # fmt: skip
    feedback = ["variant_id", "sprint_id", "lead_quality", "sentiment", "outcome",
                "objections", "text", "form_token"]  # fmt: skip
    real = st.sampled_from(
        [("variant_id", str(ids["a"])), ("metric_id", str(ids["metric"])),
         ("sprint_id", str(ids["sprint"]))]
    )  # fmt: skip
    for url, names in ((f"{base}/results", cell), (f"{base}/feedback", feedback)):
        pairs = st.tuples(st.lists(real, max_size=3), _field_values(names)).map(
            lambda both: both[0] + both[1]
        )
        _refused_changes_nothing(app, client, url, pairs)


def test_sprint_entry_paste_and_reopen_never_answer_5xx(
    app, client, login, make_cell_ids, make_experiment
):
    """The whole-sprint form (cells, a pasted block) and the lead's reopen."""
    ids = make_cell_ids(app)
    with app.app_context():
        db.session.get(Experiment, ids["experiment"]).start_sprint_id = ids["sprint"]
        db.session.commit()
        decided = make_experiment(title="Decided", status="decided", decision="ship")
        decided_id = decided.id
    login(client, "lead")
    sprint_form = f"/experiments/{ids['experiment']}/sprints/{ids['sprint']}/results"
    cells = [f"c{ids[v]}-{ids['metric']}-{k}" for v in ("a", "b")
             for k in ("units", "conversions", "mean", "sd")]  # fmt: skip
    _refused_changes_nothing(
        app, client, sprint_form, _field_values(cells + ["paste", "action"])
    )
    pasted = st.tuples(st.just(("action", "paste")), st.tuples(
        st.just("paste"), st.text(alphabet="0123456789,.; \t\n-abc", max_size=60)
    )).map(list)  # fmt: skip
    _refused_changes_nothing(app, client, sprint_form, pasted)
    _refused_changes_nothing(
        app, client, f"/experiments/{decided_id}/reopen", _field_values(["reason"])
    )


def test_login_never_answers_5xx(app, client, make_user):
    with app.app_context():
        make_user("marketing")
    _refused_changes_nothing(
        app, client, "/login", _field_values(["email", "password"])
    )
