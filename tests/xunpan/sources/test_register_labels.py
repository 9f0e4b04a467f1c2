"""One vocabulary for the register (issue 13): the importer, the demo generator and dbt's staging
fallback use the same headers and stage labels."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from xunpan.demo.business_exports import REGISTER_HEADER
from xunpan.demo.inquiries import STAGE_LABELS
from xunpan.sources import inquiries, parse_file
from xunpan.sources.register_labels import SEED, STAGES, seed_rows


def test_dbt_seed_maps_every_label_the_importer_knows():
    with SEED.open(encoding="utf-8", newline="") as handle:
        rows = [(row["label_key"], row["canonical_stage"]) for row in csv.DictReader(handle)]
    assert rows == seed_rows(), "run `python -m xunpan.sources.register_labels` to rewrite the seed"
    assert len(rows) == len(STAGES) == 19
    # the 13 Chinese labels, not only the 6 the SQL fallback once listed
    assert sum(1 for label, _ in rows if not label.isascii()) == 13


def test_demo_writes_the_labels_and_headers_the_importer_reads():
    assert all(STAGES[label] == stage for stage, label in STAGE_LABELS.items())
    zh = next(layout for layout in inquiries.LAYOUTS if layout.name == "register_zh")
    assert tuple(col.headers[0] for col in zh.columns) == REGISTER_HEADER
    assert REGISTER_HEADER[-3:] == ("邮箱", "电话", "询盘内容")


def test_contact_columns_are_optional_and_recognised_by_their_synonyms():
    layouts = {layout.name: {col.field: col for col in layout.columns} for layout in inquiries.LAYOUTS}
    zh, en = layouts["register_zh"], layouts["register_en"]
    assert {"手机", "WhatsApp", "联系电话"} <= set(zh["phone"].headers) and {"Tel", "WhatsApp"} <= set(
        en["phone"].headers
    )
    assert {"留言", "询盘内容"} <= set(zh["message"].headers) and "Inquiry Content" in en["message"].headers
    assert "邮箱" in zh["email"].headers and "E-mail" in en["email"].headers
    assert not any(layout[f].required for layout in (zh, en) for f in ("email", "phone", "message"))


def test_register_with_contact_columns_lands_them(tmp_path: Path):
    path = tmp_path / "询盘登记表.csv"
    path.write_text(
        "询盘编号,询盘时间,来源渠道,当前阶段,手机,E-mail,留言\n"
        "XP-1,2026-10-05 09:00,阿里,无效询盘,+86 138-1234-5678,Sales@Mailinator.com,您好，我们专业做网站优化\n"
        "XP-2,2026-10-06 10:00,百度,已成交,,,\n",
        encoding="utf-8",
    )
    table = parse_file(path, today=dt.date(2026, 11, 1)).table
    assert table.column("phone").to_pylist() == ["+86 138-1234-5678", None]
    assert table.column("email").to_pylist() == ["Sales@Mailinator.com", None]
    assert table.column("message").to_pylist() == ["您好，我们专业做网站优化", None]
    # labels beyond the six the SQL fallback once knew map too
    assert table.column("stage").to_pylist() == ["invalid", "won"]
