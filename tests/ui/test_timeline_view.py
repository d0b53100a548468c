"""View > Timeline in the real window: a drag narrows the results to its months, keys do the same, it follows
the search, export."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage

from tests.app.map_fixtures import corpus_has_map_files, tag_like_a_person
from tests.ui.helpers import settle, type_query

COOPERATES, SANCTUARY = "immigration-enforcement/cooperates", "immigration-enforcement/sanctuary"


@pytest.fixture
def timeline_window(archive, corpus, make_window, qtbot):
    if not corpus_has_map_files(corpus):
        pytest.skip(f"the seed article or the 287(g) agreements are not in {corpus}")
    tag_like_a_person(archive, corpus)
    window = make_window(archive)
    action = next(a for a in window.actions() if a.text() == "T&imeline…")
    assert action.shortcut().toString() == "Ctrl+Shift+L"
    action.trigger()
    view = window.timeline_view
    qtbot.waitUntil(lambda: view.timeline is not None and not view._building)
    return window, view


def _months(archive) -> Counter[str]:
    docs = archive.documents_by_id(archive.search_ids("").ids).values()
    return Counter(d.published.strftime("%Y-%m") for d in docs if d.published)


def _index(view, label: str) -> int:
    return [b.label for b in view.timeline.buckets].index(label)


def _drag(qtbot, view, first: str, last: str) -> None:
    canvas = view.canvas
    start, end = (canvas.position_of(_index(view, label)).toPoint() for label in (first, last))
    if first == last:  # a short drag inside one bar
        start, end = start - QPoint(3, 0), end + QPoint(3, 0)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, QPoint((start.x() + end.x()) // 2, start.y()))
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def test_a_drag_writes_the_range_into_the_query_and_the_results_shrink(timeline_window, qtbot):
    window, view = timeline_window
    months = _months(window.archive)
    assert window.hits.total == 22
    _drag(qtbot, view, "2025-02", "2025-03")
    assert window.search_field.text() == "date:[2025-02-01 to 2025-03-31]"
    settle(qtbot, window)
    assert window.hits.total == months["2025-02"] + months["2025-03"] < 22
    qtbot.waitUntil(lambda: not view._building)
    assert view.query == "" and len(view.timeline.buckets) == 62  # the whole span stays in view
    assert view.canvas.selection() == (_index(view, "2025-02"), _index(view, "2025-03"))

    _drag(qtbot, view, "2020-07", "2020-03")  # another range, right to left: it replaces the clause it wrote
    assert window.search_field.text() == "date:[2020-03-01 to 2020-07-31]"
    settle(qtbot, window)
    assert window.hits.total == 3

    point = view.canvas.position_of(_index(view, "2023-01")).toPoint()
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=point)  # a click clears
    assert view.canvas.selection() is None and window.search_field.text() == ""
    settle(qtbot, window)
    assert window.hits.total == 22


def test_a_drag_keeps_the_words_of_the_query(timeline_window, qtbot):
    window, view = timeline_window
    type_query(qtbot, window, "sheriff")
    qtbot.waitUntil(lambda: view.query == "sheriff" and not view._building)
    words_only = window.hits.total
    _drag(qtbot, view, "2025-03", "2025-03")
    assert window.search_field.text() == "sheriff date:[2025-03-01 to 2025-03-31]"
    settle(qtbot, window)
    assert 0 < window.hits.total < words_only
    window.search_field.setText("sheriff date:2020")  # the user edits the clause: the view forgets its own
    window.search(immediate=True)
    qtbot.waitUntil(lambda: view.query == "sheriff date:2020" and not view._building)
    assert view.canvas.selection() is None and view.applied is None
    found = window.archive.documents_by_id(window.archive.search_ids("sheriff date:2020").ids).values()
    assert [b.label for b in view.timeline.buckets if b.total] == sorted({d.published.strftime("%Y-%m") for d in found})
    assert len(found) < 3


def test_keys_move_stretch_apply_and_clear(timeline_window, qtbot):
    window, view = timeline_window
    months = _months(window.archive)
    canvas = view.canvas
    canvas.setFocus()
    last = len(view.timeline.buckets) - 1
    qtbot.keyClick(canvas, Qt.Key.Key_Left)  # nothing selected: the newest bucket
    assert canvas.selection() == (last, last)
    qtbot.keyClick(canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.selection() == (last - 1, last)
    qtbot.keyClick(canvas, Qt.Key.Key_Left)  # moves, keeping its width
    assert canvas.selection() == (last - 2, last - 1)
    assert window.search_field.text() == ""  # nothing applied yet
    assert "2025-02 to 2025-03" in view.selection_label.text()
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert window.search_field.text() == "date:[2025-02-01 to 2025-03-31]"
    settle(qtbot, window)
    assert window.hits.total == months["2025-02"] + months["2025-03"]
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.selection() is None and window.search_field.text() == "" and view.isVisible()
    settle(qtbot, window)
    assert window.hits.total == 22


def test_the_timeline_follows_the_search_and_the_tags(timeline_window, qtbot):
    window, view = timeline_window
    type_query(qtbot, window, "date:<2021")
    qtbot.waitUntil(lambda: view.query == "date:<2021" and not view._building)
    assert [b.label for b in view.timeline.buckets] == ["2020-03", "2020-04", "2020-05", "2020-06", "2020-07"]
    assert "3 dated documents" in view.caption.text()
    doc_id = window.archive.search_ids("date:2020-03").ids[0]
    assert view.timeline.buckets[0].counts == {COOPERATES: 1}
    window.archive.tag(doc_id, "Cabarrus County, NC", "sanctuary")
    window.watcher.poll()
    qtbot.waitUntil(lambda: not view._building and view.timeline.buckets[0].counts == {COOPERATES: 1, SANCTUARY: 1})
    assert "2020-03: 1 Sanctuary, 1 Cooperates" in view.svg  # in vocabulary order


def test_png_export_draws_the_bars_in_the_vocabulary_colours(timeline_window, tmp_path):
    _window, view = timeline_window
    png = view.export(tmp_path / "timeline.png", scale=1.0)
    image = QImage(str(png))
    assert image.width() == view.canvas.renderer.defaultSize().width()
    geo = view.canvas.geometry_
    march = _index(view, "2025-03")
    colour = next(s.colour for s in view.timeline.stances if s.key == COOPERATES)
    x = int(geo.left + (march + 0.5) * geo.slot)
    assert image.pixelColor(x, int(geo.bottom) - 3) == QColor(colour)
    assert image.pixelColor(x, int(geo.top) + 2) == QColor("#ffffff")  # above the bar
    assert view.export(tmp_path / "timeline.svg").read_text(encoding="utf-8") == view.svg


def test_the_timeline_follows_the_facet_filters_too(timeline_window, qtbot):
    window, view = timeline_window
    everything = view.timeline.dated_documents
    window.facet_state.cycle("jurisdiction", "ocd-division/country:us/state:fl")  # a click on Florida's facet
    qtbot.waitUntil(lambda: window.hits.total == 2 and view.timeline.dated_documents == 2 and not view._building)
    window.facet_state.cycle("jurisdiction", "ocd-division/country:us/state:fl")  # now excluded
    qtbot.waitUntil(lambda: view.timeline.dated_documents == everything - 2 and not view._building)
