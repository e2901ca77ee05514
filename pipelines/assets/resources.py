"""Where a build reads its corpus from and writes to: one root for everything it reads and credits."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class BorderlinesPaths(dg.ConfigurableResource):
    """The corpus root (sources/, and nothing else is read) and the build folder."""

    root: str
    build_dir: str = ""  # default: <root>/build

    def corpus(self) -> Path:
        return Path(self.root)

    def build(self) -> Path:
        return Path(self.build_dir) if self.build_dir else Path(self.root) / "build"

    def database(self) -> Path:
        return self.build() / "borderlines.duckdb"

    def data_dir(self) -> Path:
        return self.build() / "data"
