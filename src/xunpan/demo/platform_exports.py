"""Monthly platform exports in their real layouts: ad spend, shop traffic and website traffic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from xunpan.demo.formats import money, percent, write_text_table, write_workbook
from xunpan.demo.period import Month
from xunpan.demo.spend import RESTATED_DAYS, AdRow
from xunpan.demo.traffic import PlatformDay, WebRow
from xunpan.demo.world import DemoWorld

_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _generated_at(month: Month) -> datetime:
    # Exports are pulled the morning after the range they cover.
    return datetime.combine(month.last + timedelta(days=1), time(8, 0))


def _in(rows: list[AdRow], first: date, last: date) -> list[AdRow]:
    return [r for r in rows if first <= r.day <= last]


def _cpc(cost: float, clicks: int) -> str:
    return f"{cost / clicks:.2f}" if clicks else "--"


def _baidu_file(
    path: Path,
    world: DemoWorld,
    rows: list[AdRow],
    first: date,
    last: date,
    generated: datetime,
    restated: bool,
) -> Path:
    preamble = [
        "报告名称：关键词报告",
        f"账户：{world.brand.baidu_account}",
        f"时间范围：{first:%Y-%m-%d}至{last:%Y-%m-%d}",
        f"数据生成时间：{generated:%Y-%m-%d %H:%M:%S}",
        "设备：全部",
        "推广方式：全部",
        "",
    ]
    body = []
    for r in rows:
        clicks, cost = (r.clicks, r.cost) if restated else (r.clicks_first, r.cost_first)
        body.append(
            [
                f"{r.day:%Y-%m-%d}",
                r.account,
                r.campaign,
                r.ad_group,
                r.keyword,
                r.impressions,
                clicks,
                money(cost),
                percent(clicks, r.impressions),
                _cpc(cost, clicks),
            ]
        )
    header = [
        "日期",
        "账户",
        "推广计划",
        "推广单元",
        "关键词",
        "展现",
        "点击",
        "消费",
        "点击率",
        "平均点击价格",
    ]
    return write_text_table(path, header, body, encoding="gbk", preamble=preamble)


def baidu_keyword(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`baidu_keyword_YYYYMM.csv`, plus `..._restated.csv` for the last whole month's final days."""
    paths = [
        _baidu_file(
            out / f"baidu_keyword_{month.yyyymm}.csv",
            world,
            _in(world.baidu, month.first, month.last),
            month.first,
            month.last,
            _generated_at(month),
            restated=False,
        )
    ]
    if world.period.last_whole_month() == month:
        first = month.last - timedelta(days=RESTATED_DAYS - 1)
        generated = datetime.combine(
            min(month.last + timedelta(days=6), world.period.end + timedelta(days=1)), time(9, 30)
        )
        paths.append(
            _baidu_file(
                out / f"baidu_keyword_{month.yyyymm}_restated.csv",
                world,
                _in(world.baidu, first, month.last),
                first,
                month.last,
                generated,
                restated=True,
            )
        )
    return paths


