"""Credit, licences and rights notes of each published resource, as its declaration says.

A table's declaration says whose licence governs it, which official files it draws on and
what its licence does not cover (`attribution: {licence: source|package, draws_on: [...],
rights: ...}`): the reference tables and the data-quality table (which quotes cells) are
the files' data under the files' own licences; claim_checks is the project's own work
computed from them, published under the package licence with the files credited; a table
without `attribution` is the project's, under the package licence. `rights` is a plain note
for what the licence does not cover, such as the publishers' words quoted in `evidence`
(the Data Package spec has no field for it). Every resource states its `licenses`, so none
inherits the package's by default. Credits come from the provenance.yaml files of the
corpus being built, and only for folders it has: a corpus without official files credits
none. Kept free of heavy imports: `borderlines release` uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.reference import REFERENCE_DIR
from pipelines.reference.provenance import load_provenance
from pipelines.schemas import TableSpec

# The licence of the project's own data: the package's, and each resource's unless its
# declaration says `licence: source`.
DATA_LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
                "path": "https://creativecommons.org/licenses/by/4.0/"}

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


def corpus_provenances(root: Path, folders: list[str] | None = None) -> list[dict[str, Any]]:
    """provenance.yaml of the given reference folders (default: all) that the corpus has."""
    reference = Path(root) / REFERENCE_DIR
    if folders is None:
        folders = sorted(p.parent.name for p in reference.glob("*/provenance.yaml"))
    return [load_provenance(reference / folder) for folder in folders
            if (reference / folder / "provenance.yaml").is_file()]


def credit(root: Path, folders: list[str], with_licences: bool) -> dict[str, Any]:
    """`sources` (and `licenses`) of a resource drawn from these reference folders of the
    corpus at root; {} when the corpus has none of them."""
    provenances = corpus_provenances(root, folders)
    if not provenances:
        return {}
    out: dict[str, Any] = {"sources": [{k: v for k, v in source_entry(p).items() if v} for p in provenances]}
    if with_licences:
        licences: dict[str, dict] = {}
        for p in provenances:
            entry = licence_entry(p)
            licences.setdefault(entry["name"], entry)
        out["licenses"] = list(licences.values())
    return out


def resource_attribution(table: TableSpec, root: Path) -> dict[str, Any]:
    """What a resource's entry adds for attribution, as its table's declaration says:
    `licenses` always, `sources` when it draws on official files, `rights` when declared."""
    attribution = table.attribution
    from_source = attribution.get("licence") == "source"
    out = credit(root, attribution.get("draws_on", []), with_licences=from_source) if attribution else {}
    if not from_source or "licenses" not in out:  # a corpus without the files: nothing of theirs is in it
        out["licenses"] = [DATA_LICENCE]
    if attribution.get("rights"):
        out["rights"] = " ".join(attribution["rights"].split())
    return out
