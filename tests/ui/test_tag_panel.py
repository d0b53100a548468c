"""Tagging from the viewer: suggestions with evidence, accept/reject, passages, the facet tree, batches."""

from __future__ import annotations

from tests.ui.helpers import settle, type_query
from ui.batch_tag_dialog import BatchTagDialog
from ui.facets import FacetRole
from ui.tag_panel import SuggestionRole, TagRole
from ui.tag_preview_dialog import TagPreviewDialog

OMAHA = "ocd-division/country:us/state:ne/place:omaha"


def _open_omaha(qtbot, window):
    type_query(qtbot, window, "omaha")
    window.results.selectRow(0)
    panel = window.viewer.tag_panel
    qtbot.waitUntil(lambda: panel.suggestion_model.rowCount() > 0)
    return panel


def _row(model, role, predicate):
    for row in range(model.rowCount()):
        found = model.item(row).data(role)
        if found is not None and predicate(found):
            return model.item(row).index()
    raise AssertionError("no such row")


def test_selecting_a_suggestion_marks_its_evidence_and_accepting_tags(qtbot, make_window, imported):
    window = make_window(imported)
    panel = _open_omaha(qtbot, window)
    index = _row(
        panel.suggestion_model, SuggestionRole, lambda f: f[0] == "jurisdiction" and f[1].jurisdiction.id == OMAHA
    )
    panel.suggestion_list.setCurrentIndex(index)
    view = window.viewer.text_view
    assert view.evidence and all(view.text[s:e] == "Omaha" for s, e in view.evidence)
    with qtbot.waitSignal(panel.tags_changed):
        panel.accept_button.click()
    qtbot.waitUntil(lambda: panel.tag_model.rowCount() == 1)
    assert panel.tag_model.item(0).data(TagRole).jurisdiction == OMAHA
    settle(qtbot, window)
    tree = window.facets.facet_model
    jurisdiction = next(tree.item(r) for r in range(tree.rowCount()) if tree.item(r).data(FacetRole) == "jurisdiction")
    us = jurisdiction.child(0)
    assert us.text().startswith("United States (federal)")
    assert us.child(0).text().startswith("Nebraska") and us.child(0).child(0).text().startswith("Omaha  (")


def test_a_rejected_suggestion_does_not_come_back(qtbot, make_window, imported):
    window = make_window(imported)
    panel = _open_omaha(qtbot, window)
    index = _row(panel.suggestion_model, SuggestionRole, lambda f: f[0] == "stance")
    key = index.data(SuggestionRole)[1].key
    panel.suggestion_list.setCurrentIndex(index)
    with qtbot.waitSignal(panel.tags_changed):
        panel.reject_button.click()
    qtbot.waitUntil(lambda: key not in _stance_keys(panel))
    assert panel.tag_model.rowCount() == 0


def _stance_keys(panel) -> set[str]:
    rows = (panel.suggestion_model.item(r).data(SuggestionRole) for r in range(panel.suggestion_model.rowCount()))
    return {found[1].key for found in rows if found[0] == "stance"}


def test_tagging_the_selected_passage(qtbot, make_window, imported):
    window = make_window(imported)
    panel = _open_omaha(qtbot, window)
    view = window.viewer.text_view
    start = view.text.index("does not intend")
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("does not intend to participate"), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert panel.tag_passage_button.isEnabled()
    panel.jurisdiction.setText("Omaha, NE")
    panel.stance.setCurrentIndex(panel.stance.findData("immigration-enforcement/sanctuary"))
    with qtbot.waitSignal(panel.tags_changed):
        panel.tag_passage_button.click()
    qtbot.waitUntil(lambda: panel.tag_model.rowCount() == 1)
    tag = panel.tag_model.item(0).data(TagRole)
    assert (tag.quote, tag.stance) == ("does not intend to participate", "sanctuary")
    settle(qtbot, window)
    type_query(qtbot, window, "stance:sanctuary jurisdiction:nebraska")
    assert window.results_model.rowCount() == 1


