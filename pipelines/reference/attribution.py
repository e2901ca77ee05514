"""Which official files each published resource draws on, with their licences.

The licences of the reference files require attribution, so every resource built from
them carries `sources` (and, where the file's own licence applies, `licenses`) in
datapackage.json, taken from the files' provenance.yaml. Kept free of heavy imports:
datapackage.py (and so `borderlines release`) uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.reference.provenance import load_provenance
from pipelines.schemas import REPO_ROOT

REFERENCE_DIR = Path("sources") / "reference"
UK = "uk-home-office-small-boats"
IOM = "iom-missing-migrants"
ITALY = "italy-interior-ministry-arrivals"

# Resource -> (reference folders it draws on, whether their licences govern it). The
# reference tables and the data-quality table (which quotes cells) are the files' data
# under the files' licences; claim_checks and the charts are the project's own work
# computed from them, published under the package licence with the sources credited.
DRAWS_ON: dict[str, tuple[list[str], bool]] = {
    "uk_small_boat_arrivals_daily": ([UK], True),
    "uk_small_boat_arrivals_weekly": ([UK], True),
    "iom_incidents": ([IOM], True),
    "italy_sea_arrivals_daily": ([ITALY], True),
    "reference_data_quality": ([UK, IOM, ITALY], True),
    "claim_checks": ([UK, IOM, ITALY], False),
}

# provenance.yaml `licence` -> SPDX identifier.
LICENCE_IDS = {"Open Government Licence v3.0": "OGL-UK-3.0", "CC BY 4.0": "CC-BY-4.0"}


def source_entry(provenance: dict[str, Any]) -> dict[str, Any]:
    """A Frictionless `sources` item: the file at the commit it was copied from."""
    origin = provenance["retrieved_from"]
    return {
        "title": f"{provenance['title']} ({provenance['publisher']})",
        "path": f"{origin['repository']}/blob/{origin['commit']}/{origin['path']}",
        "description": " ".join(str(provenance.get("attribution") or "").split()) or None,
    }


def licence_entry(provenance: dict[str, Any]) -> dict[str, Any]:
    name = provenance["licence"]
    return {"name": LICENCE_IDS.get(name, name), "path": provenance["licence_url"], "title": name}


def attribution(folders: list[str], with_licences: bool, root: Path = REPO_ROOT) -> dict[str, Any]:
    """`sources` (and `licenses`) for a resource drawing on these reference folders."""
    provenances = [load_provenance(root / REFERENCE_DIR / folder) for folder in folders]
    out: dict[str, Any] = {"sources": [{k: v for k, v in source_entry(p).items() if v} for p in provenances]}
    if with_licences:
        licences = {}
        for p in provenances:
            entry = licence_entry(p)
            licences.setdefault(entry["name"], entry)
        out["licenses"] = list(licences.values())
    return out


def resource_attribution(name: str, root: Path = REPO_ROOT) -> dict[str, Any]:
    """What a table resource's entry adds for attribution ({} for tables of news only)."""
    if name not in DRAWS_ON:
        return {}
    folders, with_licences = DRAWS_ON[name]
    return attribution(folders, with_licences, root)
