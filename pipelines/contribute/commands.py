"""`borderlines new-source`, `suggest`, `find` and `diff`: argparse wiring only.

Each command imports its module when it runs, so that building the parser (which every
`borderlines validate` does) costs nothing and never imports pandas, DuckDB or Dagster.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import UsageError


def cmd_new_source(args) -> int:
    from pipelines.contribute.new_source import create_source

    return create_source(args.root, args.path, url=args.url, publisher=args.publisher, published=args.published,
                         title=args.title, language=args.language, raw_format=args.raw_format, rights=args.rights,
                         publisher_id=args.publisher_id, licence_id=args.licence, retrieved=args.retrieved)


def cmd_suggest(args) -> int:
    if args.measure:
        if args.source_id or args.write:
            raise UsageError("--measure scores the drafts of every annotated source: give no source id and no --write")
        from pipelines.contribute.measure import measure_command

        return measure_command(args.root)
    if not args.source_id:
        raise UsageError("give the id of the source to suggest annotations for (its folder name under sources/news/)")
    from pipelines.contribute.suggest import suggest_command

    return suggest_command(args.root, args.source_id, write=args.write)


def _day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def cmd_find(args) -> int:
    from pipelines.contribute.find import TABLES, find_command

    if not (args.words or args.date_from or args.date_to or args.country or args.person or args.table):
        raise UsageError("say what to look for: words, --from/--to, --country, --person or --table")
    tables = tuple(args.table) if args.table else TABLES
    return find_command(args.root, args.words, args.date_from and _day(args.date_from),
                        args.date_to and _day(args.date_to), args.country, args.person, tables)


def cmd_diff(args) -> int:
    from pipelines.contribute.diff import diff_command

    root = args.root
    build_dir = Path(args.build_dir).resolve() if args.build_dir else root / "build"
    return diff_command(root, build_dir, args.against)


def register(sub) -> None:
    new = sub.add_parser(
        "new-source", help="add an article: create sources/news/<source_id>/ from a text or HTML file",
        description="Copy the article byte for byte into a new source folder, with source.yaml filled "
                    "and an empty annotations.yaml. Exit status: 0 created, 1 refused (the folder or the "
                    "file exists already, the file is not UTF-8 text), 2 usage error.")
    new.add_argument("path", help="the article as received: a .txt or .html file (UTF-8)")
    new.add_argument("--url", required=True, help="address the article was published at")
    new.add_argument("--publisher", required=True, help="name of the publisher, e.g. 'The National'")
    new.add_argument("--published", required=True, metavar="YYYY-MM-DD", help="publication date, as stated")
    new.add_argument("--title", help="headline as published (also names the folder)")
    new.add_argument("--language", default="en", help="ISO 639-1 code of the text (default: en)")
    new.add_argument("--format", choices=["text", "html"], dest="raw_format",
                     help="how to read the file (default: from its extension, else from its content)")
    new.add_argument("--retrieved", metavar="YYYY-MM-DD",
                     help="the day the text was fetched, for a stored copy (default: today)")
    new.add_argument("--rights", help="copyright or licence of the text (default: null, unknown)")
    new.add_argument("--publisher-id", metavar="ID",
                     help="the publisher's organisation_id in sources/registry/organisations.yaml, for a "
                          "government's, ministry's or agency's own text (default: none, e.g. a newspaper)")
    new.add_argument("--licence", metavar="ID",
                     help="licence_id of the text's open licence in sources/registry/licences.yaml (e.g. "
                          "ogl-uk-3.0); a text under one that allows republishing it is published whole "
                          "(default: none, the publisher's copyright)")
    new.set_defaults(func=cmd_new_source)

    suggest = sub.add_parser(
        "suggest", help="propose draft annotations (figures, dates, names) for a source",
        description="Print draft records as commented-out YAML for a person to check and copy into "
                    "annotations.yaml. Nothing is added to the dataset.")
    suggest.add_argument("source_id", nargs="?", help="the source's folder name under sources/news/")
    suggest.add_argument("--write", action="store_true",
                         help="write the drafts to sources/news/<source_id>/suggestions.yaml instead of printing them")
    suggest.add_argument("--measure", action="store_true",
                         help="instead, score the drafts against every annotated source's finished annotations "
                              "(recall and precision of numbers, dates and names, and of records per table)")
    suggest.set_defaults(func=cmd_suggest)

    found = sub.add_parser(
        "find", help="search the meetings, incidents, agreements, people, organisations and places already there",
        description="List the records and registry entries that match every filter given, with their id, date, a "
                    "one-line summary, the sources that report them and file:line: the ids to reuse in a new "
                    "annotation. Reads sources/ directly (no build needed). Exit status: 0 (even when nothing "
                    "is found), 2 usage error.")
    found.add_argument("words", nargs="*", help="words that must all appear (case ignored), e.g. rome meloni")
    found.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="on or after this date")
    found.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="on or before this date")
    found.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2 code, e.g. IT")
    found.add_argument("--person", metavar="PERSON", help="person_id or part of a name, e.g. rishi-sunak or sunak")
    found.add_argument("--table", action="append",
                       choices=["meetings", "incidents", "agreements", "people", "organisations", "places"],
                       help="only this kind of entry (may be repeated)")
    found.set_defaults(func=cmd_find)

    diff = sub.add_parser(
        "diff", help="compare the current build with a release, as Markdown",
        description="Rows added, removed and changed per table (by primary key) between build/data and "
                    "datasets/<version>. Informational: exit status 0 unless the arguments are wrong.")
    diff.add_argument("--against", metavar="VERSION", help="release to compare with (default: the latest in datasets/)")
    diff.add_argument("--build-dir", help="the build to compare (default: build/)")
    diff.set_defaults(func=cmd_diff)
