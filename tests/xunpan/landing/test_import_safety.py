"""Hostile and broken inputs are refused early, with a message, and nothing escapes the landing folders.

Probes of issue 9: an xlsx "bomb" (cells A1 and XFD1048576), a zip member that expands a thousand
times, a 2 GB sparse file, symbolic links in the inbox, and company ids that try to leave it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from xunpan.config import Settings
from xunpan.errors import InputRejected, XunpanError
from xunpan.inbox_view import inbox_overview
from xunpan.landing import import_files, ingest_inbox, validate_company_id
from xunpan.landing_cli import import_command
from xunpan.landing_manifest import read_manifest
from xunpan.sources.grid import ReadLimits, read_grids

INPUTS = Path(__file__).resolve().parents[2] / "fixtures" / "inputs"
GOOD = "baidu_keyword_202601.csv"


def _bomb() -> bytes:
    """A workbook with one cell at each corner of the largest possible sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "关键词"
    sheet["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _without_dimension(xlsx: bytes) -> bytes:
    """The same workbook with the sheet's <dimension> element removed, so only counting can catch it."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, removed = re.subn(rb"<dimension [^>]*/>", b"", data)
                assert removed == 1
            target.writestr(info.filename, data)
    return out.getvalue()


def _snapshot(home: Path) -> dict[str, tuple[int, int]]:
    """Every path under XUNPAN_HOME outside inbox/, quarantine/ and raw/, with size and mtime."""
    found = {}
    for folder, dirnames, filenames in os.walk(home):
        rel = Path(folder).relative_to(home)
        if rel.parts and rel.parts[0] in {"inbox", "quarantine", "raw"}:
            continue
        for name in dirnames + filenames:
            if not rel.parts and name in {"inbox", "quarantine", "raw"}:
                continue
            info = (Path(folder) / name).lstat()
            found[str(rel / name)] = (info.st_size, info.st_mtime_ns)
    return found


def test_the_xlsx_bomb_is_refused_by_its_declared_size_with_bounded_memory(settings: Settings) -> None:
    bomb = _bomb()
    assert len(bomb) < 8 * 1024
    tracemalloc.start()
    with pytest.raises(InputRejected) as refused:
        read_grids(bomb, "bomb.xlsx", ReadLimits.from_settings(settings))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    message = str(refused.value)
    assert "declares 1,048,576 rows x 16,384 columns = 17,179,869,184 cells" in message
    assert "A1:XFD1048576" in message and "XUNPAN_MAX_CELLS" in message
    assert peak < 20 * 2**20, f"refusing the bomb allocated {peak / 2**20:.1f} MB"


def test_a_bomb_without_dimension_is_refused_while_counting(settings: Settings) -> None:
    bomb = _without_dimension(_bomb())
    tracemalloc.start()
    with pytest.raises(InputRejected) as refused:
        read_grids(bomb, "bomb.xlsx", ReadLimits(max_cells=100_000, max_unzipped_bytes=1 << 30))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "holds more than 100,000 cells by row 100,001" in str(refused.value)
    assert peak < 20 * 2**20, f"reading until the limit allocated {peak / 2**20:.1f} MB"
    # Under the default limit the million empty rows are read without being kept, and the file is
    # refused for what it is: a sheet without any known header.
    (result,) = import_files(settings, [_write(settings.home.parent / "bomb.xlsx", bomb)])
    assert not result.accepted and result.error is not None
    assert result.error.reason.startswith("no header row")


def test_a_zip_member_expanding_a_thousand_times_is_refused_unopened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (20 << 20) + b"</sst>")
    data = out.getvalue()
    with pytest.raises(InputRejected, match=r"xl/sharedStrings.xml expands \d+ times"):
        read_grids(data, "zipbomb.xlsx", ReadLimits(max_cells=10_000_000, max_unzipped_bytes=1 << 30))
    with pytest.raises(InputRejected, match=r"unpacks to 20 MB, more than the limit of 10 MB"):
        read_grids(data, "zipbomb.xlsx", ReadLimits(max_cells=10_000_000, max_unzipped_bytes=10 << 20))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_import_refuses_the_bomb_and_a_2_gb_file_and_places_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    big = tmp_path / "keyword_report.csv"
    with big.open("wb") as fh:
        fh.truncate(2 << 30)  # sparse: 2 GB long, nothing on disk
    bomb = _write(tmp_path / "bomb.xlsx", _bomb())
    before = _snapshot(settings.home)
    results = import_files(settings, [big, bomb], company="acme")
    assert [r.accepted for r in results] == [False, False]
    assert results[0].error is not None and results[0].error.reason.startswith(
        "the file is 2,048 MB, more than the limit of 200 MB (XUNPAN_MAX_FILE_MB)"
    )
    assert results[1].error is not None and "XUNPAN_MAX_CELLS" in results[1].error.reason
    assert not any(settings.inbox.rglob("*")), "a refused file must not reach the inbox"
    assert _snapshot(settings.home) == before
    assert big.stat().st_size == 2 << 30 and bomb.exists(), "the person's own files stay where they were"


def test_import_refuses_devices_and_pipes(settings: Settings, tmp_path: Path) -> None:
    pipe = tmp_path / "report.csv"
    os.mkfifo(pipe)
    (result,) = import_files(settings, [pipe])
    assert not result.accepted and result.error is not None
    assert "is not a regular file" in result.error.reason


def test_ingest_moves_a_huge_file_to_quarantine_without_reading_it(settings: Settings) -> None:
    (settings.inbox / "acme").mkdir()
    big = settings.inbox / "acme" / "keyword_report.csv"
    with big.open("wb") as fh:
        fh.truncate(2 << 30)
    inode = big.stat().st_ino
    before = _snapshot(settings.home)
    report = ingest_inbox(settings)
    (entry,) = report.quarantined
    assert entry["company_id"] == "acme" and entry["sha256"] is None
    assert str(entry["reason"]).startswith("the file is 2,048 MB, more than the limit of 200 MB")
    moved = settings.home / str(entry["quarantine_path"])
    assert moved.stat().st_ino == inode, "moved (renamed), not copied"
    assert (settings.home / str(entry["reason_path"])).exists()
    assert not big.exists() and not report.loaded
    assert _snapshot(settings.home) == before


def test_ingest_refuses_symlinks_and_symlinked_folders_without_following_them(
    settings: Settings, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(INPUTS / GOOD, outside / GOOD)
    secret = outside / "secrets.env"
    secret.write_text("SECRET_KEY=do-not-read\n")
    (settings.inbox / "acme").mkdir()
    (settings.inbox / "acme" / "report.csv").symlink_to(outside / GOOD)
    (settings.inbox / "secrets.csv").symlink_to(secret)
    (settings.inbox / "beta").symlink_to(outside, target_is_directory=True)
    before = _snapshot(settings.home)
    outside_before = sorted(p.name for p in outside.iterdir())

    assert {e["file"] for e in inbox_overview(settings)["waiting"]} == {
        "acme/report.csv",
        "secrets.csv",
        "beta",
    }
    report = ingest_inbox(settings)

    assert not report.loaded
    by_file = {e["file"]: e for e in report.quarantined}
    assert set(by_file) == {"report.csv", "secrets.csv", "beta"}
    for entry in by_file.values():
        assert "is a symbolic link" in str(entry["reason"]) and "Copy the file itself" in str(entry["reason"])
        moved = settings.home / str(entry["quarantine_path"])
        assert moved.is_symlink(), "the link itself is kept in quarantine, its target is not copied"
    assert os.readlink(settings.home / str(by_file["secrets.csv"]["quarantine_path"])) == str(secret)
    assert "do-not-read" not in (settings.home / str(by_file["secrets.csv"]["reason_path"])).read_text()
    assert sorted(p.name for p in outside.iterdir()) == outside_before
    assert secret.read_text() == "SECRET_KEY=do-not-read\n"
    assert {p.name for p in settings.raw.glob("*/*.parquet")} == {"_schema.parquet"}
    assert _snapshot(settings.home) == before
    assert [e["status"] for e in read_manifest(settings)] == ["quarantined"] * 3


@pytest.mark.parametrize("bad", ["../x", "..", "ACME", "acme/../..", "a b", "-acme", "", "x" * 64, "acme.cn"])
def test_company_ids_are_slugs(bad: str) -> None:
    with pytest.raises(XunpanError, match="is not allowed"):
        validate_company_id(bad)


@pytest.mark.parametrize("good", ["acme", "default", "hebei-valve_2", "0", "x" * 63])
def test_valid_company_ids(good: str) -> None:
    assert validate_company_id(good) == good


def test_import_company_cannot_leave_the_inbox(settings: Settings, tmp_path: Path) -> None:
    before = _snapshot(settings.home)
    result = CliRunner().invoke(import_command, [str(INPUTS / GOOD), "--company", "../x"])
    assert result.exit_code == 2
    assert "company id '../x' is not allowed" in result.output
    with pytest.raises(XunpanError):
        import_files(settings, [INPUTS / GOOD], company="../x")
    assert not (settings.home / "x").exists() and not any(settings.inbox.iterdir())
    assert _snapshot(settings.home) == before


def test_a_file_in_a_folder_that_is_not_a_company_id_is_quarantined(settings: Settings) -> None:
    (settings.inbox / "Acme Corp").mkdir()
    shutil.copy(INPUTS / GOOD, settings.inbox / "Acme Corp" / GOOD)
    report = ingest_inbox(settings)
    (entry,) = report.quarantined
    assert "company id 'Acme Corp' is not allowed" in str(entry["reason"])
    assert "move baidu_keyword_202601.csv into inbox/<company id>/" in str(entry["reason"])
    assert (settings.home / str(entry["quarantine_path"])).read_bytes() == (INPUTS / GOOD).read_bytes()
    assert not report.loaded


def test_good_files_still_load_next_to_refused_ones(settings: Settings, tmp_path: Path) -> None:
    (settings.inbox / "acme").mkdir()
    shutil.copy(INPUTS / GOOD, settings.inbox / "acme" / GOOD)
    (settings.inbox / "bomb.xlsx").write_bytes(_bomb())
    report = ingest_inbox(settings)
    assert [(e["file"], e["company_id"]) for e in report.loaded] == [(GOOD, "acme")]
    (entry,) = report.quarantined
    assert entry["file"] == "bomb.xlsx" and "A1:XFD1048576" in str(entry["reason"])


def test_the_same_file_for_two_companies_loads_for_each(settings: Settings) -> None:
    """Identical bytes (a shared template, the same cost cards) are each company's own data, not a duplicate."""
    for company in ("acme", "beta"):
        (settings.inbox / company).mkdir()
        shutil.copy(INPUTS / GOOD, settings.inbox / company / GOOD)
    report = ingest_inbox(settings)
    assert [(e["company_id"], e["status"]) for e in report.loaded] == [("acme", "loaded"), ("beta", "loaded")]
    sha = report.loaded[0]["sha256"]
    assert [e["raw_path"] for e in report.loaded] == [
        f"raw/ad_spend/{sha}.parquet",
        f"raw/ad_spend/{sha}.beta.parquet",
    ]
    companies = duckdb.sql(
        f"select company_id, count(*) from read_parquet('{settings.raw}/ad_spend/*.parquet') group by 1 order by 1"
    ).fetchall()
    rows = report.loaded[0]["rows"]
    assert companies == [("acme", rows), ("beta", rows)]
    # Dropping it again for acme is a duplicate of acme's own load.
    shutil.copy(INPUTS / GOOD, settings.inbox / "acme" / GOOD)
    again = ingest_inbox(settings)
    assert [(e["company_id"], e["duplicate_of"]) for e in again.duplicates] == [("acme", GOOD)]
    assert not again.loaded


def test_import_does_not_write_through_a_linked_company_folder(settings: Settings, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (settings.inbox / "acme").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(XunpanError, match="company folders in the inbox must be real folders"):
        import_files(settings, [INPUTS / GOOD], company="acme")
    assert not any(elsewhere.iterdir())
