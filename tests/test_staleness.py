"""Dagster knows what an edit made stale: the files under sources/ are observed assets whose
data versions are hashes of their content, and every asset has a code version, so after an
edit exactly the assets downstream of the edited files are stale (asked of Dagster's
instance, not of any bookkeeping of ours)."""

import datetime as dt
import shutil

import dagster as dg
import pytest
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.definitions.observe import observe
from dagster._core.loader import LoadingContextForTest

from conftest import FIXTURE, REPO, edit
from pipelines.assets.definitions import ASSETS, SOURCE_FILES, defs
from pipelines.assets.publish import PUBLISHED_TABLES
from pipelines.assets.resources import BorderlinesPaths
from pipelines.assets.run import run_build

GRAPH = defs.resolve_asset_graph()


def descendants(keys: set) -> set:
    found, frontier = set(), set(keys)
    while frontier:
        children = {child.key if hasattr(child, "key") else child
                    for key in frontier for child in GRAPH.get(key).child_keys} - found
        found |= children
        frontier = children
    return found


def directly_stale(instance) -> set:
    """Assets Dagster's instance finds stale or missing: an input's data version or the
    asset's code version differs from those of its last materialization."""
    resolver = CachingStaleStatusResolver(instance, GRAPH, LoadingContextForTest(instance))
    return {k for k in GRAPH.materializable_asset_keys if resolver.get_status(k) != StaleStatus.FRESH}


def unsynced(instance) -> set[str]:
    """What a rebuild must redo: the stale assets and everything downstream of them (Dagster
    marks only the first level stale until it is rebuilt)."""
    stale = directly_stale(instance)
    return {k.to_user_string() for k in stale | descendants(stale)}


def downstream_of(*names: str) -> set[str]:
    keys = {dg.AssetKey(name) for name in names}
    return {k.to_user_string() for k in descendants(keys) - keys}


@pytest.fixture
def built(tmp_path):
    """A copy of the hand-made corpus built once on its own instance, and how to observe it again."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    instance = dg.DagsterInstance.ephemeral()
    assert run_build(corpus, tmp_path / "build", instance=instance).success
    paths = BorderlinesPaths(root=str(corpus), build_dir=str(tmp_path / "build"))

    def observe_files():
        assert observe(SOURCE_FILES, instance=instance, resources={"paths": paths}).success

    return corpus, instance, observe_files




def test_a_changed_registry_makes_its_downstream_stale_and_not_the_official_statistics(built):
    corpus, instance, observe_files = built
    registry = corpus / "sources/registry/people.yaml"
    registry.write_text(registry.read_text() + "\n")
    observe_files()
    assert directly_stale(instance) == {dg.AssetKey("registries")}
    stale = unsynced(instance)
    assert stale == downstream_of("registry_files")
    assert "registries" in stale and not stale & {"iom_incidents", "uk_small_boat_arrivals_daily"}


def test_every_asset_reads_its_files_through_an_observed_source():
    roots = {k for k in GRAPH.materializable_asset_keys if not GRAPH.get(k).parent_keys}
    assert roots == set(), f"assets with no observed input: {sorted(k.to_user_string() for k in roots)}"
    assert {a.key.to_user_string() for a in ASSETS} == {k.to_user_string() for k in GRAPH.materializable_asset_keys}


def test_a_changed_sql_file_makes_its_table_and_what_depends_on_it_stale(built, monkeypatch):
    """A core asset's code version is the hash of its SQL file, declaration and runner
    (tests/test_asset_definitions.py); here the crossings SQL is taken as changed."""
    import pipelines.assets.core as core
    from pipelines.schemas import load_tables

    _, instance, _ = built
    real = core.code_version
    monkeypatch.setattr(core, "code_version", lambda *files: real(*files) + (
        "-edited" if any(f.name == "crossings.sql" for f in files) else ""))
    edited = [core.core_asset(load_tables()["crossings"]) if a.key == dg.AssetKey("crossings") else a for a in ASSETS]
    graph = dg.Definitions(assets=[*SOURCE_FILES, *edited], resources=defs.resources).resolve_asset_graph()
    resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
    stale = {k for k in graph.materializable_asset_keys if resolver.get_status(k) != StaleStatus.FRESH}
    assert stale == {dg.AssetKey("crossings")}
    assert {"claim_checks", "data_package"} <= downstream_of("crossings")


def test_a_changed_annotation_makes_exactly_its_downstream_stale_and_the_sensor_rebuilds_it(built):
    """Right after a build nothing is stale and the sensor's condition requests nothing; after
    an annotation is edited and the files observed, exactly the assets downstream of the news
    files are stale, and the sensor's condition requests them."""
    from pipelines.assets.definitions import REBUILD_STALE

    corpus, instance, observe_files = built
    observe_files()  # the same files again: the same data versions
    assert unsynced(instance) == set()
    assert REBUILD_STALE.default_status == dg.DefaultSensorStatus.STOPPED
    # the condition is each asset's own, shown on its page in the UI
    conditions = {GRAPH.get(key).automation_condition for key in GRAPH.materializable_asset_keys}
    assert None not in conditions and {condition.get_label() for condition in conditions} == {"eager"}
    selection = dg.AssetSelection.assets(*ASSETS)
    first = dg.evaluate_automation_conditions(defs, instance, asset_selection=selection)
    assert first.total_requested == 0

    edit(corpus, "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml", "survivors: 41", "survivors: 42")
    observe_files()
    assert directly_stale(instance) == {dg.AssetKey("annotations")}
    stale = unsynced(instance)
    assert stale == downstream_of("news_files")
    assert {"annotations", "staging", "crossings", "data_package"} <= stale
    assert not stale & {"registries", "iom_incidents", "uk_small_boat_arrivals_daily"}

    second = dg.evaluate_automation_conditions(defs, instance, asset_selection=selection, cursor=first.cursor)
    requested = {key.to_user_string() for key in GRAPH.materializable_asset_keys if second.get_num_requested(key)}
    assert "annotations" in requested and requested <= downstream_of("news_files")


