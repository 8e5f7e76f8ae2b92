"""Plain-words formatting of figures and verdicts (real minus signs)."""

from __future__ import annotations

import math

MINUS = "\u2212"


def signed(text: str) -> str:
    """Replace an ASCII hyphen-minus with a real minus sign."""
    return text.replace("-", MINUS)


def pct(x: float, sign: bool = True) -> str:
    """0.3 -> '+30%'; one decimal below 10% so small lifts do not read as 0."""
    digits = 0 if abs(x) >= 0.1 else 1
    text = f"{x * 100:+.{digits}f}%" if sign else f"{x * 100:.{digits}f}%"
    if text in ("+0%", "-0%", "+0.0%", "-0.0%"):
        text = "0%" if digits == 0 else "0.0%"
    return signed(text)


def points(x: float) -> str:
    """A difference of rates in percentage points: 0.012 -> '+1.2 points'."""
    text = f"{x * 100:+.1f}"
    return signed(text if text not in ("+0.0", "-0.0") else "0.0") + " points"


def number(x: float) -> str:
    """A difference of means with three significant figures and a sign."""
    if x == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    return signed(f"{x:+,.{digits}f}")


# Below this a p-value is shown as "p < 0.001" (no exponent notation for readers).
SMALLEST_SHOWN_P = 0.001


def p_text(p: float) -> str:
    """'p = 0.042', or 'p < 0.001' for very small values."""
    return f"p < {SMALLEST_SHOWN_P:g}" if p < SMALLEST_SHOWN_P else f"p = {p:.2g}"


def ci_text(level: float, low: str, high: str) -> str:
    """'(95% CI −17% to +77%)'."""
    return f"({level:g}% CI {low} to {high})"
