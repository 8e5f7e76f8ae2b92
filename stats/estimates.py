"""The estimate a verdict quotes at each look: direction, difference, lift.

At look s the estimate is on the cumulative data of sprints 1..s: the pooled
figures of the batch functions, or, when the looks are stratified by sprint
(binomial, the planned split changed), the Mantel-Haenszel estimates, whose
direction always agrees with the stratified (CMH) z the looks test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .binomial import analyze_binomial_batch
from .checks import Inputs
from .continuous import continuous_batch
from .report_types import num
from .stratified import mantel_haenszel

Estimate = dict[str, Any]
FIELDS = ("difference", "relative_lift")


def _rows(r: Any, j: int, s: int | None) -> Estimate:
    """One estimate from arrays indexed [s, j] (or [j] when s is None)."""

    def at(name: str) -> float | None:
        arr = np.asarray(getattr(r, name))
        return num(arr[j] if s is None else arr[s, j])

    out: Estimate = {}
    for f in FIELDS:
        out[f] = at(f)
        out[f + "_ci"] = [at(f + "_low"), at(f + "_high")]
    return out


def stratified_at(inp: Inputs, upto: int) -> list[Estimate]:
    """Mantel-Haenszel estimates per challenger over sprints 0..upto."""
    assert inp.x is not None
    sl = slice(0, upto + 1)
    r = mantel_haenszel(
        inp.x[sl, 1:], inp.n[sl, 1:], inp.x[sl, :1], inp.n[sl, :1], inp.alpha
    )
    return [_rows(r, j, None) for j in range(inp.n_var - 1)]


def look_estimates(inp: Inputs) -> list[list[Estimate]]:
    """[challenger][sprint]: the estimate a verdict quotes at each look."""
    if inp.stratify:
        per_sprint = [stratified_at(inp, s) for s in range(inp.n_sprints)]
        return [list(col) for col in zip(*per_sprint, strict=True)]
    cum_n = inp.cum_n
    args = (inp.alpha, inp.correction, inp.higher_is_better)
    if inp.metric == "binomial":
        assert inp.x is not None
        b: Any = analyze_binomial_batch(cum_n, np.cumsum(inp.x, axis=0), *args)
    else:
        b = continuous_batch(*inp.cum_cells, *args)
    return [
        [_rows(b, j, s) for s in range(inp.n_sprints)] for j in range(inp.n_var - 1)
    ]
