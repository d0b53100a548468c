"""The first main window searches the archive it was given."""

from ui.main_window import MainWindow


def test_search_lists_hits(qtbot, archive, sample_files):
    archive.import_paths([sample_files])
    window = MainWindow(archive)
    qtbot.addWidget(window)
    assert window.statusBar().currentMessage() == "3 documents"
    qtbot.keyClicks(window.search_field, "calamity")
    qtbot.keyClick(window.search_field, "\r")
    assert window.message.text() == "1 documents match"
    assert window.results.item(0).text().startswith("Denver calls the crackdown a calamity")


def test_malformed_query_shows_the_message(qtbot, archive):
    window = MainWindow(archive)
    qtbot.addWidget(window)
    window.search_field.setText("date:someday")
    window.run_search()
    assert "is not a date" in window.message.text()
