"""The shared cache of analyses and pages (issue 8 §5): computed once per change,
never stale after a write, never one user's page (or token) served to another."""

import re
from datetime import timedelta

import pytest

import stats
from core import versions
from database import db
from experiments import analysis as analysis_module
from experiments.models import Experiment, Sprint
from run import create_app
from web import page_cache
from web.page_cache import compact

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
def analyses(monkeypatch):
    """The experiments whose statistics were computed, one entry per metric."""
    computed = []
    real = stats.analyze

    def counting(*args, **kwargs):
        computed.append(kwargs["metric_label"])
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis_module.stats, "analyze", counting)
    return computed


@pytest.fixture
def two(app, make_sprint, make_experiment, add_result):
    """Two running experiments with a sprint of results each; their ids."""
    with app.app_context():
        sprint = make_sprint(1)
        ids = {}
        for title, rate in (
            ("Alpha subject", "Alpha rate"),
            ("Beta subject", "Beta rate"),
        ):
            experiment = make_experiment(title=title, start_sprint_id=sprint.id)
            experiment.metrics[0].name = rate
            for variant in experiment.variants:
                add_result(variant.id, sprint.id, experiment.metrics[0].id, 1000, 100)
            ids[title] = experiment.id
        db.session.commit()
        ids["sprint"] = sprint.id
        return ids


def _shared() -> dict[str, int]:
    """{"all": the version every write raises}."""
    row = db.session.get(versions.DataVersion, "all")
    return {"all": row.version if row else 0}


def _version(experiment_id: int) -> int:
    return versions.of_experiments([experiment_id])[experiment_id]


def _cell(app, experiment_id: int) -> dict:
    with app.app_context():
        experiment = db.session.get(Experiment, experiment_id)
        sprint = db.session.execute(db.select(Sprint)).scalars().first()
        return {
            "variant_id": experiment.variants[1].id,
            "metric_id": experiment.metrics[0].id,
            "sprint_id": sprint.id,
        }


def test_statistics_are_computed_once_per_change_of_the_experiment(
    app, client, login, two, analyses
):
    login(client, "lead")
    assert client.get("/").status_code == 200
    assert sorted(analyses) == ["Alpha rate", "Beta rate"]
    analyses.clear()
    for url in ("/", f"/experiments/{two['Alpha subject']}", "/sprints"):
        assert client.get(url).status_code == 200
    assert analyses == []  # every page from the cache

    cell = _cell(app, two["Alpha subject"])
    saved = client.post(
        f"/experiments/{two['Alpha subject']}/results",
        data=cell | {"units": "1000", "conversions": "300"},
    )
    assert saved.status_code == 303
    analyses.clear()
    dashboard = client.get("/")
    assert analyses == ["Alpha rate"]  # only the experiment that changed
    page = client.get(f"/experiments/{two['Alpha subject']}").get_data(as_text=True)
    assert "300 / 1,000" in page
    assert analyses == ["Alpha rate"]  # the page reuses the dashboard's analysis
    assert dashboard.status_code == 200


def test_an_htmx_save_answers_the_new_figures_and_the_next_page_shows_them(
    app, client, login, two
):
    login(client, "lead")
    url = f"/experiments/{two['Beta subject']}"
    assert "250 / 1,000" not in client.get(url).get_data(as_text=True)
    cell = _cell(app, two["Beta subject"])
    answer = client.post(
        f"{url}/results", data=cell | {"units": "1000", "conversions": "250"},
        headers=HTMX,
    )  # fmt: skip
    assert answer.status_code == 200
    assert "250 / 1,000" in answer.get_data(as_text=True)
    assert "250 / 1,000" in client.get(url).get_data(as_text=True)
    panel = client.get(url, headers=HTMX).get_data(as_text=True)
    assert panel.lstrip().startswith('<section id="results-panel">')
    assert "250 / 1,000" in panel


def test_every_write_raises_the_versions_it_touches(app, client, login, two):
    with app.app_context():
        before = _shared()
        alpha, beta = (
            versions.of_experiments([two[t]])[two[t]]
            for t in ("Alpha subject", "Beta subject")
        )
    login(client, "lead")
    cell = _cell(app, two["Alpha subject"])
    client.post(
        f"/experiments/{two['Alpha subject']}/results",
        data=cell | {"units": "1000", "conversions": "120"},
    )
    with app.app_context():
        after = _shared()
        assert _version(two["Alpha subject"]) == alpha + 1
        assert _version(two["Beta subject"]) == beta
    assert after["all"] > before["all"]

    created = client.post(
        "/sprints", data={"name": "Later", "start_date": "2099-01-01",
                          "end_date": "2099-01-14"},
    )  # fmt: skip
    assert created.status_code == 303
    with app.app_context():
        assert _shared()["all"] > after["all"]
        assert _version(two["Beta subject"]) == beta


