"""The explorer: the release's SQLite file served by Datasette (`borderlines explore`).

- `metadata`: Datasette's metadata, from the data package beside the file (titles,
  descriptions, licences, sources, column descriptions) and the explorer's own pages
  (facets of the claims page, canned queries for the questions people ask);
- `serve`: finds and checks the file, and runs Datasette on 127.0.0.1 until Ctrl-C;
- `templates/` and `plugins/`: the claims, record and timeline pages (Datasette's
  documented template overrides and plugin hooks; no web app of our own).
"""
