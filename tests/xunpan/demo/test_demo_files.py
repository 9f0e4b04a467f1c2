"""Every file of the demo is present, byte-reproducible, and in its platform's exact layout."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
from demo_readback import FULL_END, sheet_rows
from openpyxl import load_workbook

from xunpan.demo import generate, generate_small

MONTHS = [f"2025{m:02d}" for m in range(7, 13)] + [f"2026{m:02d}" for m in range(1, 7)]
MONTHLY_PREFIXES = (
    "baidu_keyword",
    "sogou_account",
    "google_ads",
    "1688_traffic",
    "made_in_china",
    "baidu_tongji",
)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _lines(path: Path, encoding: str) -> list[str]:
    return path.read_bytes().decode(encoding).split("\r\n")


def test_every_expected_file_is_written(full_dir: Path) -> None:
    expected = {f"{prefix}_{m}.csv" for prefix in MONTHLY_PREFIXES for m in MONTHS}
    expected |= {f"{prefix}_{m}.xlsx" for prefix in ("alibaba_p4p", "alibaba_datamanager") for m in MONTHS}
    expected |= {f"inquiry_register_{m[:4]}-{m[4:]}.xlsx" for m in MONTHS}
    # The last whole month is May 2026 (the period ends on June 15).
    expected |= {
        "baidu_keyword_202605_restated.csv",
        "orders_2025.xlsx",
        "orders_2026.xlsx",
        "cost_cards_2025-01-01.xlsx",
        "cost_cards_2026-02-01.xlsx",
        "channel_contracts.csv",
        "fx_rates.csv",
        "targets.csv",
    }
    assert {p.name for p in full_dir.iterdir()} == expected
    # The restated export must load after the original of its month.
    names = sorted(expected)
    assert names.index("baidu_keyword_202605_restated.csv") == names.index("baidu_keyword_202605.csv") + 1


def test_same_arguments_give_byte_identical_files(full_dir: Path, tmp_path: Path) -> None:
    returned = generate(tmp_path / "again", end_date=FULL_END)
    assert [p.name for p in returned] == sorted(p.name for p in full_dir.iterdir())
    assert _digests(tmp_path / "again") == _digests(full_dir)


def test_small_dataset_is_reproducible_and_seed_dependent(tmp_path: Path) -> None:
    generate_small(tmp_path / "a", end_date=date(2026, 4, 30))
    generate_small(tmp_path / "b", end_date=date(2026, 4, 30))
    generate_small(tmp_path / "c", seed=2, end_date=date(2026, 4, 30))
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    changed = {n for n, d in _digests(tmp_path / "a").items() if _digests(tmp_path / "c")[n] != d}
    assert "inquiry_register_2026-04.xlsx" in changed and "baidu_keyword_202604.csv" in changed


def test_baidu_keyword_report_layout(full_dir: Path) -> None:
    lines = _lines(full_dir / "baidu_keyword_202601.csv", "gbk")
    assert lines[:7] == [
        "报告名称：关键词报告",
        "账户：恒通阀门-凤巢",
        "时间范围：2026-01-01至2026-01-31",
        "数据生成时间：2026-02-01 08:00:00",
        "设备：全部",
        "推广方式：全部",
        "",
    ]
    assert lines[7] == "日期,账户,推广计划,推广单元,关键词,展现,点击,消费,点击率,平均点击价格"
    rows = list(csv.reader(io.StringIO("\n".join(lines[8:]))))
    rows = [r for r in rows if r]
    assert {r[0][:7] for r in rows} == {"2026-01"}
    for day, _, _, _, _, shown, clicks, cost, ctr, cpc in rows:
        assert re.fullmatch(r"2026-01-\d{2}", day)
        assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", cost)
        assert re.fullmatch(r"\d+\.\d{2}%", ctr)
        if int(clicks) == 0:
            assert cpc == "--" and cost == "0.00"
        else:
            assert abs(float(cpc) - float(cost.replace(",", "")) / int(clicks)) < 0.006
        assert int(shown) >= int(clicks)
    assert any(r[9] == "--" for r in rows), "some keywords get impressions without clicks"
    frame = pd.read_csv(full_dir / "baidu_keyword_202601.csv", encoding="gbk", skiprows=7, thousands=",")
    assert frame["消费"].sum() > 10000


def test_sogou_report_has_totals_row_under_header(full_dir: Path) -> None:
    lines = _lines(full_dir / "sogou_account_202603.csv", "gbk")
    assert lines[:3] == [
        "搜狗推广账户报告",
        "时间：2026/03/01-2026/03/31",
        "日期,账户,展示数,点击数,消耗,点击率,平均点击价格",
    ]
    rows = [r for r in csv.reader(io.StringIO("\n".join(lines[3:]))) if r]
    total, days = rows[0], rows[1:]
    assert total[0] == "总计"
    assert [d[0] for d in days[:3]] == ["2026/3/1", "2026/3/2", "2026/3/3"] and len(days) == 31
    assert int(total[2]) == sum(int(d[2]) for d in days)
    assert float(total[4].replace(",", "")) == round(sum(float(d[4].replace(",", "")) for d in days), 2)
    assert "," in total[4], "a month of Sogou spend is over a thousand yuan, written with a separator"


def test_alibaba_p4p_workbook_layout(full_dir: Path) -> None:
    workbook = load_workbook(full_dir / "alibaba_p4p_202603.xlsx")
    sheet = workbook.active
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:G1"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "外贸直通车关键词报告"
    assert rows[1][0] == "账号：hengtong-valve-intl"
    assert rows[2] == ("日期", "推广计划", "关键词", "曝光量", "点击量", "花费(元)", "平均点击花费")
    assert all(isinstance(r[0], str) and re.fullmatch(r"202603\d{2}", r[0]) for r in rows[3:])
    assert all(isinstance(r[5], int | float) for r in rows[3:])


def test_alibaba_datamanager_layout(full_dir: Path) -> None:
    rows = sheet_rows(full_dir / "alibaba_datamanager_202604.xlsx")
    assert rows[0] == ("统计日期", "店铺", "曝光量", "访客数", "点击量", "询盘数", "TM咨询数")
    assert len(rows) == 31 and rows[1][0] == "2026-04-01"


def test_1688_traffic_is_utf8_with_bom(full_dir: Path) -> None:
    data = (full_dir / "1688_traffic_202604.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns) == ["日期", "店铺名称", "曝光", "访客数", "点击数", "询盘数", "旺旺咨询数"]
    assert len(frame) == 30


def test_made_in_china_is_utf16_tab_separated(full_dir: Path) -> None:
    data = (full_dir / "made_in_china_202604.csv").read_bytes()
    assert data.startswith(b"\xff\xfe")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-16", sep="\t")
    assert list(frame.columns) == ["日期", "展示次数", "访问量", "点击次数", "询盘数"]
    assert len(frame) == 30 and frame["询盘数"].sum() > 0


def test_baidu_tongji_layout(full_dir: Path) -> None:
    lines = _lines(full_dir / "baidu_tongji_202606.csv", "gbk")
    assert lines[:3] == [
        "百度统计 - 来源分析",
        "时间：2026-06-01 - 2026-06-15",
        "日期,来源类型,来源网站,搜索词,入口页面,浏览量(PV),访客数(UV),访问次数,转化次数",
    ]
    frame = pd.read_csv(full_dir / "baidu_tongji_202606.csv", encoding="gbk", skiprows=2)
    assert set(frame["来源类型"]) == {"付费搜索", "搜索引擎", "直接访问", "外部链接"}
    assert (frame["访客数(UV)"] <= frame["访问次数"]).all()
    assert (frame["浏览量(PV)"] >= frame["访问次数"]).all()
    assert (frame["转化次数"] <= frame["访问次数"]).all() and frame["转化次数"].sum() > 0


def test_google_ads_layout(full_dir: Path) -> None:
    lines = _lines(full_dir / "google_ads_202602.csv", "utf-8")
    assert lines[:3] == [
        "Campaign report",
        "February 1, 2026 - February 28, 2026",
        "Day,Campaign,Ad group,Impr.,Clicks,Currency code,Cost",
    ]
    frame = pd.read_csv(full_dir / "google_ads_202602.csv", skiprows=2)
    assert set(frame["Currency code"]) == {"USD"} and frame["Day"].iloc[0] == "2026-02-01"


def test_register_layout(full_dir: Path) -> None:
    workbook = load_workbook(full_dir / "inquiry_register_2026-06.xlsx")
    sheet = workbook.active
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:W1"]  # 23 columns since 邮箱, 电话, 询盘内容
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "询盘登记表" and rows[1][0] == "导出时间：2026-06-15 18:00"
    assert rows[2] == (
        "询盘编号",
        "询盘时间",
        "来源渠道",
        "询盘方式",
        "客户公司",
        "联系人",
        "国家/地区",
        "意向产品",
        "当前阶段",
        "意向时间",
        "有效时间",
        "成交时间",
        "流失时间",
        "流失原因",
        "无效原因",
        "成交金额",
        "币种",
        "业务员",
        "关键词",
        "着陆页",
        "邮箱",
        "电话",
        "询盘内容",
    )
    received = [r[1] for r in rows[3:]]
    as_text = [v for v in received if isinstance(v, str)]
    assert 0.05 < len(as_text) / len(received) < 0.2, "most rows hold real datetimes, some typed text"
    assert all(re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2} \d{2}:\d{2}", v) for v in as_text)
    methods = {r[3] for r in rows[3:]}
    assert methods == {"电话", "旺旺/TM", "QQ", "微信", "邮件", "百度商桥", "网站表单"}


def test_business_file_headers(full_dir: Path) -> None:
    assert sheet_rows(full_dir / "orders_2026.xlsx")[0] == (
        "订单号",
        "行号",
        "下单日期",
        "询盘编号",
        "客户",
        "产品编号",
        "数量",
        "单价",
        "币种",
    )
    assert sheet_rows(full_dir / "cost_cards_2026-02-01.xlsx")[0] == (
        "产品编号",
        "产品名称",
        "产品线",
        "生效日期",
        "原材料成本",
        "人工成本",
        "生产损耗",
        "工艺成本",
        "币种",
        "是否拳头产品",
    )
    assert _lines(full_dir / "channel_contracts.csv", "utf-8")[0] == "渠道,开始日期,结束日期,费用,币种,说明"
    assert _lines(full_dir / "fx_rates.csv", "utf-8")[0] == "日期,币种,汇率"


def test_workbook_properties_carry_the_export_time(full_dir: Path) -> None:
    workbook = load_workbook(full_dir / "inquiry_register_2026-01.xlsx", read_only=True)
    assert workbook.properties.modified.isoformat() == "2026-01-31T18:00:00"
    assert workbook.properties.creator == "xunpan demo"
