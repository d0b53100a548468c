"""Garbage is collected on the GUI thread only (ui/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from ui.collector import Collector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_collects_cycles_on_its_own_thread_and_hands_back_when_gone(qtbot, monkeypatch):
    collected_on = []
    real = Collector.collect
    monkeypatch.setattr(
        Collector, "collect", staticmethod(lambda: collected_on.append(threading.get_ident()) or real())
    )
    parent = QObject()
    Collector(parent, interval_ms=10)
    assert not gc.isenabled()
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle
    qtbot.waitUntil(lambda: gone() is None)
    assert set(collected_on) == {threading.get_ident()}
    with qtbot.waitSignal(parent.destroyed):
        parent.deleteLater()
    assert gc.isenabled()
    gc.disable()  # the suite's fixture re-enables it after the test
