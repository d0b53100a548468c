"""Running an import in a child process, so its pure-Python indexing never competes with the caller for the GIL.

The child runs at a lower CPU priority. The parent keeps the archive's writer lock; the child opens the same folder with
:meth:`Archive.open_for_helper` and runs :meth:`Archive.import_paths`. Progress comes back over one pipe and a
cancel request goes over another; the child also cancels when the parent goes away (the pipe closes). Every
batch the child committed stays committed if it dies: the parent then raises a :class:`DossierError` that says so.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Sequence
from contextlib import suppress
from multiprocessing.connection import Connection, wait
from pathlib import Path

from app.errors import DossierError
from app.importer import CancelFn, ProgressFn
from app.models import ImportReport
from indexer import spawning
from indexer.sandbox import Limits

CANCEL_POLL_S = 0.05  # how often the parent looks at ``cancel`` while no progress arrives
PROCESS_NAME = "dossier-import"
STOP_GRACE_S = 60.0  # how long a child may take to stop once cancelled (it finishes the batch in flight)
IMPORT_NICENESS = 10  # a background import yields the CPU to the window the user is working in


def import_in_child(
    folder: Path,
    paths: Sequence[str],
    passwords: Sequence[str],
    limits: Limits,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ImportReport:
    """Import ``paths`` into the archive at ``folder`` from a child process; see the module docstring."""
    context = multiprocessing.get_context("spawn")
    events, child_events = context.Pipe(duplex=False)
    child_control, control = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(str(folder), list(paths), list(passwords), limits, child_events, child_control),
        name=PROCESS_NAME,
    )
    spawning.start(child)
    child_events.close()
    child_control.close()
    cancelled_at = None
    try:
        while True:
            if cancelled_at is None and cancel and cancel():
                control.send("cancel")
                cancelled_at = time.monotonic()
            if cancelled_at is not None and time.monotonic() - cancelled_at > STOP_GRACE_S:
                raise DossierError(
                    "The import did not stop when asked, so it was ended. Files imported before that are in the "
                    "archive; import the same files again to finish."
                )
            ready = wait([events, child.sentinel], timeout=CANCEL_POLL_S)
            if events in ready:
                try:
                    kind, payload = events.recv()
                except EOFError:
                    break
                if kind == "progress":
                    if progress:
                        progress(payload)
                elif kind == "done":
                    return payload
                else:
                    raise payload
            elif child.sentinel in ready and not events.poll():
                break
    finally:
        control.close()  # the child cancels if it is still running
        events.close()
        child.join(STOP_GRACE_S)
        if child.is_alive():  # stuck (stopped, or hung on its way out): what it committed stays committed
            child.kill()
            child.join()
    raise DossierError(
        f"The import stopped unexpectedly (the import process ended with code {child.exitcode}). "
        "Files imported before that are in the archive; import the same files again to finish: "
        "those already imported are reported as already in the archive."
    )


def _child_main(
    folder: str,
    paths: list[str],
    passwords: list[str],
    limits: Limits,
    events: Connection,
    control: Connection,
) -> None:
    """The child's side: import, sending progress and then the report or the error."""
    from app.archive import Archive  # imported here: the parent imports this module from app.archive

    if hasattr(os, "nice"):
        os.nice(IMPORT_NICENESS)  # the extraction workers it starts inherit it
    cancelled = threading.Event()

    def listen() -> None:
        with suppress(EOFError, OSError):  # EOF: the parent is gone, or done with us
            control.recv()  # "cancel"
        cancelled.set()

    threading.Thread(target=listen, name="import-control", daemon=True).start()

    def send(message: tuple) -> None:
        try:
            events.send(message)
        except (BrokenPipeError, OSError):  # the parent is gone: finish the batch in flight and stop
            cancelled.set()

    try:
        with Archive.open_for_helper(folder) as archive:
            archive.extraction_limits = limits
            report = archive.import_paths(
                paths,
                passwords=passwords,
                progress=lambda p: send(("progress", p)),
                cancel=cancelled.is_set,
            )
        send(("done", report))
    except DossierError as exc:
        try:
            send(("error", exc))
        except Exception:  # an error type that does not pickle: keep its message
            send(("error", DossierError(str(exc))))
    except BaseException:
        send(("error", RuntimeError(f"The import process failed:\n{traceback.format_exc()}")))
