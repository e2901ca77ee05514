"""`borderlines explore`: find the SQLite file, check it, and serve it with Datasette.

By default the file is the latest release's (datasets/<version>/sqlite/borderlines.sqlite);
`--build` takes the current build's, `--file` any file of a data package. Before starting,
the file must exist, be the file its datapackage.json describes (sha256), and open as a
sound SQLite database with the claims page in it: otherwise one message names the file and
says what to do. Datasette runs on 127.0.0.1, the file opened immutable (read-only), with
the explorer's metadata, templates and plugin (pipelines/explore/), in a process group of
its own that Ctrl-C stops whole (pipelines/assets/ui.py, as for `make ui`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipelines.publish.release import _shown, latest_release  # _shown: a path as the user would type it
from pipelines.errors import UsageError
from pipelines.hashing import file_digest
from pipelines.publish.sqlite import SQLITE_PATH

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
PLUGINS = HERE / "plugins"
# A query stops after 3 s (a public deployment stays responsive); facets are those the
# metadata names, not Datasette's guesses.
SETTINGS = {"sql_time_limit_ms": 3000, "suggest_facets": False}
MAKE_ONE = "run `make data`, then `make explore BUILD=1` to explore the current build"


def locate(root: Path, build: bool = False, file: str | None = None) -> Path:
    """The SQLite file to explore; UsageError, saying what to do, when there is none."""
    if file:
        return Path(file).resolve()
    if build:
        path = root / "build" / "data" / SQLITE_PATH
        if not path.is_file():
            raise UsageError(f"{_shown(path, root)} does not exist: run `make data` first")
        return path
    release = latest_release(root / "datasets")
    if release is None:
        raise UsageError(f"there is no release in {_shown(root / 'datasets', root)}: {MAKE_ONE}")
    path = release / SQLITE_PATH
    if not path.is_file():
        raise UsageError(f"the latest release, {_shown(release, root)}, has no SQLite file ({SQLITE_PATH}; "
                         f"releases after 0.3.0 have one): {MAKE_ONE}")
    return path


def package_of(path: Path) -> tuple[Path, dict[str, Any]]:
    """The folder of the data package the SQLite file belongs to, and its descriptor."""
    folder = path.parent.parent
    descriptor = folder / "datapackage.json"
    try:
        return folder, json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UsageError(f"{descriptor}: cannot read the data package of {path.name} ({err}); the SQLite file "
                         f"must stay in its package's folder, as {SQLITE_PATH}") from None


def check_sqlite(path: Path, descriptor: dict[str, Any], shown: str) -> None:
    """UsageError naming the file when it is missing, not the one its package describes, or unsound."""
    if not path.is_file():
        raise UsageError(f"{shown} does not exist: {MAKE_ONE}")
    declared = next((r.get("hash") for r in descriptor.get("resources", []) if r.get("format") == "sqlite"), None)
    if declared and declared != f"sha256:{file_digest(path)[1]}":
        raise UsageError(f"{shown} is damaged: its sha256 differs from the one in its datapackage.json; "
                         "get the file again (`git checkout` it, or `make data` for a build)")
    try:
        con = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
        try:
            check = con.execute("PRAGMA quick_check").fetchone()[0]
            names = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.DatabaseError as err:
        raise UsageError(f"{shown} is not a readable SQLite file ({err}): get it again "
                         "(`git checkout` it, or `make data` for a build)") from None
    if check != "ok" or "claims" not in names:
        raise UsageError(f"{shown} is not a Borderlines SQLite file ({'no claims view' if check == 'ok' else check}): "
                         f"{MAKE_ONE}")


def charts_of(folder: Path, descriptor: dict[str, Any]) -> list[dict[str, str]]:
    """The package's chart files, as the explorer serves them (under /charts/)."""
    return [{"name": r["name"], "title": r.get("title", r["name"]), "url": "/charts/" + Path(r["path"]).name}
            for r in descriptor.get("resources", [])
            if r.get("type") == "file" and r.get("format") == "svg" and (folder / "charts" / Path(r["path"]).name).is_file()]


def datasette_options(path: Path, allow_sql: bool = False) -> dict[str, Any]:
    """What Datasette is started with, for `serve` and for tests (Datasette(**options))."""
    from pipelines.explore.metadata import explorer_metadata

    folder, descriptor = package_of(path)
    charts = charts_of(folder, descriptor)
    return {"files": [], "immutables": [str(path)],
            "metadata": explorer_metadata(descriptor, allow_sql=allow_sql, charts=charts),
            "template_dir": str(TEMPLATES), "plugins_dir": str(PLUGINS),
            "static_mounts": [("charts", str(folder / "charts"))] if charts else [],
            "settings": SETTINGS}


def write_metadata(root: Path, path: Path, out: Path, allow_sql: bool = False) -> None:
    """Datasette's metadata for the checked file, as JSON, for `datasette publish --metadata`."""
    folder, descriptor = package_of(path)
    check_sqlite(path, descriptor, _shown(path, root))
    out.write_text(json.dumps(datasette_options(path, allow_sql)["metadata"], indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")


def serve_explorer(root: Path, path: Path, port: int, allow_sql: bool = False) -> int:
    """Run Datasette on 127.0.0.1:port over the SQLite file until Ctrl-C."""
    from pipelines.assets.ui import run_until_stopped

    shown = _shown(path, root)
    folder, descriptor = package_of(path)
    check_sqlite(path, descriptor, shown)
    options = datasette_options(path, allow_sql)
    with tempfile.TemporaryDirectory(prefix="borderlines-explore-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(options["metadata"], indent=2), encoding="utf-8")
        command = [sys.executable, "-m", "datasette", "serve", "-i", str(path), "--host", "127.0.0.1",
                   "--port", str(port), "--metadata", str(metadata), "--template-dir", options["template_dir"],
                   "--plugins-dir", options["plugins_dir"]]
        for name, value in SETTINGS.items():
            command += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
        for mount, directory in options["static_mounts"]:
            command += ["--static", f"{mount}:{directory}"]
        print(f"Explorer of {shown}: http://127.0.0.1:{port}/borderlines  (Ctrl-C to stop)", flush=True)
        return run_until_stopped(command, root, dict(os.environ))
