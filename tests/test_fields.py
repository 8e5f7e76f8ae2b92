"""The custom form fields: each rule, the exact value read and the exact message."""

from datetime import date

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from web.fields import (
    ChoiceField,
    DateField,
    DecimalField,
    FlagField,
    IdField,
    IntegerField,
    TagsField,
    TextField,
    decimal_text,
)
from web.forms import WebForm


@pytest.fixture(scope="module")
def app():
    """A bare Flask app: the fields need a request context, not the database."""
    return Flask(__name__)


class Sample(WebForm):
    count = IntegerField("Units", maximum=1000, required=False)
    rating = IntegerField("Impact", minimum=1, maximum=10, required=False)
    share = DecimalField("Share", above=0, maximum=100, required=False)
    mean = DecimalField("Mean", minimum=-10, below=10, required=False)
    title = TextField("Title", max_length=5, required=False)
    name = TextField("Name")
    channel = ChoiceField("Channel", ("email", "ads"), required=False)
    owner = ChoiceField("Owner", ("a",), required=False)
    day = DateField("Start date", required=False)
    row = IdField()
    remove = FlagField()
    tags = TagsField("Tags", max_tags=3)


def read(app, **data):
    with app.test_request_context(method="POST"):
        form = Sample(formdata=MultiDict({"name": "x", **data}))
        form.check()
        values = {name: field.data for name, field in form._fields.items()}
        return values, form.problems


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1,000", 1000),
        ("1_000", 1000),
        ("1 000", 1000),
        ("1\u00a0000", 1000),
        ("1\u202f000", 1000),
        ("+12", 12),
        ("007", 7),
        (" 5 ", 5),
    ],
)
def test_integer_accepts_thousands_separators(app, typed, number):
    values, problems = read(app, count=typed)
    assert (values["count"], problems) == (number, {})


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("count", "4,5", "Units must be a whole number, not “4,5”."),
        ("count", "1.5", "Units must be a whole number, not “1.5”."),
        ("count", "1,00", "Units must be a whole number, not “1,00”."),
        ("count", "x" * 50, f"Units must be a whole number, not “{'x' * 40}”."),
        ("count", "1001", "Units must be at most 1,000."),
        ("count", "9" * 400, "Units must be at most 1,000."),
        ("count", "-1", "Units cannot be negative."),
        ("count", "\u22121", "Units cannot be negative."),
        ("count", "-" + "9" * 400, "Units cannot be negative."),
        ("rating", "0", "Impact must be at least 1."),
        ("rating", "11", "Impact must be at most 10."),
    ],
)
def test_integer_messages(app, field, typed, message):
    values, problems = read(app, **{field: typed})
    assert (values[field], problems) == (None, {field: message})


def test_a_required_field_left_empty_is_named(app):
    values, problems = read(app, name="  ")
    assert problems == {"name": "Name is required."}


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("4,5", "4.5"),
        ("0,25", "0.25"),
        ("1,2345", "1.2345"),
        ("1 234,5", "1234.5"),
        ("1,234", "1234"),
        ("1,234,567", "1234567"),
        ("1,234.5", "1234.5"),
        ("\u22122,5", "-2.5"),
        ("12", "12"),
    ],
)
def test_decimal_comma_only_where_unambiguous(typed, text):
    assert decimal_text(typed) == text


@pytest.mark.parametrize(
    ("typed", "number"),
    [("4,5", 4.5), ("33.3", 33.3), ("1e1", 10.0), ("99,9", 99.9), ("100", 100.0)],
)
def test_decimal_values(app, typed, number):
    values, problems = read(app, share=typed)
    assert (values["share"], problems) == (number, {})


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("share", "abc", "Share must be a number, not “abc”."),
        ("share", "1.234,5", "Share must be a number, not “1.234,5”."),
        ("share", "1e999", "Share must be a finite number."),
        ("share", "nan", "Share must be a finite number."),
        ("share", "0", "Share must be more than 0."),
        ("share", "\u22125", "Share must be more than 0."),
        ("share", "100,5", "Share must be at most 100."),
        ("mean", "-10,5", "Mean must be at least -10."),
        ("mean", "10", "Mean must be less than 10."),
    ],
)
def test_decimal_messages(app, field, typed, message):
    values, problems = read(app, **{field: typed})
    assert (values[field], problems) == (None, {field: message})


