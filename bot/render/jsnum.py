"""JavaScript number formatting (Number.prototype.toString, toFixed, toLocaleString en-US), so our output
carries the official CLI's digits: 0.1 not 0.10, 5 not 5.0, 1e-7 not 1e-07."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

Number = int | float | Decimal


def _digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of |value| and the decimal point position n (value = 0.d1d2... x 10^n)."""
    _sign, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    return text, len(digits) + int(exponent)


def js_string(value: Number) -> str:
    """String(x) for a JS number (Decimals go through the nearest double, as JSON.parse would give)."""
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    digits, n = _digits(number)
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    exp = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp)}"


def js_to_fixed(value: Number, places: int) -> str:
    """x.toFixed(places): the exact binary value rounded half up, as the spec says."""
    exact = Decimal(float(value))
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def js_locale(value: Number) -> str:
    """x.toLocaleString("en-US", {maximumFractionDigits: 20}): grouped shortest digits."""
    text = js_string(value)
    if "e" in text:
        return text
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}"
    return sign + grouped + ("." + fraction if fraction else "")


def js_json_number(value: Number) -> str:
    """A number as JSON.stringify writes it (non-finite numbers become null)."""
    number = float(value)
    return "null" if math.isnan(number) or math.isinf(number) else js_string(number)