def sogou_account(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`sogou_account_YYYYMM.csv`: GBK, two preamble lines, a 总计 row right under the header."""
    rows = _in(world.sogou, month.first, month.last)
    impressions = sum(r.impressions for r in rows)
    clicks = sum(r.clicks for r in rows)
    cost = round(sum(r.cost for r in rows), 2)
    body: list[list[object]] = [
        ["总计", "--", impressions, clicks, money(cost), percent(clicks, impressions), _cpc(cost, clicks)]
    ]
    body += [
        [
            f"{r.day.year}/{r.day.month}/{r.day.day}",
            r.account,
            r.impressions,
            r.clicks,
            money(r.cost),
            percent(r.clicks, r.impressions),
            _cpc(r.cost, r.clicks),
        ]
        for r in rows
    ]
    preamble = ["搜狗推广账户报告", f"时间：{month.first:%Y/%m/%d}-{month.last:%Y/%m/%d}"]
    header = ["日期", "账户", "展示数", "点击数", "消耗", "点击率", "平均点击价格"]
    return [
        write_text_table(
            out / f"sogou_account_{month.yyyymm}.csv", header, body, encoding="gbk", preamble=preamble
        )
    ]


def alibaba_p4p(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`alibaba_p4p_YYYYMM.xlsx`: merged title, account line, dates as text, costs as numbers."""
    body = [
        [
            f"{r.day:%Y%m%d}",
            r.campaign,
            r.keyword,
            r.impressions,
            r.clicks,
            r.cost,
            round(r.cost / r.clicks, 2) if r.clicks else 0.0,
        ]
        for r in _in(world.p4p, month.first, month.last)
    ]
    header = ["日期", "推广计划", "关键词", "曝光量", "点击量", "花费(元)", "平均点击花费"]
    return [
        write_workbook(
            out / f"alibaba_p4p_{month.yyyymm}.xlsx",
            header,
            body,
            written_at=_generated_at(month),
            title="外贸直通车关键词报告",
            subtitle=f"账号：{world.brand.alibaba_account}",
        )
    ]


def google_ads(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`google_ads_YYYYMM.csv`: the Google Ads UI's campaign report download (UTF-8, USD)."""

    def spelled(day: date) -> str:
        return f"{_ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}"

    body = [
        [f"{r.day:%Y-%m-%d}", r.campaign, r.ad_group, r.impressions, r.clicks, r.currency, f"{r.cost:.2f}"]
        for r in _in(world.google, month.first, month.last)
    ]
    header = ["Day", "Campaign", "Ad group", "Impr.", "Clicks", "Currency code", "Cost"]
    return [
        write_text_table(
            out / f"google_ads_{month.yyyymm}.csv",
            header,
            body,
            encoding="utf-8",
            preamble=["Campaign report", f"{spelled(month.first)} - {spelled(month.last)}"],
        )
    ]


def _shop_days(world: DemoWorld, platform: str, month: Month) -> list[PlatformDay]:
    return [
        d for d in world.platform_traffic if d.platform == platform and month.first <= d.day <= month.last
    ]


def alibaba_datamanager(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`alibaba_datamanager_YYYYMM.xlsx`: Alibaba.com 数据管家 daily shop traffic."""
    body = [
        [f"{d.day:%Y-%m-%d}", d.shop, d.exposures, d.visitors, d.clicks, d.inquiries, d.consultations]
        for d in _shop_days(world, "alibaba_intl", month)
    ]
    header = ["统计日期", "店铺", "曝光量", "访客数", "点击量", "询盘数", "TM咨询数"]
    return [
        write_workbook(
            out / f"alibaba_datamanager_{month.yyyymm}.xlsx", header, body, written_at=_generated_at(month)
        )
    ]


def traffic_1688(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`1688_traffic_YYYYMM.csv`: 生意参谋 export, UTF-8 with BOM."""
    body = [
        [f"{d.day:%Y-%m-%d}", d.shop, d.exposures, d.visitors, d.clicks, d.inquiries, d.consultations]
        for d in _shop_days(world, "alibaba_1688", month)
    ]
    header = ["日期", "店铺名称", "曝光", "访客数", "点击数", "询盘数", "旺旺咨询数"]
    return [write_text_table(out / f"1688_traffic_{month.yyyymm}.csv", header, body, encoding="utf-8-sig")]


def made_in_china(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`made_in_china_YYYYMM.csv`: Excel "Unicode text" (UTF-16 LE with BOM, tab-separated)."""
    body = [
        [f"{d.day:%Y-%m-%d}", d.exposures, d.visitors, d.clicks, d.inquiries]
        for d in _shop_days(world, "made_in_china", month)
    ]
    header = ["日期", "展示次数", "访问量", "点击次数", "询盘数"]
    return [
        write_text_table(
            out / f"made_in_china_{month.yyyymm}.csv", header, body, encoding="utf-16-le", delimiter="\t"
        )
    ]


def baidu_tongji(out: Path, world: DemoWorld, month: Month) -> list[Path]:
    """`baidu_tongji_YYYYMM.csv`: 百度统计 来源分析, GBK, two preamble lines."""
    rows: list[WebRow] = [r for r in world.web_traffic if month.first <= r.day <= month.last]
    body = [
        [
            f"{r.day:%Y-%m-%d}",
            r.source_type,
            r.site,
            r.term,
            r.page,
            r.pageviews,
            r.visitors,
            r.visits,
            r.conversions,
        ]
        for r in rows
    ]
    header = [
        "日期",
        "来源类型",
        "来源网站",
        "搜索词",
        "入口页面",
        "浏览量(PV)",
        "访客数(UV)",
        "访问次数",
        "转化次数",
    ]
    preamble = ["百度统计 - 来源分析", f"时间：{month.first:%Y-%m-%d} - {month.last:%Y-%m-%d}"]
    return [
        write_text_table(
            out / f"baidu_tongji_{month.yyyymm}.csv", header, body, encoding="gbk", preamble=preamble
        )
    ]


MONTHLY_EXPORTS: tuple[Callable[[Path, DemoWorld, Month], list[Path]], ...] = (
    baidu_keyword,
    sogou_account,
    alibaba_p4p,
    google_ads,
    alibaba_datamanager,
    traffic_1688,
    made_in_china,
    baidu_tongji,
)
