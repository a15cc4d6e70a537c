"""Checks: one way of checking an argument, shared by every module of the package.

One rule decides the exception:

- the wrong *type* raises `TypeError`: a str where a number belongs, a float where a count
  belongs (even `2.0`: a count is an int), and a bool anywhere a number or a count belongs
  (`True` as an input or an epoch count is almost always a mistake);
- the right type with a bad *value* raises `ValueError`: a count below its minimum or above its
  limit, a negative learning rate, NaN or infinity, a probability outside [0, 1].

Every message names the argument, shows the offending value (shortened by `shorten`, so a message
is never megabytes long) and says what is expected instead.

Seeds follow one rule too (`random_generator`): an int seeds a new `random.Random`, a
`random.Random` is used as it is, and None draws the seed from Python's global `random`, so
`random.seed(...)` beforehand makes networks and datasets alike reproducible.
"""

from __future__ import annotations

import math
import numbers
import random

__all__ = [
    "Seed",
    "MESSAGE_VALUE_LENGTH",
    "shorten",
    "count",
    "number",
    "finite_number",
    "positive_number",
    "non_negative_number",
    "probability",
    "data_number",
    "random_generator",
]

Seed = int | random.Random | None
"""What a `seed` argument accepts: an int, a `random.Random`, or None (see `random_generator`)."""

MESSAGE_VALUE_LENGTH = 80
"""The longest a value is shown in an error message, in characters."""


def shorten(value: object, length: int = MESSAGE_VALUE_LENGTH) -> str:
    """`repr(value)`, cut to about `length` characters with a note of how long it really was.

    The repr of a huge value is itself cut as it is made where possible (a long str or bytes is
    sliced first), so shortening a 5 MB string does not build a 5 MB message.
    """
    if isinstance(value, str | bytes) and len(value) > length:
        text = repr(value[:length])
        return f"{text}… ({len(value):,} characters in all)"
    if isinstance(value, int) and value.bit_length() > 4 * length:  # over ~length digits
        digits = int(value.bit_length() * math.log10(2)) + 1  # its repr may be refused outright
        return f"{'a negative' if value < 0 else 'an'} int of about {digits:,} digits"
    text = repr(value)
    if len(text) <= length:
        return text
    return f"{text[:length]}… ({len(text):,} characters in all)"


def _count_text(size: int) -> str:
    """`size` with thousands separators (`1,000,000`), or shortened when it is huge."""
    return f"{size:,}" if size.bit_length() <= 4 * MESSAGE_VALUE_LENGTH else shorten(size)


def _type_name(value: object) -> str:
    return type(value).__name__


def count(
    value: object, name: str, minimum: int = 1, maximum: int | None = None, why: str = ""
) -> int:
    """An int from `minimum` to `maximum` (a count or a size), else TypeError / ValueError.

    `why` explains the maximum in the message ("the documented limit for …").
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        hint = f" (int({value!r}))" if isinstance(value, float) and value.is_integer() else ""
        raise TypeError(
            f"{name} must be an int, got {_type_name(value)}: {shorten(value)}{hint}"
        )
    size = int(value)
    if size < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {_count_text(size)}")
    if maximum is not None and size > maximum:
        reason = f" ({why})" if why else ""
        raise ValueError(
            f"{name} is {_count_text(size)}, above the limit of {maximum:,}{reason}"
        )
    return size


def number(value: object, name: str) -> float:
    """A real number (int or float, not bool) as a float; NaN and infinity pass."""
    if type(value) is float:  # the common case, checked first
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number (int or float), got {_type_name(value)}: {shorten(value)}"
        )
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float: {shorten(value)}") from None


def finite_number(value: object, name: str) -> float:
    """A finite real number as a float."""
    result = number(value, name)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result!r}")
    return result


def positive_number(value: object, name: str, hint: str = "") -> float:
    """A finite number > 0 as a float (a learning rate, a step size, a standard deviation…)."""
    result = number(value, name)
    if not 0.0 < result < math.inf:
        raise ValueError(f"{name} must be a positive finite number, got {result!r}{hint}")
    return result


def non_negative_number(value: object, name: str) -> float:
    """A finite number ≥ 0 as a float (momentum, weight decay, noise…)."""
    result = number(value, name)
    if not 0.0 <= result < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {result!r}")
    return result


def probability(value: object, name: str, hint: str = "") -> float:
    """A number in [0, 1] as a float."""
    result = number(value, name)
    if not 0.0 <= result <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {result!r}{hint}")
    return result


def data_number(value: object, where: str) -> float:
    """One number of a data set (an input or a target): finite, not a bool, not a `Value`.

    Ints stay ints, so class labels read well in messages. `where` names the place, as
    `"X[3][1]"`.
    """
    if type(value) is float and math.isfinite(value):  # the common case, checked quickly
        return value
    if isinstance(value, bool):
        raise TypeError(f"{where} is the bool {value!r}; give a number (int(x) or float(x))")
    if isinstance(value, numbers.Integral):
        return value  # type: ignore[return-value]
    if not isinstance(value, numbers.Real):
        hint = f"; give its number, {where}.data" if hasattr(value, "grad") else ""
        raise TypeError(f"{where} is {_type_name(value)} {shorten(value)}, not a number{hint}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{where} is {value!r}, not finite; give finite numbers only")
    return number


def random_generator(seed: object, name: str = "seed") -> random.Random:
    """The generator to draw from, by one rule for the whole package.

    An int seeds a new `random.Random(seed)`; a `random.Random` is used as it is (so one
    generator can feed several draws); None seeds a new generator from Python's global `random`,
    so `random.seed(...)` beforehand makes the result reproducible too.
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random(random.getrandbits(64))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, a random.Random or None, got {_type_name(seed)}: "
            f"{shorten(seed)}"
        )
    return random.Random(int(seed))