def test_tag_all_results(qtbot, make_window, imported, monkeypatch):
    window = make_window(imported)
    settle(qtbot, window)

    def pick(dialog):
        dialog.choice = ("tag", "United States", "immigration-enforcement/anti-sanctuary")
        return BatchTagDialog.DialogCode.Accepted

    monkeypatch.setattr(BatchTagDialog, "exec", pick)
    window.batch_tag_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(TagPreviewDialog) is not None)
    window.findChild(TagPreviewDialog).ok_button.click()
    qtbot.waitUntil(lambda: "Tagged 3 documents" in window.statusBar().currentMessage())
    type_query(qtbot, window, "stance:anti-sanctuary")
    assert window.results_model.rowCount() == 3


def test_tag_panel_models_pass_the_model_tester(qtmodeltester, qtbot, make_window, imported):
    window = make_window(imported)
    panel = _open_omaha(qtbot, window)
    qtmodeltester.check(panel.suggestion_model)
    qtmodeltester.check(panel.tag_model)


def test_stances_and_rules_are_edited_in_the_dialog(qtbot, imported, qtmodeltester):
    from ui.ops import OpRunner
    from ui.stance_dialog import StanceDialog, StanceRole

    runner = OpRunner()
    dialog = StanceDialog(imported, runner)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    sanctuary = dialog.model.item(0).child(0)
    assert sanctuary.data(StanceRole).id == "sanctuary"
    dialog.tree.setCurrentIndex(sanctuary.index())
    assert "phrase: sanctuary city" in dialog.rules.toPlainText()
    dialog.rules.setPlainText("phrase: will not join raids\nregex: (broken")
    assert not dialog.save() and "not valid" in dialog.error.text()
    dialog.rules.setPlainText("phrase: will not join raids\n\nany: sweeps")
    dialog.label.setText("Sanctuary city")
    assert dialog.save()
    qtbot.waitUntil(lambda: dialog.error.text() == "Saved.")
    runner.close()
    (stance,) = [s for ss in imported.stance_sets() for s in ss.stances if s.id == "sanctuary"]
    assert stance.label == "Sanctuary city" and [r.pattern for r in stance.rules] == ["will not join raids", "sweeps"]
    assert dialog.tree.currentIndex().data(StanceRole).id == "sanctuary"


def test_a_custom_jurisdiction_is_added_from_the_tag_menu(qtbot, make_window, imported, monkeypatch):
    from ui.jurisdiction_dialog import JurisdictionDialog

    def fill(dialog):
        dialog.name.setText("Omaha Public Schools")
        dialog.level.setCurrentText("school district")
        dialog.parent_field.setText("Nowhere, ZZ")
        dialog.save()
        qtbot.waitUntil(lambda: "No jurisdiction matches" in dialog.error.text())
        dialog.parent_field.setText("Omaha, NE")
        dialog.save()
        qtbot.waitUntil(lambda: dialog.result() == JurisdictionDialog.DialogCode.Accepted)
        return dialog.result()

    window = make_window(imported)
    monkeypatch.setattr(JurisdictionDialog, "exec", fill)
    window.add_jurisdiction_action.trigger()
    assert "Added Omaha Public Schools, NE (school district)" in window.statusBar().currentMessage()
    assert imported.resolve_jurisdiction("Omaha Public Schools").parent == OMAHA


def test_a_stance_suggestion_says_who_holds_it_and_the_words_that_say_so(qtbot, make_window, imported):
    window = make_window(imported)
    panel = _open_omaha(qtbot, window)
    qtbot.waitUntil(lambda: panel.suggestion_model.rowCount() > 0)
    rows = [panel.suggestion_model.item(r) for r in range(panel.suggestion_model.rowCount())]
    (stance,) = [row for row in rows if row.data(SuggestionRole)[0] == "stance"]
    evidence = stance.data(SuggestionRole)[1].evidence[0]
    lines = stance.text().splitlines()
    assert lines[0].endswith("Omaha Police Department, NE: Refuses to join raids  ×2")
    assert lines[1].strip() == f"{evidence.actor}: “{evidence.cue}”" and "Omaha Police Department" in evidence.actor
    assert lines[2].strip().startswith("“The Omaha Police Department does not intend to participate")