def test_text_counts_windows_line_ends_once(app):
    values, problems = read(app, title=" a\r\nb\r\nc ")
    assert (values["title"], problems) == ("a\nb\nc", {})


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("a\x00b", "Title contains a control character; remove it."),
        ("a\x1bb", "Title contains a control character; remove it."),
        ("abcdef", "Title is too long: 6 characters, at most 5."),
    ],
)
def test_text_messages(app, typed, message):
    assert read(app, title=typed)[1] == {"title": message}


def test_text_keeps_tabs_and_line_ends(app):
    assert read(app, title="a\tb\nc") == (read(app, title="a\tb\nc")[0], {})


@pytest.mark.parametrize(
    ("field", "typed", "value", "problems"),
    [
        ("channel", "email", "email", {}),
        ("channel", "fax", None, {"channel": "“fax” is not a known channel."}),
        ("owner", "b", None, {"owner": "“b” is not a known owner."}),
    ],
)
def test_choice(app, field, typed, value, problems):
    values, found = read(app, **{field: typed})
    assert (values[field], found) == (value, problems)


def test_required_choice_names_its_article(app):
    class Pick(WebForm):
        owner = ChoiceField("Owner", ("a",))
        sprint = ChoiceField("Sprint", ("a",))

    with app.test_request_context(method="POST"):
        form = Pick(formdata=MultiDict({"owner": "", "sprint": ""}))
        assert not form.check()
        assert form.problems == {
            "owner": "Choose an owner.",
            "sprint": "Choose a sprint.",
        }


@pytest.mark.parametrize(
    ("typed", "value", "problems"),
    [
        ("2026-03-31", date(2026, 3, 31), {}),
        ("2000-01-01", date(2000, 1, 1), {}),
        ("2100-12-31", date(2100, 12, 31), {}),
        ("31.03.2026", None, {"day": "Start date must be a date like 2026-03-31."}),
        ("2026-02-30", None, {"day": "Start date must be a date like 2026-03-31."}),
        ("1999-12-31", None, {"day": "Start date must be between 2000 and 2100."}),
        ("2101-01-01", None, {"day": "Start date must be between 2000 and 2100."}),
    ],
)
def test_dates(app, typed, value, problems):
    values, found = read(app, day=typed)
    assert (values["day"], found) == (value, problems)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("7", 7),
        (" 7 ", 7),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("0", None),
        ("-1", None),
        ("٣", None),
        ("99999999999999999999", None),
        ("", None),
    ],
)
def test_ids_are_bounded(app, typed, value):
    values, problems = read(app, row=typed)
    assert (values["row"], problems) == (value, {})


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1", True),
        ("on", True),
        ("yes", True),
        ("true", True),
        ("0", False),
        ("", False),
    ],
)
def test_flags(app, typed, value):
    assert read(app, remove=typed)[0]["remove"] is value


@pytest.mark.parametrize(
    ("typed", "value", "problems"),
    [
        ("Price, price ,  Big   deal,,", ["price", "big deal"], {}),
        ("", [], {}),
        ("a,b,c,d", ["a", "b", "c", "d"], {"tags": "At most 3 tags."}),
        (
            "a," + "x" * 41,
            ["a"],
            {"tags": f"Each tag is at most 40 characters: “{'x' * 40}…”."},
        ),
    ],
)
def test_tags(app, typed, value, problems):
    values, found = read(app, tags=typed)
    assert (values["tags"], found) == (value, problems)


def test_cross_field_errors_follow_field_errors(app):
    with app.test_request_context(method="POST"):
        form = Sample(formdata=MultiDict({"name": ""}))
        form.check()
        form.error("name", "Second.")
        form.error("channel", "Across fields.")
        assert form.problems == {
            "name": "Name is required.",
            "channel": "Across fields.",
        }