def test_the_one_sensor_switched_on_observes_the_files_every_minute():
    """README: switch `rebuild_stale` on and it observes the files every minute. Its target
    names the observed files (a selection of every asset leaves them out, and Dagster then
    puts them under a sensor of its own, off), and their condition requests an observation
    once a minute has turned."""
    from pipelines.assets.definitions import REBUILD_STALE

    observed = {source.key for source in SOURCE_FILES}
    assert observed <= REBUILD_STALE.asset_selection.resolve(GRAPH)
    assert [sensor.name for sensor in defs.get_repository_def().sensor_defs] == ["rebuild_stale"]
    instance = dg.DagsterInstance.ephemeral()
    start = dt.datetime(2026, 11, 27, 12, 0, 30, tzinfo=dt.timezone.utc)
    first = dg.evaluate_automation_conditions(defs, instance, asset_selection=REBUILD_STALE.asset_selection,
                                              evaluation_time=start)
    later = dg.evaluate_automation_conditions(defs, instance, asset_selection=REBUILD_STALE.asset_selection,
                                              evaluation_time=start + dt.timedelta(minutes=1), cursor=first.cursor)
    assert not {key for key in observed if first.get_num_requested(key)}  # no minute has turned yet
    assert {key for key in observed if later.get_num_requested(key)} == observed


# --- make data rebuilds only what is stale -----------------------------------------------------

def materialized(result) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def folders_checked(result) -> tuple[int, int]:
    """(folders read and checked, folders whose kept check was reused) by the run's annotations."""
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("annotations")]
    metadata = event.materialization.metadata
    return metadata["folders_checked"].value, metadata["folders_unchanged"].value


def tables_read(result) -> tuple[int, int]:
    """(tables the package check read, tables it took as checked) in the run's data_package."""
    [check] = [c for c in result.get_asset_check_evaluations() if c.asset_key == dg.AssetKey("data_package")]
    return check.metadata["tables_read"].value, check.metadata["tables_unchanged"].value


