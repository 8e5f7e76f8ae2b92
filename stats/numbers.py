"""Numbers for people: the one place a figure gets its wording.

The verdicts, the recommendations and the web filters all format through here, so
one figure reads the same everywhere: a difference of rates is in percentage
points ("+1.30 pp"), a relative change is a signed percentage ("+42%"), and every
negative number carries a real minus sign (U+2212), never a hyphen.
"""

from __future__ import annotations

import math
from typing import Any

MINUS = "\u2212"
# What stands in for a figure that does not exist (None, NaN, infinity).
MISSING = "—"
# Digits of a difference of rates in percentage points, everywhere it is shown.
POINTS_DIGITS = 2
# Below this a p-value is shown as "< 0.0001" (no exponent notation for readers).
SMALLEST_SHOWN_P = 0.0001
# A chance is never shown as certain: beyond these it reads "< 0.1%" / "> 99.9%".
CHANCE_FLOOR, CHANCE_CEILING = 0.001, 0.999


def signed(text: str) -> str:
    """Replace an ASCII hyphen-minus with a real minus sign."""
    return text.replace("-", MINUS)


def missing(value: Any) -> bool:
    """True for None, NaN and infinity: figures that do not exist."""
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def number(value: Any, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; -1.5 -> '−1.50' with digits=2; None -> '—'."""
    if missing(value):
        return MISSING
    return signed(f"{value:,.{digits}f}")


def percent(value: Any, digits: int = 1, sign: bool = False) -> str:
    """0.0523 -> '5.2%'; sign=True adds '+' (and a real minus sign)."""
    if missing(value):
        return MISSING
    return signed(f"{value * 100:{'+' if sign else ''},.{digits}f}%")


def pct(x: float, sign: bool = True) -> str:
    """A relative change: 0.3 -> '+30%'; one decimal below 10% so it is not 0."""
    digits = 0 if abs(x) >= 0.1 else 1
    text = percent(x, digits, sign)
    if text.lstrip("+" + MINUS) in ("0%", "0.0%"):
        text = text.lstrip("+" + MINUS)
    return text


def points(value: Any, digits: int = POINTS_DIGITS, sign: bool = True) -> str:
    """A difference of two rates in percentage points: 0.013 -> '+1.30 pp'."""
    if missing(value):
        return MISSING
    text = f"{value * 100:{'+' if sign else ''},.{digits}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("+-")
    return signed(text) + " pp"


def mean_difference(x: float) -> str:
    """A difference of means with three significant figures and a sign."""
    if x == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    return signed(f"{x:+,.{digits}f}")


def chance(value: Any) -> str:
    """A probability as a percentage that never claims certainty it does not have."""
    if missing(value):
        return MISSING
    if value < CHANCE_FLOOR:
        return "< 0.1%"
    if value > CHANCE_CEILING:
        return "> 99.9%"
    return percent(value, 1)


def p_value(value: Any) -> str:
    """A p-value for a table: '0.0458', or '< 0.0001'."""
    if missing(value):
        return MISSING
    if value < SMALLEST_SHOWN_P:
        return f"< {SMALLEST_SHOWN_P:g}"
    return f"{value:.4f}"


def p_text(p: float) -> str:
    """A p-value in a sentence, the same figure as the table: 'p = 0.0458'."""
    text = p_value(p)
    return "p " + text if text.startswith("<") else "p = " + text


def interval(pair: Any, style: str = "percent", digits: int = 1) -> str:
    """A (low, high) pair: a rate's 'percent', a change's 'signed' percent,
    'points' for a difference of rates, or plain 'number'."""
    if not pair or missing(pair[0]) or missing(pair[1]):
        return MISSING
    if style == "points":
        low, high = (points(x, digits).removesuffix(" pp") for x in pair)
        return f"{low} to {high} pp"
    if style in ("percent", "signed"):
        sign = style == "signed"
        return f"{percent(pair[0], digits, sign)} to {percent(pair[1], digits, sign)}"
    return f"{number(pair[0], digits)} to {number(pair[1], digits)}"


def ci_text(level: float, low: str, high: str) -> str:
    """'(95% CI −17% to +77%)'."""
    return f"({level:g}% CI {low} to {high})"
