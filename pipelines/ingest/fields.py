"""Check one typed-in value against its field declaration from schemas/.

Returns a message (and a hint) instead of raising, so callers can attach file:line.
Dates are only checked for being text here: a date field also accepts a phrase, which
is resolved later against the source's publication date (see ingest.dates).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from pipelines.schemas import FieldSpec


@lru_cache(maxsize=None)
def _pattern(regex: str) -> re.Pattern:
    return re.compile(regex)


@lru_cache(maxsize=4096)
def is_country_code(code: str) -> bool:
    """ISO 3166-1 alpha-2, checked against pycountry's copy of the standard."""
    import pycountry  # imported on first use: loading its database costs time

    return pycountry.countries.get(alpha_2=code) is not None


def is_country_field(name: str) -> bool:
    return name == "country" or name.endswith("_country")


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "date": "a date (YYYY-MM-DD) or a date phrase"}


def check_value(spec: FieldSpec, value: Any) -> tuple[str, str] | None:
    """None when the value fits the field; else (message, hint). Null is checked by callers."""
    expected = _TYPE_NAMES[spec.type]
    if spec.type in ("string", "date"):
        ok = isinstance(value, str)
    elif spec.type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif spec.type == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, bool)
    if not ok:
        hint = "write digits only, without separators or quotes" if spec.type in ("integer", "number") else ""
        if spec.type == "string" and isinstance(value, (int, float, bool)):
            hint = "put the value in quotes"
        return f"{spec.name} must be {expected}, not {type(value).__name__} {value!r}", hint
    if spec.type == "string" and not value.strip():
        return f"{spec.name} is empty", "write a value, or null when it is unknown"
    if spec.enum and value not in spec.enum:
        return (f"{spec.name} {value!r} is not one of the allowed values",
                " ".join(filter(None, [did_you_mean(value, spec.enum), "allowed: " + ", ".join(spec.enum)])))
    if spec.pattern and not _pattern(spec.pattern).match(value):
        if is_country_field(spec.name):
            return f"{spec.name} {value!r} is not an ISO 3166-1 alpha-2 code", "use two capital letters, e.g. GB (not UK), IT, FR"
        if spec.name.endswith("_id"):
            return f"{spec.name} {value!r} is not a valid id", "use lowercase letters, digits and single hyphens, e.g. rishi-sunak"
        return f"{spec.name} {value!r} does not match the pattern {spec.pattern}", ""
    if is_country_field(spec.name) and not is_country_code(value):
        return f"{spec.name} {value!r} is not an ISO 3166-1 alpha-2 country code", "e.g. GB (not UK), IT, FR, AL"
    if spec.minimum is not None and value < spec.minimum:
        return f"{spec.name} {value!r} is below the minimum {spec.minimum:g}", ""
    if spec.maximum is not None and value > spec.maximum:
        return f"{spec.name} {value!r} is above the maximum {spec.maximum:g}", ""
    return None


def _allowed_hint(key, allowed: list[str]) -> str:
    """Built only for an unknown key: check_mapping runs for every record and item."""
    return did_you_mean(key, allowed) or "allowed: " + ", ".join(allowed)


def check_mapping(doc, keys: tuple, mapping: Any, fields: list[FieldSpec], required: set[str],
                  problems, what: str, extra_keys: tuple[str, ...] = ()) -> dict | None:
    """Check a mapping typed by a contributor against declared fields.

    Reports unknown keys (with a suggestion), missing required fields, and values that do
    not fit their declaration. Returns the values with declared defaults filled in, or
    None when the item is not a mapping at all. Values that fail are left out.
    """
    if not isinstance(mapping, dict):
        problems.add(doc.path, *doc.position(*keys), "wrong-type", f"{what} must be a mapping of field: value",
                     "see CONTRIBUTING.md for an example")
        return None
    by_name = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if key not in by_name:
            if key not in extra_keys:
                kline, kcol = doc.key_position(*keys, key)
                problems.add(doc.path, kline, kcol, "unknown-key", f"{what} has no field {key!r}",
                             _allowed_hint(key, [*by_name, *extra_keys]))
            continue
        if value is None:
            continue
        error = check_value(by_name[key], value)
        if error:
            vline, vcol = doc.position(*keys, key)
            problems.add(doc.path, vline, vcol, "bad-value", error[0], error[1], str(value))
            continue
        out[key] = value
    for name in required:
        if mapping.get(name) is None:
            problems.add(doc.path, *doc.position(*keys), "missing-field", f"{what} has no {name}", f"add `{name}:`")
    for f in fields:
        if f.default is not None and f.name not in out and f.name not in mapping:
            out[f.name] = f.default
    return out
