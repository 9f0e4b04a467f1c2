"""Issue 8, item 2 end to end: weekly register sheets through the real importer, landing and dbt.

Three sheets of October 2026 (week 2 = Monday 10-05 to Sunday 10-11, week 3 = 10-12..10-18):
1. 第2周, exported 10-12: XP-001 (10-05), XP-002 (10-06, 意向) and XP-007, a duplicate row of XP-002;
2. 第3周, exported 10-19: XP-008 (10-13), XP-009 (10-15), and XP-002 carried forward from week 2
   (still 意向): it covers week 3 only, so it removes nothing from week 2;
3. 第2周 corrected, exported 10-20: XP-1 (XP-001 retyped, now 意向), XP-002 (now shown as 新询盘);
   the duplicate XP-007 is deleted.
Hand-computed result: 4 inquiries count (XP-1, XP-2, XP-8, XP-9), XP-7 is in the audit with the
sheet that last listed it and the one that dropped it; XP-2 keeps stage_reached intentional.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from xunpan.config import Settings
from xunpan.landing import ingest_inbox
from xunpan.transform import dbt_build

TODAY = dt.date(2026, 10, 21)
HEADER = "询盘编号,询盘时间,来源渠道,当前阶段"

SHEETS = [
    (
        "2026年10月第2周询盘登记表.csv",
        "2026-10-12 18:00",
        [
            "XP-001,2026-10-05 09:00,阿里巴巴国际站,新询盘",
            "XP-002,2026-10-06 10:00,百度推广,意向",
            "XP-007,2026-10-06 10:00,百度推广,意向",
        ],
    ),
    (
        "2026年10月第3周询盘登记表.csv",
        "2026-10-19 18:00",
        [
            "XP-008,2026-10-13 11:00,阿里巴巴国际站,新询盘",
            "XP-009,2026-10-15 16:00,百度推广,新询盘",
            "XP-002,2026-10-06 10:00,百度推广,意向",
        ],
    ),
    (
        "2026年10月第2周询盘登记表(修正).csv",
        "2026-10-20 10:00",
        ["XP-1,2026-10-05 09:00,阿里巴巴国际站,意向", "XP-002,2026-10-06 10:00,百度推广,新询盘"],
    ),
]


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_weekly_sheets_delete_only_what_their_week_no_longer_lists(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "home")
    settings.ensure_dirs()
    inbox = settings.inbox / "acme"
    inbox.mkdir(parents=True, exist_ok=True)
    for name, exported, rows in SHEETS:
        title = Path(name).stem
        (inbox / name).write_text(
            "\n".join([title, f"导出时间：{exported}", HEADER, *rows]) + "\n", encoding="utf-8"
        )
        report = ingest_inbox(settings, today=TODAY)
        assert not report.quarantined, report.summary()

    dbt_build(settings)

    assert _rows(
        settings,
        "select inquiry_id, inquiry_id_as_written, stage_reached, is_open from marts.fct_inquiries order by 1",
    ) == [
        ("XP-1", "XP-1", "intentional", True),
        ("XP-2", "XP-002", "intentional", True),
        ("XP-8", "XP-008", "received", True),
        ("XP-9", "XP-009", "received", True),
    ]
    assert _rows(
        settings,
        "select inquiry_id, last_listed_source_file, removed_by_source_file from marts.audit_inquiries_removed",
    ) == [("XP-7", "2026年10月第2周询盘登记表.csv", "2026年10月第2周询盘登记表(修正).csv")]
    assert _rows(
        settings,
        "select inquiries_total, inquiries_valid, inquiries_intentional, inquiries_open, open_share, "
        "is_cohort_mature from marts.mart_inquiry_funnel_monthly",
    ) == [(4, 4, 2, 4, 1.0, False)]
    # the coverage each sheet declared, as landed
    assert _rows(
        settings,
        "select source_file, covers_from, covers_to from staging.stg_raw__inquiry_imports order by load_seq",
    ) == [
        ("2026年10月第2周询盘登记表.csv", dt.date(2026, 10, 5), dt.date(2026, 10, 11)),
        ("2026年10月第3周询盘登记表.csv", dt.date(2026, 10, 12), dt.date(2026, 10, 18)),
        ("2026年10月第2周询盘登记表(修正).csv", dt.date(2026, 10, 5), dt.date(2026, 10, 11)),
    ]


def test_files_landed_before_the_coverage_columns_still_build(tmp_path: Path) -> None:
    """A raw register file without covers_from/covers_to (landed by an earlier version) covers its
    first to last received date; dbt reads it beside new files (union by name, _schema.parquet)."""
    import pyarrow.parquet as pq

    settings = Settings.from_env(tmp_path / "home")
    settings.ensure_dirs()
    inbox = settings.inbox / "acme"
    inbox.mkdir(parents=True, exist_ok=True)
    for index, (name, exported, rows) in enumerate(SHEETS[:2]):
        (inbox / name).write_text(
            "\n".join([Path(name).stem, f"导出时间：{exported}", HEADER, *rows]) + "\n", encoding="utf-8"
        )
        ingest_inbox(settings, today=TODAY)
        if index == 0:
            (legacy,) = [
                p for p in (settings.raw / "inquiries").glob("*.parquet") if p.name != "_schema.parquet"
            ]
            table = pq.read_table(legacy)
            pq.write_table(table.drop_columns(["covers_from", "covers_to"]), legacy)
            assert "covers_from" not in pq.read_schema(legacy).names

    dbt_build(settings)

    assert _rows(
        settings,
        "select source_file, stated_covers_from, covers_from, covers_to "
        "from staging.stg_raw__inquiry_imports order by load_seq",
    ) == [
        ("2026年10月第2周询盘登记表.csv", None, dt.date(2026, 10, 5), dt.date(2026, 10, 6)),
        (
            "2026年10月第3周询盘登记表.csv",
            dt.date(2026, 10, 12),
            dt.date(2026, 10, 12),
            dt.date(2026, 10, 18),
        ),
    ]
    assert _rows(settings, "select inquiry_id from marts.fct_inquiries order by 1") == [
        ("XP-1",),
        ("XP-2",),
        ("XP-7",),
        ("XP-8",),
        ("XP-9",),
    ]
    assert _rows(settings, "select count(*) from marts.audit_inquiries_removed") == [(0,)]
