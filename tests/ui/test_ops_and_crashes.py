"""Background ops report results, user errors and bugs separately; bugs reach the crash reporter."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox

from app.errors import DossierError
from ui.crash import CrashReporter
from ui.ops import Op, OpRunner


def test_an_op_reports_its_result_on_the_gui_thread(qtbot):
    runner = OpRunner()
    op = Op(lambda: 6 * 7)
    with qtbot.waitSignal(op.succeeded) as got:
        runner.start(op)
    assert got.args == [42]
    runner.wait()


def test_a_user_error_is_a_message_and_progress_and_cancel_reach_the_core(qtbot):
    runner = OpRunner()
    steps = []

    def work(progress, cancel):
        progress(1)
        assert not cancel()
        raise DossierError("The archive is open in another Dossier.")

    op = Op(work, with_progress=True)
    op.progressed.connect(steps.append)
    with qtbot.waitSignal(op.failed) as failed:
        runner.start(op)
    assert failed.args == ["The archive is open in another Dossier."]
    qtbot.waitUntil(lambda: steps == [1])
    runner.wait()


def test_a_bug_in_an_op_reaches_the_crash_reporter_and_the_log(qtbot, monkeypatch, caplog):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    reporter = CrashReporter()
    runner = OpRunner()
    runner.crashed.connect(reporter.report_exception)
    op = Op(lambda: {}["missing"])
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(reporter.crashed):
        runner.start(op)
    runner.wait()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "KeyError: 'missing'" in shown[0] and "dossier.log" in shown[0]
    assert "Traceback" in caplog.text and "KeyError" in caplog.text


def test_the_log_never_holds_an_exception_message_which_may_quote_a_private_note(qtbot, monkeypatch, caplog):
    secret = "my source is the deputy chief"
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: None)
    reporter = CrashReporter()
    runner = OpRunner()
    runner.crashed.connect(reporter.report_exception)

    def work():
        try:
            {}[secret]
        except KeyError as exc:
            raise ValueError(f"cannot index the note {secret!r}") from exc

    with caplog.at_level(logging.ERROR), qtbot.waitSignal(reporter.crashed) as crashed:
        runner.start(Op(work))
    runner.wait()
    assert secret in crashed.args[0]  # the user's own screen says what happened
    assert "builtins.KeyError" in caplog.text and "builtins.ValueError" in caplog.text and "in work" in caplog.text
    assert secret not in caplog.text and "deputy" not in caplog.text
