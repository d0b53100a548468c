"""View > Stance map in the real window: it follows the search, a click lists a state's evidence, export."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication

from app.stance_map_svg import tile_boxes
from tests.app.map_fixtures import corpus_has_map_files, tag_like_a_person


@pytest.fixture
def mapped_window(archive, corpus, make_window, qtbot):
    if not corpus_has_map_files(corpus):
        pytest.skip(f"the seed article or the 287(g) agreements are not in {corpus}")
    tag_like_a_person(archive, corpus)
    window = make_window(archive)
    view = window.show_map()
    qtbot.waitUntil(lambda: view.stance_map is not None and view.query == "")
    return window, view


def test_a_click_on_florida_lists_its_agreements_and_opens_a_passage(mapped_window, qtbot):
    window, view = mapped_window
    assert window.show_map() is view  # one map at a time
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=view.canvas.position_of("FL").toPoint())
    assert view.selected == "FL"
    (group,) = [view.evidence.topLevelItem(i) for i in range(view.evidence.topLevelItemCount())]
    assert group.text(0) == "Cooperates (2)" and group.childCount() == 2
    assert {group.child(i).text(0).split(":")[0] for i in range(2)} == {"Arcadia, FL", "Lake County, FL"}
    dates = [group.child(i).text(1) for i in range(2)]
    assert dates == sorted(dates, reverse=True) and all(dates)

    assert view.zoomed == "FL"  # the click opened Florida's zoomed view: Escape goes back to the grid
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.zoomed is None and view.isVisible()
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=view.canvas.position_of("TX").toPoint())
    groups = {view.evidence.topLevelItem(i).text(0): view.evidence.topLevelItem(i) for i in range(3)}
    assert set(groups) == {"Sanctuary (1)", "Opposes enforcement (1)", "Cooperates (1)"}
    passage = groups["Opposes enforcement (1)"].child(0)
    view.evidence.itemActivated.emit(passage, 0)
    evidence = passage.data(0, Qt.ItemDataRole.UserRole + 70)
    qtbot.waitUntil(lambda: window.viewer.doc is not None and window.viewer.doc.id == evidence.doc_id)
    cursor = window.viewer.text_view.textCursor()
    assert cursor.selectedText() == "criticized Trump’s immigration plans"


def test_the_map_follows_the_search(mapped_window, qtbot):
    window, view = mapped_window
    assert len(view.stance_map.tiles) == 25
    window.search_field.setText("date:<2021")
    window.search(immediate=True)
    qtbot.waitUntil(lambda: view.query == "date:<2021" and not view._building)
    assert sorted(view.stance_map.tiles) == ["AK", "NC", "WI"]
    assert "3 documents with confirmed stances" in view.caption.text()


def test_png_export_draws_split_tiles_in_the_vocabulary_colours(mapped_window, tmp_path):
    _window, view = mapped_window
    png = view.export(tmp_path / "map.png", scale=1.0)
    image = QImage(str(png))
    assert image.width() == view.canvas.renderer.defaultSize().width()
    colours = {s.key: QColor(s.colour) for s in view.stance_map.stances}

    def at(code: str, fraction: float) -> QColor:
        x, y, w, h = tile_boxes()[code]
        return image.pixelColor(int(x + w * fraction), int(y + h * 0.85))

    assert at("FL", 0.5) == colours["immigration-enforcement/cooperates"]
    assert at("CA", 0.2) == colours["immigration-enforcement/sanctuary"]
    assert at("CA", 0.8) == colours["immigration-enforcement/anti-sanctuary"]
    assert at("OR", 0.5) == QColor("#eceff1")  # no evidence
    svg = view.export(tmp_path / "map.svg")
    assert svg.read_text(encoding="utf-8") == view.svg


def test_show_its_results_narrows_the_search_and_the_map_to_the_state(mapped_window, qtbot):
    window, view = mapped_window
    assert not view.filter_button.isEnabled()
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=view.canvas.position_of("TX").toPoint())
    view.show_grid()
    qtbot.mouseClick(view.filter_button, Qt.MouseButton.LeftButton)
    assert window.search_field.text() == 'jurisdiction:"ocd-division/country:us/state:tx"'
    qtbot.waitUntil(lambda: view.query == window.search_field.text() and not view._building)
    assert window.hits.total == 2  # the seed article and the attorney general's agreement
    assert list(view.stance_map.tiles) == ["TX"] and view.stance_map.federal is None


def _hover(widget, point: QPointF) -> None:
    """A mouse move over the widget, as the window system delivers it."""
    move = QMouseEvent(
        QEvent.Type.MouseMove, point, widget.mapToGlobal(point), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, move)


def test_a_state_zooms_to_its_places_and_a_dot_lists_and_filters_to_its_evidence(mapped_window, qtbot):
    window, view = mapped_window
    # The map's lists are QTreeWidgets (whose own model Qt's tester faults for a quirk of QTreeModel); the item
    # models its clicks change are the window's results and facets: they stay consistent through the filtering.
    mode = QAbstractItemModelTester.FailureReportingMode.Warning
    testers = [QAbstractItemModelTester(m, mode) for m in (window.results_model, window.facets.model())]
    _hover(view.canvas, view.canvas.position_of("TX"))
    assert view.canvas.toolTip().splitlines()[:2] == ["Texas", "Itself: Cooperates 1"]
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=view.canvas.position_of("TX").toPoint())
    assert view.zoomed == "TX" and view.back_button.isVisible() and '<title id="map-title">Texas' in view.svg
    el_paso, grand_prairie = (f"ocd-division/country:us/state:tx/place:{p}" for p in ("el_paso", "grand_prairie"))
    west, east = view.canvas.position_of(el_paso), view.canvas.position_of(grand_prairie)
    assert west.x() < east.x() - 100 and west.y() > east.y()  # El Paso far west of Grand Prairie, a little south
    _hover(view.canvas, west)
    assert view.canvas.toolTip() == "El Paso, TX\nOpposes enforcement 1"

    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=west.toPoint())
    assert view.place == el_paso and view.heading.text() == "El Paso, TX: 1 piece of evidence"
    (group,) = [view.evidence.topLevelItem(i) for i in range(view.evidence.topLevelItemCount())]
    assert group.text(0) == "Opposes enforcement (1)"
    view.evidence.setFocus()
    qtbot.keyClick(view.evidence, Qt.Key.Key_Return)  # the first piece is current: Enter opens it in the reader
    qtbot.waitUntil(lambda: window.viewer.doc is not None)
    assert window.viewer.text_view.textCursor().selectedText() == "criticized Trump’s immigration plans"

    qtbot.mouseClick(view.filter_button, Qt.MouseButton.LeftButton)
    assert window.search_field.text() == f'jurisdiction:"{el_paso}"'
    qtbot.waitUntil(lambda: view.query == window.search_field.text() and not view._building)
    assert window.hits.total == 1 and view.zoomed == "TX"  # the seed article; still in Texas
    assert [m.key for m in view.layout_.marks] == [el_paso] and view.place == el_paso
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.zoomed is None and view.layout_ is None and list(view.stance_map.tiles) == ["TX"]
    assert len(testers) == 2


def test_with_a_facet_filter_on_the_map_shows_only_that_evidence(mapped_window, qtbot):
    window, view = mapped_window
    florida = "ocd-division/country:us/state:fl"
    window.facet_state.cycle("jurisdiction", florida)  # as a click on the facet does
    qtbot.waitUntil(lambda: view.spec is not None and bool(view.spec.filters) and not view._building)
    assert window.hits.total == 2
    assert list(view.stance_map.tiles) == ["FL"] and view.stance_map.federal is None
    assert "with 1 facet filter" in view.caption.text()
    window.facet_state.cycle("jurisdiction", florida)  # now excluded: every document but Florida's two
    qtbot.waitUntil(lambda: bool(view.spec.excludes) and not view._building)
    assert "FL" not in view.stance_map.tiles and view.stance_map.documents == 20
