"""Jinja filters for numbers, percentages and Markdown."""

from __future__ import annotations

import math

from flask import Flask

from content.markdown import render_markdown


def number(value, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; None -> an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:,.{digits}f}"


def percent(value, digits: int = 1, signed: bool = False) -> str:
    """0.0523 -> '5.2%'; signed adds '+' and uses a real minus sign."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value * 100:{'+' if signed else ''},.{digits}f}%"
    return text.replace("-", "\u2212")


def interval(pair, digits: int = 1, as_percent: bool = True) -> str:
    if not pair or pair[0] is None or pair[1] is None:
        return "—"
    if as_percent:
        return f"{percent(pair[0], digits, True)} to {percent(pair[1], digits, True)}"
    low, high = (number(x, digits).replace("-", "\u2212") for x in pair)
    return f"{low} to {high}"


def p_value(value) -> str:
    if value is None:
        return "—"
    if value < 0.0001:
        return "< 0.0001"
    return f"{value:.4f}"


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        markdown=render_markdown,
        number=number,
        percent=percent,
        interval=interval,
        p_value=p_value,
    )
