"""A block pasted from a spreadsheet or an export, as the sprint form's inputs.

One line per cell of the form, in the form's order (metric by metric, variant
by variant); on each line the units and then the conversions, or the units,
mean and sd; an optional label first (the variant's name, any text). Cells are
separated by tabs (a spreadsheet's copy), else by semicolons. Numbers may carry
thousands separators (1,234 · 1.234 · 1 234) and a decimal comma (4,5).
"""

from __future__ import annotations

import re

SEPARATORS = re.compile(r"[\s\u00a0\u202f']")
GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def number(text: str, whole: bool) -> str | None:
    """The text as the form's fields read numbers ('1234', '-4.5'), or None
    when it is not a number. Both marks: the last is the decimal one. One kind
    of mark that groups digits by three (1,234 · 1.234.567) separates thousands;
    otherwise, in a mean or sd, a comma is a decimal comma (4,5). A count keeps
    any other mark, and the form refuses it as not a whole number."""
    raw = SEPARATORS.sub("", text.strip())
    sign = ""
    if raw[:1] in ("+", "-", "\u2212"):
        sign, raw = ("" if raw[0] == "+" else "-"), raw[1:]
    if not re.fullmatch(r"\d[\d.,]*", raw):
        return None
    if "," in raw and "." in raw:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif GROUPED.match(raw):
        raw = raw.replace(",", "").replace(".", "")
    elif not whole:
        raw = raw.replace(",", ".")
    return sign + raw


def read_block(text: str, cells: list[tuple]) -> tuple[dict, dict]:
    """(the inputs the block fills, problems by input name or "paste")."""
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    if not lines:
        return values, {"paste": "Paste at least one line of figures."}
    if len(lines) > len(cells):
        return values, {
            "paste": f"{len(lines)} lines for {len(cells)} cells: paste one line "
            "per cell, in the form's order."
        }
    for n, (line, (metric, _variant, prefix)) in enumerate(
        zip(lines, cells, strict=False), 1
    ):
        names = ("units", "mean", "sd")
        if metric.is_binomial:
            names = ("units", "conversions")
        parts = [p for p in re.split(r"\t|;", line) if p.strip()]
        if len(parts) == len(names) + 1 or (
            parts and number(parts[0], whole=False) is None
        ):
            parts = parts[1:]  # a label (a variant called "2024" too)
        if len(parts) != len(names):
            problems[f"{prefix}-units"] = (
                f"Line {n}: expected {len(names)} figures ({', '.join(names)}), "
                f"found {len(parts)}."
            )
            continue
        for name, part in zip(names, parts, strict=True):
            read = number(part, whole=name in ("units", "conversions"))
            values[f"{prefix}-{name}"] = read if read is not None else part.strip()
    return values, problems
