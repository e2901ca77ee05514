"""Rules that involve more than one column, as Pandera checks beside the derived schemas.

Each check returns a boolean Series (one per row); rows where a side is null pass.
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


CROSS_FIELD_CHECKS = {
    "crossings": [
        _not_after("period_start", "period_end"),
        _not_after("baseline_start", "baseline_end"),
        _not_after("rank_period_start", "rank_period_end"),
        _not_above("value_low", "value"),
        _not_above("value", "value_high"),
    ],
    "source_links": [_not_above("start", "end")],
    "evidence": [_not_above("start", "end")],
}