def test_a_sprint_change_recomputes_only_the_statistics_that_show_it(
    app, client, login, two, analyses
):
    login(client, "lead")
    client.get("/")
    created = client.post(
        "/sprints", data={"name": "Empty", "start_date": "2099-01-01",
                          "end_date": "2099-01-14"},
    )  # fmt: skip
    assert created.status_code == 303
    analyses.clear()
    assert "Empty" in client.get("/sprints").get_data(as_text=True)
    client.get("/")
    assert analyses == []  # no experiment has results in the new sprint
    with app.app_context():
        db.session.get(Sprint, two["sprint"]).name = "Renamed sprint"
        db.session.commit()
    client.get("/")
    assert sorted(analyses) == ["Alpha rate", "Beta rate"]  # it labels their looks
    page = client.get(f"/experiments/{two['Alpha subject']}").get_data(as_text=True)
    assert "Renamed sprint" in page


def test_a_refused_write_raises_no_version(app, client, login, two):
    login(client, "lead")
    with app.app_context():
        before = _shared()
    cell = _cell(app, two["Alpha subject"])
    refused = client.post(
        f"/experiments/{two['Alpha subject']}/results",
        data=cell | {"units": "10", "conversions": "11"},
    )
    assert refused.status_code == 422
    with app.app_context():
        assert _shared() == before


def test_results_saved_through_the_results_update_leave_the_updated_time(
    app, client, login, two
):
    """A result is not an edit of the experiment: the list's order stays."""
    with app.app_context():
        updated = db.session.get(Experiment, two["Alpha subject"]).updated_at
    login(client, "lead")
    cell = _cell(app, two["Alpha subject"])
    for conversions in ("130", "140"):  # an insert, then an update of the cell
        client.post(
            f"/experiments/{two['Alpha subject']}/results",
            data=cell | {"units": "1000", "conversions": conversions},
        )
    with app.app_context():
        experiment = db.session.get(Experiment, two["Alpha subject"])
        assert experiment.updated_at == updated
        assert _version(experiment.id) >= 2


def test_another_worker_sees_a_write_at_once(app, client, login, two):
    """Workers share nothing but the database: a second app on it is a worker."""
    other = create_app(
        {
            key: app.config[key]
            for key in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS",
                        "SECRET_KEY", "TESTING", "WTF_CSRF_ENABLED")
            if key in app.config
        }
    )  # fmt: skip
    other_client = other.test_client()
    login(client, "lead")
    login(other_client, "lead")
    url = f"/experiments/{two['Alpha subject']}"
    assert "777" not in other_client.get(url).get_data(as_text=True)
    cell = _cell(app, two["Alpha subject"])
    client.post(f"{url}/results", data=cell | {"units": "1000", "conversions": "777"})
    assert "777 / 1,000" in other_client.get(url).get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


def _hidden(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]*)"', html))


def test_cached_forms_carry_the_readers_own_tokens(csrf_app, login, two_csrf):
    first, second = csrf_app.test_client(), csrf_app.test_client()
    for client, email in ((first, "lead"), (second, "lead2")):
        login_page = client.get("/login").get_data(as_text=True)
        token = _hidden(login_page, "csrf_token").pop()
        fields = {"email": f"{email}@test.example", "password": "pw-123456789"}
        answer = client.post("/login", data=fields | {"csrf_token": token})
        assert answer.status_code == 303
    url = f"/experiments/{two_csrf}"
    mine = first.get(url).get_data(as_text=True)
    theirs = second.get(url).get_data(as_text=True)
    assert "fresh-" not in mine + theirs
    meta = re.search(r'name="csrf-token" content="([^"]+)"', theirs).group(1)
    assert _hidden(theirs, "csrf_token") == {meta}
    assert _hidden(mine, "csrf_token").isdisjoint(_hidden(theirs, "csrf_token"))
    assert _hidden(mine, "form_token") != _hidden(theirs, "form_token")
    assert len(_hidden(theirs, "form_token")) == 1
    moved = second.post(
        f"{url}/status", data={"status": "analyzing", "csrf_token": meta}
    )
    assert moved.status_code == 303


@pytest.fixture
def two_csrf(csrf_app, make_user, make_sprint, make_experiment):
    with csrf_app.app_context():
        for email in ("lead", "lead2"):
            user = make_user("lead", email=f"{email}@test.example")
            user.set_password("pw-123456789")
        db.session.commit()
        make_sprint(1)
        return make_experiment().id


