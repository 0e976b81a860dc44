"""A small port of apimachinery resource.Quantity: parse, add and print in canonical form.

Only what `kubectl describe` needs (container requests/limits, node capacity and allocation).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_SUFFIX = {bits // 10: suffix for suffix, bits in _BINARY.items()}
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$")


@dataclass(frozen=True)
class Quantity:
    value: Fraction
    format: str = DECIMAL_SI

    def __add__(self, other: Quantity) -> Quantity:
        # Quantity.Add keeps the receiver's format unless the receiver is zero.
        fmt = other.format if self.value == 0 else self.format
        return Quantity(self.value + other.value, fmt)

    def milli_value(self) -> int:
        return math.ceil(self.value * 1000)  # ScaledValue rounds up

    def int_value(self) -> int:
        return math.ceil(self.value)

    def __str__(self) -> str:
        return _canonical(self)


ZERO = Quantity(Fraction(0))


def parse_quantity(text: str | int | float) -> Quantity:
    """resource.MustParse for the common forms: 100m, 1.5, 128Mi, 1G, 1e3."""
    match = _NUMBER.match(str(text).strip())
    if not match:
        raise ValueError(f"quantities must match the regular expression: {text!r}")
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix in _BINARY:
        return Quantity(number * 2 ** _BINARY[suffix], BINARY_SI)
    if suffix in _DECIMAL:
        return Quantity(number * Fraction(10) ** _DECIMAL[suffix], DECIMAL_SI)
    if suffix[:1] in ("e", "E"):
        return Quantity(number * Fraction(10) ** int(suffix[1:]), DECIMAL_EXPONENT)
    raise ValueError(f"unable to parse quantity's suffix: {text!r}")


def _canonical(q: Quantity) -> str:
    """Quantity.CanonicalizeBytes: binary only for exact integers of magnitude >= 1024."""
    if q.value == 0:
        return "0"
    if q.format == BINARY_SI and abs(q.value) >= 1024 and q.value.denominator == 1:
        return _base1024(int(q.value))
    return _base10(q.value, exponent_form=q.format == DECIMAL_EXPONENT)


def _base1024(value: int) -> str:
    steps = 0
    while value % 1024 == 0 and steps < 6:
        value //= 1024
        steps += 1
    return f"{value}{_BINARY_SUFFIX.get(steps, '')}"


def _base10(value: Fraction, *, exponent_form: bool) -> str:
    """The largest exponent that is a multiple of 3 and leaves an integer mantissa."""
    exponent = 18
    while exponent > -9 and (value / Fraction(10) ** exponent).denominator != 1:
        exponent -= 3
    mantissa = value / Fraction(10) ** exponent
    if mantissa.denominator != 1:  # below nano: Go rounds up to nano
        mantissa = Fraction(math.ceil(mantissa))
    number = int(mantissa)
    if exponent_form:
        return f"{number}" if exponent == 0 else f"{number}e{exponent}"
    return f"{number}{_DECIMAL_SUFFIX[exponent]}"