def changed_tables(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path.split("/")[1].split(".")[0] for path in before.keys() | after.keys()
            if path.startswith(("csv/", "parquet/")) and before.get(path) != after.get(path)}


def published(build_dir) -> dict[str, bytes]:
    data = build_dir / "data"
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


def test_make_data_recomputes_nothing_when_nothing_changed_and_only_the_downstream_of_an_edit(built, tmp_path):
    corpus, instance, _ = built
    build_dir = tmp_path / "build"
    before = published(build_dir)
    again = run_build(corpus, build_dir, instance=instance)
    assert again.success and materialized(again) == set()  # observations only
    assert published(build_dir) == before

    edit(corpus, "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml", "    distance_offshore_km: 3\n", "")
    incremental = run_build(corpus, build_dir, instance=instance)
    assert incremental.success
    assert materialized(incremental) == downstream_of("news_files")
    assert folders_checked(incremental) == (1, 0)
    full = run_build(corpus, tmp_path / "full", instance=dg.DagsterInstance.ephemeral())
    assert published(build_dir) == published(tmp_path / "full")  # the same bytes as a full build
    changed = changed_tables(before, published(build_dir))
    # the package check read the changed tables again (no table's keys point to them), not the others
    assert changed and tables_read(incremental) == (len(changed), len(PUBLISHED_TABLES) - len(changed))
    assert tables_read(full) == (len(PUBLISHED_TABLES), 0)
    assert not [name for name in published(build_dir) if name.startswith(".")]  # no working file left behind
    # no chart's data changed (an incident's distance is drawn nowhere): each chart was copied
    # from the build it replaced, not drawn again
    [event] = [e for e in incremental.get_asset_materialization_events() if e.asset_key == dg.AssetKey("data_package")]
    charts = [name for name in before if name.startswith("charts/")]
    assert "charts/agreements_timeline.svg" in charts
    assert event.materialization.metadata["charts_copied"].value == len(charts)


def observed_versions(instance) -> dict[str, str]:
    """The data version of each observed source as the instance last recorded it."""
    from dagster._core.definitions.data_version import DATA_VERSION_TAG

    return {source.key.to_user_string(): instance.get_latest_data_version_record(source.key, is_source=True)
            .asset_observation.tags[DATA_VERSION_TAG] for source in SOURCE_FILES}


def test_make_data_records_the_observations_the_ui_would_without_a_run_of_its_own(built, tmp_path):
    """`make data` records each source's observation straight on the instance (no Dagster
    run for it): the data versions are those Dagster's own observation run (the UI's
    "Observe sources") records, and a build that finds nothing stale starts no run at all."""
    corpus, instance, observe_files = built
    edit(corpus, "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml", "survivors: 41", "survivors: 42")
    observe_files()  # Dagster's observation run, as the UI's button
    by_dagster = observed_versions(instance)
    edit(corpus, "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml", "survivors: 42", "survivors: 41")
    runs = len(instance.get_runs())
    again = run_build(corpus, tmp_path / "build", instance=instance)
    assert again.success and materialized(again) == set()
    assert len(instance.get_runs()) == runs
    by_build = observed_versions(instance)
    assert again.observed == by_build
    assert by_build["news_files"] != by_dagster["news_files"]  # the edit undone is seen
    assert {k: v for k, v in by_build.items() if k != "news_files"} == \
        {k: v for k, v in by_dagster.items() if k != "news_files"}
    observe_files()
    assert observed_versions(instance) == by_build


