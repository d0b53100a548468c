"""The GUI responsiveness bench keeps every stall's record while collections and its sampler append to its logs."""

import gc
from collections import deque

import pytest

from bench.gui_responsiveness import TRACED_SLOTS, frozen


def test_a_log_that_a_collection_appends_to_is_copied_whole():
    log = deque((i, i) for i in range(2000))

    def collected(phase: str, info: dict) -> None:
        if phase == "stop":
            log.append(("gc", info["generation"]))

    threshold = gc.get_threshold()
    gc.callbacks.append(collected)
    gc.set_threshold(1)  # a collection on almost every allocation, as under an import's churn
    try:
        with pytest.raises(RuntimeError, match="mutated during iteration"):
            [[t] for t, _ in log]  # what the bench did: the lists it builds set off collections mid-loop
        copy = frozen(log)
        entries = [[t] for t, _ in copy]
    finally:
        gc.callbacks.remove(collected)
        gc.set_threshold(*threshold)
    assert copy[:2000] == [(i, i) for i in range(2000)]
    assert len(entries) == len(copy) > 2000  # the collections' own records are in the copy too


def test_every_slot_the_bench_traces_exists_in_the_window():
    import importlib

    missing = [
        f"{cls}.{name}"
        for module, cls, names in TRACED_SLOTS
        for name in names
        if not callable(getattr(getattr(importlib.import_module(module), cls), name, None))
    ]
    assert not missing, f"renamed in ui/, so the bench cannot trace them: {missing}"
