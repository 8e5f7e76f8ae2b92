"""Jinja filters for numbers, percentages and Markdown.

The figures delegate to stats.numbers, which also words the verdicts, so a figure
reads the same in a table and in a sentence.
"""

from __future__ import annotations

from flask import Flask

from content.markdown import render_markdown
from stats import numbers as figures


def number(value, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; None -> an em dash."""
    return figures.number(value, digits)


def percent(value, digits: int = 1, signed: bool = False) -> str:
    """0.0523 -> '5.2%'; signed adds '+' and uses a real minus sign."""
    return figures.percent(value, digits, signed)


def points(value, digits: int = figures.POINTS_DIGITS, signed: bool = True) -> str:
    """An absolute difference of two rates: 0.013 -> '+1.30 pp'."""
    return figures.points(value, digits, signed)


def chance(value) -> str:
    """A probability as a percentage that never claims certainty it does not have."""
    return figures.chance(value)


def interval(pair, style: str = "percent", digits: int = 1) -> str:
    """A (low, high) pair: 'percent', 'signed', 'points' or 'number'."""
    return figures.interval(pair, style, digits)


def p_value(value) -> str:
    """'0.0458', or '< 0.0001'."""
    return figures.p_value(value)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        markdown=render_markdown,
        number=number,
        percent=percent,
        interval=interval,
        points=points,
        chance=chance,
        p_value=p_value,
    )