def test_each_observed_folder_has_its_own_version_alike_both_ways(tmp_path):
    """Each observed asset hashes its own folder (the one its page shows), with the official
    series' folders as the repository has them: an edit in one folder changes that asset's
    version alone, and `make data`'s observation and Dagster's agree on every version."""
    from pipelines.assets.run import observe_sources
    from pipelines.hashing import tree_digest

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    shutil.copytree(REPO / "sources" / "reference", corpus / "sources" / "reference", dirs_exist_ok=True)
    paths = BorderlinesPaths(root=str(corpus), build_dir=str(tmp_path / "build"))
    instance = dg.DagsterInstance.ephemeral()
    before = observe_sources(instance, paths)
    assert len(set(before.values())) == len(SOURCE_FILES)  # no two folders alike, none empty
    for source in SOURCE_FILES:
        folder = GRAPH.get(source.key).metadata["folder"].value
        assert (corpus / folder).is_dir() and any((corpus / folder).iterdir()), folder
        digest = tree_digest(corpus / folder, frozenset({"suggestions.yaml"}))
        assert before[source.key.to_user_string()] == digest, folder
    assert observe(SOURCE_FILES, instance=instance, resources={"paths": paths}).success
    assert observed_versions(instance) == before
    provenance = corpus / "sources" / "reference" / "iom-missing-migrants" / "provenance.yaml"
    provenance.write_text(provenance.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    after = observe_sources(instance, paths)
    assert {name for name in before if before[name] != after[name]} == {"iom_missing_migrants_files"}


def test_make_data_builds_everything_for_another_folder_a_code_change_or_full(built, tmp_path, monkeypatch):
    corpus, instance, _ = built
    everything = {a.key.to_user_string() for a in ASSETS}
    assert materialized(run_build(corpus, tmp_path / "other", instance=instance)) == everything
    # the instance last built "other": the first folder no longer holds what it last built
    assert materialized(run_build(corpus, tmp_path / "build", instance=instance)) == everything
    again = run_build(corpus, tmp_path / "build", instance=instance, full=True)
    assert materialized(again) == everything and folders_checked(again) == (1, 0)  # nothing kept is trusted
    assert tables_read(again) == (len(PUBLISHED_TABLES), 0)  # nor any verdict of the build it replaces

    import pipelines.publish.manifest as manifest

    real = manifest.build_manifest

    def code_changed(root, *walked):
        found = real(root, *walked)
        found["inputs"]["pipelines/core/sql/crossings.sql"] = "0" * 64
        return found

    import pipelines.assets.publish as publish

    monkeypatch.setattr(manifest, "build_manifest", code_changed)
    monkeypatch.setattr(publish, "build_manifest", code_changed)  # the manifest the build writes, too
    assert materialized(run_build(corpus, tmp_path / "build", instance=instance)) == everything


def test_after_a_failed_build_the_next_one_is_full_and_fails_again_until_fixed(built, tmp_path):
    """A failed blocking check leaves its asset recorded as built: building only what is
    stale would then carry invalid annotations downstream. So after a failure, everything."""
    corpus, instance, _ = built
    annotations = "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml"
    edit(corpus, annotations, "survivors: 41", "survivors: 42")  # a number its quote does not give
    assert not run_build(corpus, tmp_path / "build", instance=instance).success
    again = run_build(corpus, tmp_path / "build", instance=instance)
    assert not again.success  # the check ran again: not skipped as "fresh"
    edit(corpus, annotations, "survivors: 42", "survivors: 41")
    assert materialized(run_build(corpus, tmp_path / "build", instance=instance)) == {a.key.to_user_string() for a in ASSETS}


def test_a_file_no_asset_watches_still_rebuilds_and_keeps_the_manifest_true(built, tmp_path):
    """A file under sources/ that no observed asset covers (a README beside the folders) is
    in the manifest: a build after it changes rebuilds everything rather than leaving a
    manifest that no longer matches the tree."""
    from pipelines.publish.manifest import MANIFEST, build_manifest, differences, read_manifest

    corpus, instance, _ = built
    (corpus / "sources" / "README.md").write_text("What is in here.\n")
    result = run_build(corpus, tmp_path / "build", instance=instance)
    assert result.success and materialized(result)
    assert differences(read_manifest(tmp_path / "build" / "data" / MANIFEST), build_manifest(corpus)) == []


def test_editor_files_are_not_inputs(tmp_path):
    from pipelines.hashing import tree_digest
    from pipelines.publish.manifest import build_manifest

    (tmp_path / "sources" / "news" / "x").mkdir(parents=True)
    (tmp_path / "sources" / "news" / "x" / "annotations.yaml").write_text("source_id: x\n")
    before = (build_manifest(tmp_path)["inputs"], tree_digest(tmp_path / "sources"))
    for name in (".annotations.yaml.swp", "annotations.yaml~", "#annotations.yaml#", ".DS_Store"):
        (tmp_path / "sources" / "news" / "x" / name).write_text("litter")
    assert (build_manifest(tmp_path)["inputs"], tree_digest(tmp_path / "sources")) == before


def test_one_changed_source_among_many_is_the_only_folder_read_again(tmp_path):
    """The build keeps each folder's check (pipelines/core/checked.py): after one source's
    annotations change, `make data` reads and checks that folder alone, and publishes the
    same bytes as a build from nothing."""
    from benchmarks.corpus import generate_corpus

    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 24, seed=5, workers=1)
    shutil.copytree(REPO / "sources" / "reference", corpus / "sources" / "reference")
    instance = dg.DagsterInstance.ephemeral()
    first = run_build(corpus, tmp_path / "build", instance=instance)
    assert first.success and folders_checked(first) == (24, 0)

    folder = sorted((corpus / "sources/news").iterdir())[7]
    annotations = folder / "annotations.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    incremental = run_build(corpus, tmp_path / "build", instance=instance)
    assert incremental.success and folders_checked(incremental) == (1, 23)
    full = run_build(corpus, tmp_path / "full", instance=dg.DagsterInstance.ephemeral())
    assert folders_checked(full) == (24, 0)
    assert published(tmp_path / "build") == published(tmp_path / "full")


