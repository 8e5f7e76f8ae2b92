"""The futility check of a report: conditional power at its latest look.

For a plan with a sample size (information looks), the chance that each
challenger still reaches significance by the planned end is computed at the
current trend and at the planned effect (stats.futility). The final boundary is
the one left after the looks actually made; the planned effect is the drift of
the design the plan was sized with (stats.design.sequential_design), in the
direction that counts as better.
"""

from __future__ import annotations

import numpy as np

from .checks import Inputs
from .design import sequential_design
from .futility import conditional_power
from .looks import FRACTION_SLACK, Track
from .planning import comparison_alpha
from .sequential import z_boundaries


def chance_by_the_end(inp: Inputs, tracks: list[Track]) -> float | None:
    """The best chance, over challengers, of a significant final look: the
    larger of the two conditional powers. None without a sized plan, before
    any look, without a z, or once a challenger's plan has ended or crossed."""
    if inp.plan_units is None or any(t.crossed.any() for t in tracks):
        return None
    alpha_c = comparison_alpha(inp.alpha, inp.n_var)
    design = sequential_design(inp.planned_looks or 1, inp.spending, alpha_c, inp.power)
    drift = design.drift if inp.higher_is_better else -design.drift
    best = None
    for tr in tracks:
        looks = tr.informed.nonzero()[0]
        if looks.size == 0 or tr.used[looks[-1]] >= 1.0 - FRACTION_SLACK:
            return None
        if not np.isfinite(tr.z[looks[-1]]):
            return None  # no z yet (no spread): nothing to project
        made = tr.used[looks]
        final = z_boundaries(np.append(made, 1.0), alpha_c, inp.spending)[-1]
        cp = conditional_power(tr.z[looks[-1]], made[-1], final, drift)
        chance = float(max(cp.at_trend, cp.at_plan))
        best = chance if best is None else max(best, chance)
    return best
