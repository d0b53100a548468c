"""The search box's Newsroom scope: server hits as you type (in the background, the newest query only), pulled
into the archive with one action; a server that cannot be searched says what to do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.server.pg import PASSWORD_OF
from ui.main_window import MainWindow
from ui.newsroom_scope import LOCAL_SCOPE, Scope
from ui.results_model import MetaRole, SnippetRole

pytestmark = pytest.mark.server


@pytest.fixture
def window_on_b(qtbot, newsroom, laptops, tmp_path):
    """Laptop B synced first (so it has a server); then A pushed its business stories, which B lacks."""
    a, b = laptops
    b.sync(newsroom.url("bob"), "desk")
    a.sync(newsroom.url("alice"), "desk")
    window = MainWindow(b, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


def test_the_newsroom_scope_searches_the_server_as_you_type_and_pulls_a_hit(qtbot, window_on_b):
    window = window_on_b
    scope = window.newsroom
    assert scope.box.isVisible() and scope.box.currentText() == LOCAL_SCOPE
    assert [scope.box.itemText(row) for row in range(scope.box.count())] == [LOCAL_SCOPE, "Newsroom: desk"]
    with qtbot.waitSignal(scope.searched, timeout=30_000):
        qtbot.keyClick(scope.box, Qt.Key.Key_Down)  # picked in the box; an empty field: no search, an empty list
    assert scope.box.currentText() == "Newsroom: desk" and window.results_stack.currentWidget() is scope.page
    assert not window.facets.isEnabled() and not window.sort_box.isEnabled()

    with qtbot.waitSignal(scope.searched, timeout=30_000) as searched:
        qtbot.keyClicks(window.search_field, "quarterly profits")
    assert [hit["title"] for hit in searched.args[0]] == ["Ad sales boost Time Warner profit"]
    index = scope.page.model.index(0)
    assert index.data(MetaRole).startswith("On the server only")
    assert "<mark>quarter</mark>" in index.data(SnippetRole) and "&lt;" not in index.data(SnippetRole)
    assert "quarterly profits" in scope.search.query and "on the server" in scope.page.status.text()

    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)  # Enter: to the hits, the first one current
    qtbot.waitUntil(lambda: scope.page.list.hasFocus() and scope.page.selected_shas() != [], timeout=10_000)
    assert scope.page.pull_button.isEnabled() and scope.pull_action.isEnabled()
    with qtbot.waitSignal(scope.pulled, timeout=60_000) as pulled:
        qtbot.keyClick(scope.page.list, Qt.Key.Key_Return)  # Enter on a hit pulls it
    assert pulled.args[0].pulled_documents == 1 and pulled.args[0].pulled_annotations == 2
    qtbot.waitUntil(lambda: [hit["local_id"] is not None for hit in scope.page.model.hits] == [True], timeout=30_000)
    assert scope.page.model.index(0).data(MetaRole).startswith("✓ In this archive")
    qtbot.waitUntil(lambda: window.viewer.doc is not None, timeout=10_000)  # a local hit opens beside the list
    assert window.viewer.doc.title == "Ad sales boost Time Warner profit"

    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.keyClick(scope.box, Qt.Key.Key_Up)  # back to the local archive: the pulled story is found here
    assert window.results_stack.currentWidget() is window.results and window.facets.isEnabled()
    assert window.hits.query == "quarterly profits" and len(window.hits.ids) == 1
    assert window.archive.documents.get(window.hits.ids[0]).title == "Ad sales boost Time Warner profit"


def test_only_the_newest_query_is_answered_while_typing_faster_than_the_server(qtbot, window_on_b):
    scope = window_on_b.newsroom
    with qtbot.waitSignal(scope.searched, timeout=30_000):
        scope.set_scope(scope.scopes[0])
    seen = []
    scope.search.results_ready.connect(lambda query, hits, _ms: seen.append((query, [h["title"] for h in hits])))
    for query in ("time", "timewarner", "timewarner profits"):  # typed faster than the server answers
        scope.search.request(query, immediate=True)
    qtbot.waitUntil(lambda: not scope.search.busy(), timeout=30_000)
    assert seen == [("timewarner profits", ["Ad sales boost Time Warner profit"])]
    assert scope.search.latencies and max(scope.search.latencies) < 30_000


def test_a_server_that_cannot_be_reached_says_what_to_do(qtbot, window_on_b, tmp_path):
    scope = window_on_b.newsroom
    window_on_b.search_field.setText("profits")
    nowhere = f"postgresql://bob@/newsroom?host={tmp_path}&port=5999"
    with qtbot.waitSignal(scope.problem_shown, timeout=30_000) as problem:
        scope.set_scope(Scope(nowhere, "desk"))
    assert problem.args[0].startswith("Could not connect to the newsroom server")
    assert scope.page.problem_box.isVisible() and not scope.page.list.isVisible()
    assert "Try again" in scope.page.retry_button.text() and not scope.page.password_button.isVisible()
    assert "VPN" in scope.page.problem.text() and not scope.pull_action.isEnabled()


def test_a_role_without_the_project_is_told_so_not_sent_to_check_the_network(qtbot, window_on_b, newsroom):
    scope = window_on_b.newsroom
    newsroom.person("dave")  # a login role, member of no project
    window_on_b.search_field.setText("profits")
    with qtbot.waitSignal(scope.problem_shown, timeout=30_000) as problem:
        scope.set_scope(Scope(newsroom.url("dave"), "desk"))
    assert problem.args[0].startswith("The server refused to show its Dossier schema (permission denied")
    assert problem.args[0].endswith("Its administrator adds you with `dossier server member-add`.")
    assert scope.page.problem.text() == problem.args[0] and scope.page.model.rowCount() == 0  # no VPN advice


def test_a_password_the_server_asks_for_is_asked_in_the_window(qtbot, window_on_b, newsroom):
    scope = window_on_b.newsroom
    carol = newsroom.cluster.new_role("carol")  # no pgpass line, nothing in the keyring
    from app.cli import main

    assert main(["server", "member-add", newsroom.admin, "desk", carol]) == 0
    window_on_b.search_field.setText("profits")
    url = newsroom.cluster.url(carol, newsroom.db)
    with qtbot.waitSignal(scope.problem_shown, timeout=30_000) as problem:
        scope.set_scope(Scope(url, "desk"))
    assert f"asks for the password of {carol}@" in problem.args[0]
    assert scope.page.password_button.isVisible()

    def answer():
        dialog = window_on_b.sync_flow.dialog
        dialog.password.field.setText(PASSWORD_OF.format(carol))
        dialog.password.remember.setChecked(False)
        dialog.accept()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(scope.searched, timeout=30_000) as searched:
        scope.page.password_button.click()
    assert "Ad sales boost Time Warner profit" in [hit["title"] for hit in searched.args[0]]
    assert PASSWORD_OF.format(carol) not in scope.page.status.text()


def test_a_search_stuck_on_the_server_is_cancelled_by_the_next_keystroke(qtbot, window_on_b, newsroom):
    """The server holds the first search (an administrator's lock on the documents); typing on does not wait for
    it: the stuck search is cancelled on the server and ends while the lock is still held."""
    import psycopg

    from app.store.server_schema import SCHEMA

    scope = window_on_b.newsroom
    window_on_b.search_field.setText("media")
    with qtbot.waitSignal(scope.searched, timeout=30_000):
        scope.set_scope(scope.scopes[0])  # connected, the project known
    seen = []
    scope.search.results_ready.connect(lambda query, hits, _ms: seen.append(query))
    blocker = psycopg.connect(newsroom.cluster.url(db=newsroom.db))
    try:
        blocker.execute(f"LOCK TABLE {SCHEMA}.documents IN ACCESS EXCLUSIVE MODE")
        scope.search.request("timewarner", immediate=True)

        def waiting() -> int:
            rows = newsroom.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dossier' "
                                  "AND wait_event_type = 'Lock'")  # fmt: skip
            return rows[0][0]

        qtbot.waitUntil(lambda: waiting() == 1, timeout=30_000)
        scope.search.request("timewarner profits", immediate=True)  # the next keystroke
        qtbot.waitUntil(lambda: scope.search._in_flight == 1 and waiting() == 1, timeout=30_000)
        assert seen == []  # the first one ended (cancelled), the second waits on the lock in its place
    finally:
        blocker.rollback()
        blocker.close()
    qtbot.waitUntil(lambda: not scope.search.busy(), timeout=30_000)
    assert seen == ["timewarner profits"]