def test_each_role_gets_its_own_page_and_no_one_gets_a_flash_twice(app, login, two):
    viewer, lead = app.test_client(), app.test_client()
    login(viewer, "viewer")
    login(lead, "lead")
    url = f"/experiments/{two['Alpha subject']}"
    assert ">Edit</a>" not in viewer.get(url).get_data(as_text=True)
    assert ">Edit</a>" in lead.get(url).get_data(as_text=True)
    assert ">Edit</a>" not in viewer.get(url).get_data(as_text=True)

    moved = lead.post(f"{url}/status", data={"status": "analyzing"})
    assert moved.status_code == 303
    flashed = lead.get(url).get_data(as_text=True)
    assert "Status is now analyzing." in flashed
    assert "Status is now analyzing." not in lead.get(url).get_data(as_text=True)
    assert "Status is now analyzing." not in viewer.get(url).get_data(as_text=True)


def test_a_new_day_renders_the_pages_again_but_keeps_the_statistics(
    app, client, login, two, analyses, monkeypatch
):
    rendered = []
    real = page_cache._render_marked

    def counting(template, *args):
        rendered.append(template)
        return real(template, *args)

    monkeypatch.setattr(page_cache, "_render_marked", counting)
    login(client, "lead")
    client.get("/")
    client.get("/")
    assert rendered == ["dashboard.html"]
    analyses.clear()
    tomorrow = page_cache.today() + timedelta(days=1)
    monkeypatch.setattr(page_cache, "today", lambda: tomorrow)
    client.get("/")
    assert rendered == ["dashboard.html", "dashboard.html"]  # the current sprint moves
    assert analyses == []


def test_the_dashboard_shows_running_experiments_a_page_at_a_time(
    app, client, login, make_sprint, make_experiment
):
    with app.app_context():
        make_sprint(1)
        for n in range(23):
            make_experiment(title=f"Running {n:02d}")
        make_experiment(title="Zz analysing", status="analyzing")
    login(client, "viewer")
    first = client.get("/").get_data(as_text=True)
    assert first.index("Zz analysing") < first.index("Running 00")
    assert "Running 18" in first and "Running 19" not in first
    assert "1–20 of 24" in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert "Running 19" in second and "Running 22" in second
    assert "Running 18" not in second and "21–24 of 24" in second
    beyond = client.get("/?page=9")
    assert beyond.status_code == 200
    assert "No experiments on this page." in beyond.get_data(as_text=True)
    for page in ("abc", "-3", "99999999999999999999"):
        answer = client.get(f"/?page={page}")
        assert answer.status_code == 200


def test_stored_pages_lose_their_indentation_but_not_their_verbatim_text():
    html = (
        "<div>\n    <p>A</p>\n\n    <textarea name=t>\n  keep\n    this</textarea>\n"
        "  <PRE>\n   code</PRE>\n</div>"
    )
    assert compact(html) == (
        "<div>\n<p>A</p>\n<textarea name=t>\n  keep\n    this</textarea>\n"
        "<PRE>\n   code</PRE>\n</div>"
    )


def test_writes_the_session_cannot_attribute_raise_every_experiment(app, two):
    """A statement that names no row (a bulk UPDATE of results, a text() write)
    makes every experiment's statistics and every page stale."""
    from experiments.models import Result

    with app.app_context():
        before = {k: _version(two[k]) for k in ("Alpha subject", "Beta subject")}
        shared = _shared()["all"]
        db.session.execute(db.update(Result).values(units=Result.units * 2))
        db.session.commit()
        after = {k: _version(two[k]) for k in before}
        assert all(after[k] == before[k] + 1 for k in before)
        assert _shared()["all"] == shared + 1
        db.session.execute(db.text("UPDATE experiments SET audience = 'x'"))
        db.session.commit()
        assert all(_version(two[k]) == before[k] + 2 for k in before)
        db.session.execute(db.text("SELECT 1"))
        db.session.commit()
        assert _shared()["all"] == shared + 2  # a query is no write


def test_a_sign_out_leaves_the_cached_pages(app, client, login, two):
    login(client, "lead")
    with app.app_context():
        shared = _shared()["all"]
    assert client.post("/logout").status_code in (302, 303)
    with app.app_context():
        assert _shared()["all"] == shared


def test_refresh_cache_marks_everything_stale(app, two):
    with app.app_context():
        shared, alpha = _shared()["all"], _version(two["Alpha subject"])
    result = app.test_cli_runner().invoke(args=["refresh-cache"])
    assert result.exit_code == 0, result.output
    assert "computed again" in result.output
    with app.app_context():
        assert _shared()["all"] == shared + 1
        assert _version(two["Alpha subject"]) == alpha + 1


def test_a_store_gives_up_at_once_when_the_database_is_busy(app, two):
    """SQLite: another writer holds the lock; the page still answers, soon."""
    import time

    from core import cache

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite's single writer lock")
    with app.app_context():
        with db.engine.connect() as other:
            other.exec_driver_sql("BEGIN IMMEDIATE")
            started = time.monotonic()
            cache.store({"page:test": ("1", "text")})
            waited = time.monotonic() - started
            other.exec_driver_sql("ROLLBACK")
        assert waited < 2
        assert cache.fetch({"page:test": "1"}, raw=True) == {}
