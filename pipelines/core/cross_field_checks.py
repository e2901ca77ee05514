"""Rules that involve more than one column, as Pandera checks beside the derived schemas.

Each check returns a boolean Series (one per row). The order checks pass rows where a side
is null; the null checks say where a null is allowed.
"""

import pandera.pandas as pa


def _not_after(first: str, second: str) -> pa.Check:
    def check(df):
        return (df[first].isna() | df[second].isna() | (df[first] <= df[second])).fillna(True)

    return pa.Check(check, name=f"{first}_not_after_{second}", error=f"{first} must be on or before {second}")


def _not_above(low: str, high: str) -> pa.Check:
    def check(df):
        return (df[low].isna() | df[high].isna() | (df[low] <= df[high])).fillna(True)

    return pa.Check(check, name=f"{low}_le_{high}", error=f"{low} must be <= {high}")


def _null_together(first: str, second: str) -> pa.Check:
    def check(df):
        return df[first].isna() == df[second].isna()

    return pa.Check(check, name=f"{first}_null_with_{second}", error=f"{first} and {second} must be null together")


def _null_only_with(name: str, required: str) -> pa.Check:
    """A null `name` is allowed only where `required` is set (an unstated period, only for
    a figure the source attributes to a body)."""
    def check(df):
        return df[name].notna() | df[required].notna()

    return pa.Check(check, name=f"{name}_null_only_with_{required}",
                    error=f"{name} may be null only where {required} is set")


CROSS_FIELD_CHECKS = {
    "crossings": [
        _not_after("period_start", "period_end"),
        _null_together("period_start", "period_end"),
        _null_only_with("period_start", "reported_by"),
        _not_after("baseline_start", "baseline_end"),
        _not_after("rank_period_start", "rank_period_end"),
        _not_above("value_low", "value"),
        _not_above("value", "value_high"),
    ],
    "source_links": [_not_above("start", "end")],
    "evidence": [_not_above("start", "end")],
}
