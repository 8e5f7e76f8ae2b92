"""Concurrent writers against a real server (threads, a served app, its database):
bounded in count and time, on SQLite and on PostgreSQL (issue 8 §2)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from werkzeug.serving import make_server

from database import db
from experiments.models import Result, ResultEdit
from helpers import PASSWORD

WRITERS = 8
SAVES_EACH = 6


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


def _concurrently(app, worker, count: int) -> None:
    """Serve the app and run worker(base_url, i) in `count` threads at once."""
    server, thread, base = _serve(app)
    try:
        threads = [
            threading.Thread(target=worker, args=(base, i)) for i in range(count)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _signed_in(base: str, email: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    opener.open(f"{base}/login", body, timeout=20)
    return opener


def _post(opener, url: str, data: dict) -> int:
    try:
        return opener.open(
            url, urllib.parse.urlencode(data).encode(), timeout=30
        ).status
    except urllib.error.HTTPError as error:
        return error.code


def test_concurrent_saves_of_one_cell_leave_a_true_trail(app, make_user, make_cell_ids):
    """8 writers saving the same cell at once: every acknowledged save is in the
    trail, and each trail row's old values are the previous row's new ones."""
    ids = make_cell_ids(app)
    with app.app_context():
        make_user("marketing")
    acknowledged: list[int] = []

    def writer(base: str, w: int) -> None:
        opener = _signed_in(base, "marketing@test.example")
        url = f"{base}/experiments/{ids['experiment']}/results"
        for k in range(SAVES_EACH):
            units = 1000 + w * 100 + k  # every save a distinct value
            data = {"variant_id": ids["a"], "metric_id": ids["metric"],
                    "sprint_id": ids["sprint"], "units": units,
                    "conversions": 10}  # fmt: skip
            status = _post(opener, url, data)
            assert status in (200, 409), status
            if status == 200:
                acknowledged.append(units)

    _concurrently(app, writer, WRITERS)
    with app.app_context():
        edits = db.session.execute(
            db.select(ResultEdit.old_units, ResultEdit.new_units).order_by(
                ResultEdit.id
            )
        ).all()
        stored = db.session.execute(db.select(Result.units)).scalar_one()
    assert len(acknowledged) >= WRITERS * SAVES_EACH // 2
    assert sorted(new for _, new in edits) == sorted(acknowledged)
    assert edits[0].old_units is None
    for before, after in zip(edits, edits[1:], strict=False):
        assert after.old_units == before.new_units
    assert stored == edits[-1].new_units


def test_the_database_refuses_a_sprint_that_overlaps_another(app, make_sprint):
    """What the form checks, the database enforces: two sprints saved at the same
    moment cannot both pass the check and overlap."""
    from datetime import date

    import pytest
    from sqlalchemy.exc import IntegrityError

    from experiments.models import Sprint

    with app.app_context():
        db.session.add(Sprint(name="S1", start_date=date(2031, 1, 1),
                              end_date=date(2031, 1, 14)))  # fmt: skip
        db.session.commit()
        db.session.add(Sprint(name="S2", start_date=date(2031, 1, 14),
                              end_date=date(2031, 1, 20)))  # fmt: skip
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Sprint(name="S3", start_date=date(2031, 1, 15),
                              end_date=date(2031, 1, 28)))  # fmt: skip
        db.session.commit()
        later = db.session.execute(
            db.select(Sprint).where(Sprint.name == "S3")
        ).scalar_one()
        later.start_date = date(2031, 1, 10)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_two_overlapping_sprints_posted_at_once_save_one(app, make_user):
    """Both pass the form's check at the same moment; the database keeps one and
    the other answers 409."""
    with app.app_context():
        make_user("lead")
    statuses: list[int] = []

    def create(base: str, i: int) -> None:
        opener = _signed_in(base, "lead@test.example")
        data = {"name": f"Race {i}", "start_date": "2032-03-01",
                "end_date": "2032-03-14"}  # fmt: skip
        statuses.append(_post(opener, f"{base}/sprints", data))

    _concurrently(app, create, 6)
    from experiments.models import Sprint

    with app.app_context():
        saved = db.session.execute(db.select(db.func.count(Sprint.id))).scalar()
    assert saved == 1
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 409, 422}


def test_concurrent_edits_of_one_item_never_share_a_version_number(app, make_user):
    """8 editors rewording one item at once: each archived wording has its own
    number, the numbers run 1, 2, ... without a gap, and every edit that was not
    saved was told so (409)."""
    from content.models import ContentItem, ContentVersion

    with app.app_context():
        make_user("marketing")
        item = ContentItem(kind="headline", title="Race headline", body="v0")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    statuses: list[int] = []

    def editor(base: str, e: int) -> None:
        opener = _signed_in(base, "marketing@test.example")
        for k in range(4):
            data = {"kind": "headline", "title": "Race headline",
                    "body": f"editor {e} take {k}", "call_to_action": "",
                    "persona": "", "funnel_stage": "", "tags": ""}  # fmt: skip
            statuses.append(_post(opener, f"{base}/content/{item_id}", data))

    _concurrently(app, editor, 8)
    with app.app_context():
        numbers = (
            db.session.execute(
                db.select(ContentVersion.version)
                .where(ContentVersion.content_item_id == item_id)
                .order_by(ContentVersion.version)
            )
            .scalars()
            .all()
        )
        current = db.session.get(ContentItem, item_id).version
    assert set(statuses) <= {200, 409}
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) == statuses.count(200)
    assert current == len(numbers) + 1
