"""Typed literals written in the form the store keeps, so that what is stored is what was validated.

Oxigraph does not store a typed literal as written: it stores its value and
writes it back in a canonical form (tried with pyoxigraph 0.5, and the remote
backend, `oxigraph serve`, is the same engine):

- every integer type derived from xsd:integer (xsd:nonNegativeInteger, xsd:int,
  xsd:long, ...) becomes xsd:integer, with the value's shortest digits ("+05" -> "5");
- xsd:decimal loses trailing zeros ("0.90" -> "0.9", "1.0" -> "1");
- xsd:duration is folded: months into years, seconds into minutes, hours, days
  ("P18M" -> "P1Y6M", "PT48H" -> "P2D"; "P14D" stays, days never become months);
- xsd:boolean "1"/"0" become "true"/"false", xsd:double "1E3" becomes "1000",
  xsd:date and xsd:dateTime write the UTC offset +00:00 as "Z";
- language tags are lower-cased ("en-GB" -> "en-gb").

(xsd:string, xsd:date without a time zone, xsd:anyURI and other types are kept
as written.) A graph that uses the other forms passes SHACL as mapped and then
differs in the store and in every dump: xsd:nonNegativeInteger offsets failed
`sh:datatype xsd:nonNegativeInteger` 422 times on the bundled corpus. So the
mapper writes each literal in the store's form from the start (the helpers
below for the types it uses, and xsd:integer for the NIF offsets, see
loader/map/graph.py), the shapes ask for those types, and the loader refuses any
triple the store would still rewrite (`loader.store.check_stored_form`).
"""

from __future__ import annotations

import re
from decimal import Decimal

_DURATION = re.compile(
    r"(?P<sign>-)?P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_DAY = 86_400


def canonical_duration(text: str) -> str:
    """An xsd:duration in its canonical form (XSD 1.1), the form Oxigraph keeps.

    >>> canonical_duration("P18M"), canonical_duration("P14D"), canonical_duration("PT36H")
    ('P1Y6M', 'P14D', 'P1DT12H')
    """
    match = _DURATION.fullmatch(text)
    if match is None or text.endswith(("P", "T")):
        raise ValueError(f"not an xsd:duration: {text!r}")
    number = {key: Decimal(match[key] or 0) for key in ("Y", "M", "D", "h", "m", "s")}
    months = int(number["Y"] * 12 + number["M"])
    seconds = number["D"] * _DAY + number["h"] * 3600 + number["m"] * 60 + number["s"]
    years, months = divmod(months, 12)
    days, rest = divmod(seconds, _DAY)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    date_part = (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    date_part += f"{days}D" if days else ""
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    time_part += f"{canonical_decimal(rest)}S" if rest else ""
    if not date_part and not time_part:
        return "PT0S"
    sign = "-" if match["sign"] else ""
    return f"{sign}P{date_part}" + (f"T{time_part}" if time_part else "")


def canonical_decimal(value: Decimal | float | int | str) -> str:
    """An xsd:decimal in its canonical form (XSD 1.1), the form Oxigraph keeps.

    >>> canonical_decimal("0.90"), canonical_decimal(1.0), canonical_decimal("-0.50")
    ('0.9', '1', '-0.5')
    """
    number = Decimal(str(value))
    if number == 0:
        return "0"
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
