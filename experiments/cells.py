"""The form of one results cell: which cell, and its figures as typed."""

from __future__ import annotations

from core.limits import MAX_COUNT, MAX_VALUE
from experiments.entry import cell_from_entry
from web.fields import DecimalField, IdField, IntegerField
from web.forms import WebForm


class CellForm(WebForm):
    """One cell of the grid: which cell, and its counts (binomial) or its units,
    mean and standard deviation (continuous)."""

    variant_id = IdField()
    metric_id = IdField()
    sprint_id = IdField()
    units = IntegerField("Units", maximum=MAX_COUNT)
    conversions = IntegerField("Conversions", maximum=MAX_COUNT)
    mean = DecimalField("Mean", minimum=-MAX_VALUE, maximum=MAX_VALUE)
    sd = DecimalField("Standard deviation", minimum=0, maximum=MAX_VALUE)

    def names_a_cell(self) -> bool:
        return all(
            getattr(self, k).raw for k in ("variant_id", "metric_id", "sprint_id")
        )

    def read(self, metric) -> dict | None:
        """The cell's stored figures, or None with the problems next to the fields.

        Only the fields of the metric's kind are checked."""
        wanted = (
            ("units", "conversions") if metric.is_binomial else ("units", "mean", "sd")
        )
        for name in ("units", "conversions", "mean", "sd"):
            field = getattr(self, name)
            field.errors = []
            if name in wanted:
                field.validate(self)
        if metric.is_binomial:
            return self._counts()
        return self._continuous()

    def _counts(self) -> dict | None:
        units, conversions = self.units.data, self.conversions.data
        if units is not None and conversions is not None and conversions > units:
            self.error(
                "conversions",
                f"Conversions ({conversions:,}) cannot exceed units ({units:,}).",
            )
        if not self.ok:
            return None
        return {
            "units": units,
            "conversions": conversions,
            "value_mean": None,
            "value_m2": None,
        }

    def _continuous(self) -> dict | None:
        units, mean, sd = self.units.data, self.mean.data, self.sd.data
        if units is not None and sd is not None:
            if units < 2 and sd > 0:
                self.error("sd", "With fewer than 2 units the standard deviation is 0.")
            if units == 0 and mean:
                self.error("mean", "With no units the mean is 0.")
        if not self.ok:
            return None
        # Within the form's limits M2 stays below 1e36: always a finite float.
        value_mean, value_m2 = cell_from_entry(units, mean, sd)
        return {
            "units": units,
            "conversions": None,
            "value_mean": value_mean,
            "value_m2": value_m2,
        }
