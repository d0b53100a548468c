"""Office files through the archive: imported in the sandboxed worker, searchable, exported in a bundle."""

from __future__ import annotations

import pytest

OFFICE = "office"


def test_office_files_import_in_the_worker_and_travel_in_a_bundle(archive, corpus, tmp_path):
    """Imported through the sandboxed worker, searchable, and their originals pass a bundle's allow-list."""
    from app.bundles.export import export_bundle
    from app.bundles.verify import verify_bundle

    files = [corpus / OFFICE / "rtf" / "tika" / "testRTFWindowsCodepage1250.rtf"]
    files.append(corpus / OFFICE / "epub" / "tika" / "testEPUB.epub")
    if not all(path.is_file() for path in files):
        pytest.skip("corpus files missing")
    report = archive.import_paths(files)
    assert len(report.imported) == 2, report.failed
    assert archive.search_ids("gęślą").ids and archive.search_ids('"chapter two"').ids
    out = tmp_path / "office.zip"
    export_bundle(archive, archive.search_ids("*").ids, out)
    verify_bundle(out, workdir=tmp_path)  # raises BadBundle on an unexpected member name
