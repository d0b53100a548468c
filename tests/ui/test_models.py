"""Every item model passes Qt's model tester; the results model loads rows lazily and never raises."""

from __future__ import annotations

from ui.import_report import ImportReportDialog
from ui.ops import OpRunner
from ui.results_model import BLOCK, DocIdRole, ResultsModel, SnippetRole
from ui.search_controller import SearchController, SearchSpec


def test_results_model_passes_the_model_tester(qtmodeltester, qtbot, imported):
    runner = OpRunner()
    model = ResultsModel(imported, runner)
    model.set_hits(imported.search_ids("omaha OR denver OR chief"))
    assert model.rowCount() == 3
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: not model.snippets_pending() and not runner.busy())
    runner.wait()


def test_results_model_loads_rows_in_blocks_for_large_results(qtbot, imported):
    runner = OpRunner()
    model = ResultsModel(imported, runner)
    hits = imported.search_ids("")
    hits.ids = hits.ids * 20_000  # 60,000 rows: only the blocks looked at are loaded
    model.set_hits(hits)
    assert model.rowCount() == 60_000
    last = model.index(59_999, 0)
    assert last.data() and last.data(DocIdRole) == hits.ids[-1]
    assert len(model._rows) == BLOCK  # one block fetched, not 60,000 rows
    assert last.data(SnippetRole) is None  # requested in the background
    qtbot.waitUntil(lambda: not model.snippets_pending())
    assert last.data(SnippetRole)
    runner.wait()


def test_a_deleted_document_shows_as_a_disabled_row(qtbot, imported):
    runner = OpRunner()
    model = ResultsModel(imported, runner)
    hits = imported.search_ids("")
    hits.ids.append(999_999)
    model.set_hits(hits)
    gone = model.index(model.rowCount() - 1, 0)
    assert gone.data() == "(could not be loaded)"
    assert not gone.flags() & gone.flags().ItemIsEnabled
    runner.wait()


def test_facet_model_passes_the_model_tester(qtmodeltester, make_window, imported):
    window = make_window(imported)
    qtmodeltester.check(window.facets.facet_model)


def test_import_report_model_passes_the_model_tester(qtmodeltester, qtbot, archive, sample_files):
    report = archive.import_paths([sample_files])
    dialog = ImportReportDialog(report, {})
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.tree.model())


def test_a_newer_query_supersedes_a_running_one(qtbot, imported):
    runner = OpRunner()
    controller = SearchController(imported, runner)
    results = []
    controller.results_ready.connect(lambda spec, hits: results.append((spec.query, hits.total)))
    for query in ("om", "omah", "omaha"):
        controller.request(SearchSpec(query=query), immediate=True)
    qtbot.waitUntil(lambda: not controller.busy())
    assert results == [("omaha", 1)]
    runner.wait()
