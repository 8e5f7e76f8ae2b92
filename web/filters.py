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


def points(value, digits: int = 2, signed: bool = True) -> str:
    """An absolute difference of two rates: 0.013 -> '+1.30 pp'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value * 100:{'+' if signed else ''},.{digits}f} pp".replace("-", "\u2212")


def chance(value) -> str:
    """A probability as a percentage that never claims certainty it does not have."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if value < 0.001:
        return "< 0.1%"
    if value > 0.999:
        return "> 99.9%"
    return percent(value, 1)


def interval(pair, style: str = "percent", digits: int = 1) -> str:
    """A (low, high) pair: a rate's 'percent', a change's 'signed' percent,
    'points' for a difference of rates, or plain 'number'."""
    if not pair or pair[0] is None or pair[1] is None:
        return "—"
    if style == "points":
        low, high = (points(x, digits).removesuffix(" pp") for x in pair)
        return f"{low} to {high} pp"
    if style in ("percent", "signed"):
        signed = style == "signed"
        return (
            f"{percent(pair[0], digits, signed)} to {percent(pair[1], digits, signed)}"
        )
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
        points=points,
        chance=chance,
        p_value=p_value,
    )
