"""`borderlines diff [--against VERSION]`: what a change does to the published data.

Compares the Parquet files of the current build (build/data/parquet) with those of a
release (datasets/<version>/parquet; by default the latest), table by table, matching
rows on the primary key declared in schemas/. Prints Markdown: a summary table, then per
changed table the keys added and removed and, for changed rows, each field that differs
with its old and new value (a reviewer must see that a status stayed `planned`, not only
that something changed). New rows of `conflicts` are listed with their field, value and
source, since a new disagreement between sources is what a reviewer has to judge.
It is informational: it exits 0 whatever it finds (2 only for a version that does not exist).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import UsageError
from pipelines.schemas import load_tables

MAX_LISTED = 20  # keys listed per table and kind; the counts are always complete
MAX_VALUE = 80  # characters of a value shown in a change; longer ones end in "…"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


def releases(datasets_dir: Path) -> list[str]:
    from pipelines.publish.release import VERSION_PATTERN

    if not datasets_dir.is_dir():
        return []
    found = [p.name for p in datasets_dir.iterdir() if VERSION_PATTERN.match(p.name) and (p / "parquet").is_dir()]
    return sorted(found, key=_version_key)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _columns(con, path: Path) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_path(path)})").fetchall()]


def _key_text(key_fields: list[str], row: tuple) -> str:
    # A key may have a null part (an agreement event of no one state): shown as null, not None.
    return ", ".join(f"{k}={'null' if v is None else v}" for k, v in zip(key_fields, row)) \
        if len(key_fields) > 1 else str(row[0])


def diff_table(con, name: str, old: Path, new: Path) -> dict:
    """Counts and examples of added, removed and changed rows of one table."""
    key = list(load_tables()[name].primary_key)
    old_cols, new_cols = _columns(con, old), _columns(con, new)
    shared = [c for c in new_cols if c in old_cols and c not in key]
    # A key column added since the release (agreement_events.country) is null in its rows.
    added_keys = "".join(f", NULL::VARCHAR AS {_q(k)}" for k in key if k not in old_cols)
    con.execute(f"CREATE OR REPLACE TEMP VIEW o AS SELECT *{added_keys} FROM read_parquet({_sql_path(old)})")
    con.execute(f"CREATE OR REPLACE TEMP VIEW n AS SELECT * FROM read_parquet({_sql_path(new)})")
    keys = ", ".join(_q(k) for k in key)
    match = " AND ".join(f"o.{_q(k)} IS NOT DISTINCT FROM n.{_q(k)}" for k in key)

    def only_in(a: str, b: str) -> list[tuple]:
        return con.execute(f"SELECT {keys} FROM {a} WHERE NOT EXISTS (SELECT 1 FROM {b} WHERE {match}) "
                           f"ORDER BY {keys}").fetchall()

    # Compared as text, so that a column whose type changed between releases still compares.
    differs = [f"(o.{_q(c)}::VARCHAR IS DISTINCT FROM n.{_q(c)}::VARCHAR)" for c in shared]
    changed = []
    if differs:
        flags = ", ".join(differs)
        values = ", ".join(f"o.{_q(c)}::VARCHAR, n.{_q(c)}::VARCHAR" for c in shared)
        rows = con.execute(f"SELECT {', '.join('n.' + _q(k) for k in key)}, {flags}, {values} FROM o JOIN n ON {match} "
                           f"WHERE {' OR '.join(differs)} ORDER BY {', '.join('n.' + _q(k) for k in key)}").fetchall()
        for row in rows:
            flags_of_row = row[len(key):len(key) + len(shared)]
            pairs = row[len(key) + len(shared):]
            changed.append((row[:len(key)], [(c, pairs[2 * i], pairs[2 * i + 1])
                                             for i, (c, flag) in enumerate(zip(shared, flags_of_row)) if flag]))
    counts = [con.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in ("o", "n")]
    added_rows = []
    if name == "conflicts":  # the whole rows: a reviewer judges a disagreement by its values
        cursor = con.execute(f"SELECT * FROM n WHERE NOT EXISTS (SELECT 1 FROM o WHERE {match}) ORDER BY {keys}")
        names = [c[0] for c in cursor.description]
        added_rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    return {"key": key, "rows": counts, "added": only_in("n", "o"), "removed": only_in("o", "n"), "changed": changed,
            "added_rows": added_rows,
            "columns_added": [c for c in new_cols if c not in old_cols],
            "columns_removed": [c for c in old_cols if c not in new_cols]}


def _shown(value: str | None) -> str:
    """A value as a reviewer reads it in Markdown: null spelled out, long text cut, code-quoted."""
    if value is None:
        return "null"
    text = " ".join(value.split())
    if len(text) > MAX_VALUE:
        text = text[:MAX_VALUE - 1] + "…"
    return "`" + text.replace("`", "'") + "`"


def _change(field: str, old: str | None, new: str | None) -> str:
    return f"{field} {_shown(old)} → {_shown(new)}"


def _listed(items: list[str]) -> list[str]:
    out = [f"  - {item}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        out.append(f"  - … and {len(items) - MAX_LISTED} more")
    return out


def render_markdown(version: str, diffs: dict[str, dict], only_old: list[str], only_new: list[str]) -> str:
    lines = [f"## Data diff: this build against release {version}", "",
             "| table | rows in release | rows in build | added | removed | changed |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, d in diffs.items():
        lines.append(f"| {name} | {d['rows'][0]} | {d['rows'][1]} | {len(d['added'])} | {len(d['removed'])} | "
                     f"{len(d['changed'])} |")
    lines += [f"| {name} | — | new table | | | |" for name in only_new]
    lines += [f"| {name} | removed table | — | | | |" for name in only_old]
    touched = {n: d for n, d in diffs.items()
               if d["added"] or d["removed"] or d["changed"] or d["columns_added"] or d["columns_removed"]}
    if not touched and not only_new and not only_old:
        return "\n".join(lines + ["", "No differences: the build has the same rows as the release."]) + "\n"
    for name, d in touched.items():
        lines += ["", f"### {name}", f"Rows matched on {', '.join(d['key'])}."]
        if d["columns_added"] or d["columns_removed"]:
            lines.append(f"- columns added: {', '.join(d['columns_added']) or 'none'}; "
                         f"removed: {', '.join(d['columns_removed']) or 'none'}")
        for kind in ("added", "removed"):
            if d[kind]:
                lines.append(f"- {len(d[kind])} row(s) {kind}:")
                lines += _listed([f"`{_key_text(d['key'], row)}`" for row in d[kind]])
        if d["changed"]:
            lines.append(f"- {len(d['changed'])} row(s) changed:")
            lines += _listed([f"`{_key_text(d['key'], row)}`: " + "; ".join(_change(*f) for f in fields)
                              for row, fields in d["changed"]])
        if name == "conflicts" and d["added"]:
            lines.append("- the new conflicts, value by value:")
            lines += _listed([f"`{row.get('record_id')}` {row.get('field')}: {_shown(row.get('value'))} "
                              f"from `{row.get('source_id')}`" + (" (published)" if row.get("is_published_value") else "")
                              for row in d["added_rows"]])
    return "\n".join(lines) + "\n"


def diff_builds(old_dir: Path, new_dir: Path, version: str) -> str:
    """Markdown comparing two folders of Parquet files (release, build)."""
    import duckdb

    con = duckdb.connect(config={"threads": 1})
    try:
        old = {p.stem: p for p in old_dir.glob("*.parquet")}
        new = {p.stem: p for p in new_dir.glob("*.parquet")}
        tables = load_tables()
        names = [n for n in tables if n in old and n in new]
        diffs = {name: diff_table(con, name, old[name], new[name]) for name in names}
    finally:
        con.close()
    return render_markdown(version, diffs, sorted(set(old) - set(new)), sorted(set(new) - set(old)))


def diff_command(root: Path, build_dir: Path, against: str | None) -> int:
    datasets = root / "datasets"
    known = releases(datasets)
    if against is None and not known:
        print("There is no release in datasets/ yet, so there is nothing to compare the build with.")
        return 0
    version = against or known[-1]
    if version not in known:
        raise UsageError(f"there is no release {version!r} in datasets/ (releases: {', '.join(known) or 'none'})")
    parquet = build_dir / "data" / "parquet"
    if not parquet.is_dir():
        print(f"There is no build in {parquet} to compare with release {version}: run `make data` first.")
        return 0
    print(diff_builds(datasets / version / "parquet", parquet, version), end="")
    return 0
