"""A background operation that meets a full disk tells the user, instead of opening the crash dialog."""

from __future__ import annotations

from ui.ops import Op


def _write_to_full_disk() -> None:
    with open("/dev/full", "wb", buffering=0) as full:
        full.write(b"x")


def test_a_full_disk_is_a_message_not_a_crash(qtbot):
    op = Op(_write_to_full_disk)
    failures, crashes = [], []
    op.failed.connect(failures.append)
    op.crashed.connect(crashes.append)
    op.run()
    assert crashes == [] and failures and failures[0].startswith("The disk is full")


def test_a_bug_still_goes_to_the_crash_handler(qtbot, caplog):
    op = Op(lambda: 1 / 0)
    crashes = []
    op.crashed.connect(crashes.append)
    op.run()
    assert isinstance(crashes[0], ZeroDivisionError)
    caplog.clear()  # the bug's log line is expected here