def test_a_package_written_after_a_source_changed_unchecked_is_refused(built, tmp_path):
    """A run started from the UI does not go through `make data`'s start-of-run snapshot: the
    package step itself refuses to record the tree as it is now when a source changed since
    the build checked it, and build/data stays as it was."""
    from pipelines.assets.publish import data_package

    corpus, instance, _ = built
    before = published(tmp_path / "build")
    edit(corpus, "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml", "survivors: 41", "survivors: 42")
    paths = BorderlinesPaths(root=str(corpus), build_dir=str(tmp_path / "build"))
    result = dg.materialize([*SOURCE_FILES, *ASSETS], selection=[data_package], resources={"paths": paths},
                            instance=instance, raise_on_error=False)
    [check] = result.get_asset_check_evaluations()
    report = str(check.metadata["report"].value)
    assert not check.passed and "sources/news/2024-03-04-fixture-strait-talks changed since the build checked" in report
    assert published(tmp_path / "build") == before


def test_a_package_whose_code_changed_while_it_was_written_is_refused(built, tmp_path, monkeypatch):
    """The package step's workers import the code from disk: when the code it started from is
    not the code at the end, build/data stays as it was."""
    import pipelines.assets.publish as publish

    corpus, instance, _ = built
    before = published(tmp_path / "build")
    taken, code_manifest = [], publish.code_manifest

    def code_manifest_that_changes():
        manifest = code_manifest()
        if taken:  # every call after the first, at the start of the step, sees an edited file
            manifest["inputs"] = {**manifest["inputs"], "pipelines/publish/sqlite.py": "0" * 64}
        taken.append(manifest)
        return manifest

    monkeypatch.setattr(publish, "code_manifest", code_manifest_that_changes)
    paths = BorderlinesPaths(root=str(corpus), build_dir=str(tmp_path / "build"))
    result = dg.materialize([*SOURCE_FILES, *ASSETS], selection=[publish.data_package], resources={"paths": paths},
                            instance=instance, raise_on_error=False)
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and "the code, the table declarations or the libraries changed" in str(check.metadata["report"].value)
    assert len(taken) >= 2
    assert published(tmp_path / "build") == before


