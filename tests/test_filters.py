"""How figures read on a page: signs, minus signs, points and honest probabilities."""

import pytest

from web.filters import chance, interval, number, p_value, percent, points


@pytest.mark.parametrize(
    "call,expected",
    [
        (lambda: number(1234567), "1,234,567"),
        (lambda: number(None), "—"),
        (lambda: number(float("nan")), "—"),
        (lambda: percent(0.0523), "5.2%"),
        (lambda: percent(-0.065, 1, True), "\u22126.5%"),
        (lambda: percent(0.3, 0, True), "+30%"),
        (lambda: points(0.0130), "+1.30 pp"),
        (lambda: points(-0.0004, 2), "\u22120.04 pp"),
        (lambda: points(0.00002, 3, False), "0.002 pp"),
        (lambda: chance(0.0), "< 0.1%"),
        (lambda: chance(1.0), "> 99.9%"),
        (lambda: chance(0.5), "50.0%"),
        (lambda: chance(None), "—"),
        (lambda: interval((0.0417, 0.0599), "percent", 2), "4.17% to 5.99%"),
        (lambda: interval((-0.17, 0.77), "signed", 0), "\u221217% to +77%"),
        (lambda: interval((0.0075, 0.0185), "points", 2), "+0.75 to +1.85 pp"),
        (lambda: interval((-1.5, 2.25), "number", 2), "\u22121.50 to 2.25"),
        (lambda: interval((None, 0.2)), "—"),
        (lambda: p_value(0.00001), "< 0.0001"),
        (lambda: p_value(0.04579), "0.0458"),
    ],
)
def test_figures_read_as_intended(call, expected):
    assert call() == expected
