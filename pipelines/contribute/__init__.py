"""Tools for contributors: scaffold a new source (`new-source`), propose draft annotations
(`suggest`) and compare a build with a release (`diff`). Nothing here writes to the
dataset on its own: every fact still goes through a person and `borderlines validate`."""