def test_the_build_s_package_check_takes_the_worker_started_with_its_steps(tmp_path, monkeypatch):
    # started with the run (its imports beside the steps), not once the tables are written
    from pipelines.publish import package_check

    given = []
    real_give = package_check.PreparedWorker.give
    monkeypatch.setattr(package_check.PreparedWorker, "give",
                        lambda worker, job: given.append(job) or real_give(worker, job))
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    assert run_build(corpus, tmp_path / "build", instance=dg.DagsterInstance.ephemeral()).success
    assert len(given) == 1 and package_check._prepared == []


def test_the_prepared_worker_starts_after_the_build_read_its_code(tmp_path, monkeypatch):
    # The worker imports the code when it starts: the manifest the build compares at the end
    # must have been read before, or a change in between would go unseen.
    from pipelines.publish import manifest, package_check

    happened = []
    real_manifest, real_init = manifest.build_manifest, package_check.PreparedWorker.__init__
    monkeypatch.setattr(manifest, "build_manifest", lambda *a: happened.append("manifest") or real_manifest(*a))
    monkeypatch.setattr(package_check.PreparedWorker, "__init__",
                        lambda worker: happened.append("worker") or real_init(worker))
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    assert run_build(corpus, tmp_path / "build", instance=dg.DagsterInstance.ephemeral()).success
    assert happened[:2] == ["manifest", "worker"]


def test_a_build_whose_check_ran_on_other_libraries_is_not_published(tmp_path, monkeypatch):
    # the libraries changed between the start of the run (when the prepared worker imported
    # them) and the data_package step (which records the environment it reads then)
    from pipelines.assets import publish

    monkeypatch.setattr(publish, "environment_sha256", lambda: "0" * 64)
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    result = run_build(corpus, tmp_path / "build", instance=dg.DagsterInstance.ephemeral())
    assert not result.success
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "frictionless"]
    assert "libraries changed since the build began" in evaluation.metadata["report"].value
    assert not (tmp_path / "build" / "data").exists()  # nothing published


def test_a_large_table_whose_first_rows_did_not_change_keeps_the_verdict_frictionless_gave_them(tmp_path, monkeypatch):
    """frictionless reads FULL_ROWS rows of a large table's CSV: the sha256 of those rows (and
    one more) is recorded with each build, and the next build does not read them again when
    only later rows changed (pipelines/publish/package_check.py). The bytes are a full build's."""
    from pipelines.publish import package_check

    monkeypatch.setattr(package_check, "FULL_ROWS", 2)  # the fixture's tables of more than 2 rows are large
    monkeypatch.setattr(package_check, "PREFIX_BYTES", 0)  # their prefixes: the rows alone, not the first 100 kB
    monkeypatch.setattr(package_check, "PREFIX_MARGIN", 0)
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    instance = dg.DagsterInstance.ephemeral()
    first = run_build(corpus, tmp_path / "build", instance=instance)
    assert first.success
    [event] = [e for e in first.get_asset_materialization_events() if e.asset_key == dg.AssetKey("data_package")]
    recorded = event.materialization.metadata["checked_prefixes"].value
    assert {"evidence_csv", "claim_checks_csv"} <= recorded.keys(), recorded

    # the meeting's quote, shorter: its evidence row (the last of evidence.csv) changes
    edit(corpus, "sources/news/2024-03-04-fixture-strait-talks/annotations.yaml",
         "- met Ben Example in London on Monday", "- Ben Example in London on Monday")
    second = run_build(corpus, tmp_path / "build", instance=instance)
    assert second.success and materialized(second) == downstream_of("news_files")
    [check] = [c for c in second.get_asset_check_evaluations() if c.asset_key == dg.AssetKey("data_package")]
    assert check.passed and check.metadata["csv_first_rows_unchanged"].value >= 1
    assert published(tmp_path / "build") == published(_full_build(corpus, tmp_path / "full"))


def _full_build(corpus, build_dir):
    assert run_build(corpus, build_dir, instance=dg.DagsterInstance.ephemeral()).success
    return build_dir
