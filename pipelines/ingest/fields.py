"""Check a mapping a contributor typed (a record, a list item, a registry entry) against
its declared fields.

Each value is checked by its field's own `FieldSpec.check_value` (pipelines/schemas.py,
the one field model); this module adds what is about the mapping: unknown keys, missing
required fields, and declared defaults. Problems are reported with file:line, never raised.
"""

from __future__ import annotations

from typing import Any

# did_you_mean is re-exported: records and corpus suggest close names with it too.
from pipelines.schemas import FieldSpec, did_you_mean  # noqa: F401


def _allowed_hint(key, allowed: list[str]) -> str:
    """Built only for an unknown key: check_mapping runs for every record and item."""
    return did_you_mean(key, allowed) or "allowed: " + ", ".join(allowed)


def check_mapping(doc, keys: tuple, mapping: Any, fields: list[FieldSpec], required: set[str],
                  problems, what: str, extra_keys: tuple[str, ...] = (),
                  by_name: dict[str, FieldSpec] | None = None) -> dict | None:
    """Check a mapping typed by a contributor against declared fields.

    Reports unknown keys (with a suggestion), missing required fields, and values that do
    not fit their declaration. Returns the values with declared defaults filled in, or
    None when the item is not a mapping at all. Values that fail are left out.
    by_name: the fields by name, from a caller that checks many mappings of one table.
    """
    if not isinstance(mapping, dict):
        problems.add(doc.path, *doc.position(*keys), "wrong-type", f"{what} must be a mapping of field: value",
                     "see CONTRIBUTING.md for an example")
        return None
    if by_name is None:
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
        error = by_name[key].check_value(value)
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
