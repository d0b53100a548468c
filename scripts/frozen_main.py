"""The packaged app's one executable (build.spec): `dossier-gui` opens the window, `dossier` (a symlink to it)
is the command line, told apart by the name it was started as. One executable rather than two saves the second
copy of the ~17 MB Python archive each PyInstaller executable carries."""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a sandboxed extraction worker (spawn) starts here and never returns
    if os.path.basename(sys.argv[0]) == "dossier":
        from app.cli import main
    else:
        from ui.main import main
    sys.exit(main())
