"""The dashboards compute what dbt computes (issue 8): checked through the chart-data API.

Figures worked out by hand from serving_data.py. The company's data runs through 2026-10-31, so
its last complete month is October and its last complete ISO week is 2026-10-19..25.
October's valid inquiries: alibaba Q13 Q14 Q15 (3), ppc Q16 Q17 (2), seo Q18 Q19 (2), wechat Q20 (1) = 8.
October's spend: alibaba 3,000 + 500 = 3,500.00; ppc 4,000 - 2 x 1,333.33 = 1,333.34; seo 600.00;
wechat 0 -> 5,433.34.
"""

from __future__ import annotations

import json
import os
import urllib.parse

import duckdb
import pytest
from company_data import publish_existing, publish_two_companies

from xunpan.dashboards.browser import chart_texts_with_filter

pytestmark = [pytest.mark.slow]

COMPANY = "default"  # the company of serving_data.py's hand-made rows (conftest publishes them as is)
MONTH = "上个完整月 Last complete month"
WEEK = "上个完整周 Last complete week"


def _in(column: str, *values) -> dict:
    return {"col": column, "op": "IN", "val": list(values)}


def _company(*values) -> dict:
    return _in("company_id", *(values or (COMPANY,)))


def _by(rows: list[dict], key: str, value_key: str) -> dict:
    return {row[key]: row[value_key] for row in rows}


def test_channel_share_divides_by_the_companys_whole_period_whatever_the_filter(superset_stack):
    client = superset_stack.client()
    month = [_company(), _in("reporting_month", MONTH)]
    rows = client.query_metrics(
        "channel_share_daily", ["channel_share", "inquiries_valid"], ["channel_id"], month
    )
    assert _by(rows, "channel_id", "channel_share") == pytest.approx(
        {"alibaba_intl": 3 / 8, "baidu_ppc": 2 / 8, "baidu_seo": 2 / 8, "wechat": 1 / 8}
    )
    # A channel-group filter leaves PPC alone: its share is still 2 of the company's 8, not 100 %.
    (paid,) = client.query_metrics(
        "channel_share_daily",
        ["channel_share"],
        ["channel_id"],
        [*month, _in("channel_group", "paid_search")],
    )
    assert paid == {"channel_id": "baidu_ppc", "channel_share": pytest.approx(0.25)}
    # Two channels without a group-by: (3 + 2) / 8.
    (two,) = client.query_metrics(
        "channel_share_daily",
        ["channel_share", "company_inquiries_valid"],
        filters=[*month, _in("channel_id", "alibaba_intl", "baidu_seo")],
    )
    assert two["channel_share"] == pytest.approx(5 / 8)
    assert two["company_inquiries_valid"] == pytest.approx(8)
    # All time: WeChat has Q11 and Q20 of 18 valid inquiries.
    (wechat,) = client.query_metrics(
        "channel_share_daily", ["channel_share"], filters=[_company(), _in("channel_id", "wechat")]
    )
    assert wechat["channel_share"] == pytest.approx(2 / 18)
    # The last complete week holds one valid inquiry (Q19, SEO): Alibaba's share of it is 0, not undefined.
    week = client.query_metrics(
        "channel_share_daily",
        ["channel_share"],
        ["channel_id"],
        [_company(), _in("reporting_week", WEEK), _in("channel_id", "alibaba_intl", "baidu_seo")],
    )
    assert _by(week, "channel_id", "channel_share") == pytest.approx({"alibaba_intl": 0.0, "baidu_seo": 1.0})


def test_company_filter_and_every_dataset_carry_company_id(superset_stack):
    client = superset_stack.client()
    (company,) = client.query_metrics("dim_companies", ["companies"], ["company_id", "data_through"])
    assert company == {"company_id": COMPANY, "data_through": "2026-10-31", "companies": 1}
    # A company filter naming another company leaves nothing, on every dataset the dashboards use.
    for dataset, metric in [
        ("mart_channel_cost_per_inquiry", "spend_total_cny"),
        ("mart_channel_cost_per_inquiry_monthly", "spend_total_cny"),
        ("mart_inquiry_funnel", "inquiries_total"),
        ("mart_inquiry_funnel_monthly", "inquiries_valid"),
        ("mart_inquiry_funnel_stages", "inquiries"),
        ("mart_product_margin", "revenue_cny"),
        ("fct_inquiries", "inquiries"),
        ("channel_share_daily", "inquiries_valid"),
        ("dim_companies", "companies"),
    ]:
        mine = client.query_metrics(dataset, [metric], ["company_id"], [_company()])
        assert [row["company_id"] for row in mine] == [COMPANY], dataset
        assert client.query_metrics(dataset, [metric], ["company_id"], [_company("no_such_company")]) == [], (
            dataset
        )


def test_default_period_is_what_the_marts_say_for_the_last_complete_month(superset_stack):
    client = superset_stack.client()
    # The cost dashboard's own default: the month filter's stored default, applied as the page applies it.
    answer = client.get("/api/v1/dashboard/channel-cost")
    natives = json.loads(answer["result"]["json_metadata"])["native_filter_configuration"]
    month = next(f for f in natives if f["id"].endswith("-month"))
    default = month["defaultDataMask"]["extraFormData"]["filters"]
    assert default == [_in("reporting_month", MONTH)]
    rows = client.query_metrics(
        "mart_channel_cost_per_inquiry",
        ["cost_per_inquiry", "spend_total_cny"],
        ["channel_id"],
        [_company(), *default],
    )
    assert _by(rows, "channel_id", "spend_total_cny") == pytest.approx(
        {"alibaba_intl": 3500.00, "baidu_ppc": 1333.34, "baidu_seo": 600.00, "wechat": 0.00}
    )
    assert _by(rows, "channel_id", "cost_per_inquiry") == pytest.approx(
        {"alibaba_intl": 3500 / 3, "baidu_ppc": 1333.34 / 2, "baidu_seo": 300.00, "wechat": 0.00}
    )
    (total,) = client.query_metrics(
        "mart_channel_cost_per_inquiry",
        ["cost_per_inquiry", "spend_total_cny"],
        filters=[_company(), *default],
    )
    assert total["spend_total_cny"] == pytest.approx(5433.34)
    assert total["cost_per_inquiry"] == pytest.approx(5433.34 / 8)
    # The same figure straight from the published mart, with its own flag.
    serving = superset_stack.settings.serving_dir / "current.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        spend, valid = con.execute(
            "select sum(spend_total_cny), sum(inquiries_valid) from mart_channel_cost_per_inquiry "
            "where company_id = ? and is_last_complete_month",
            [COMPANY],
        ).fetchone()
    assert float(spend) == pytest.approx(total["spend_total_cny"]) and valid == 8
    # The funnel and the monthly cost mart agree with the daily one on the month.
    (funnel,) = client.query_metrics(
        "mart_inquiry_funnel", ["inquiries_valid"], filters=[_company(), *default]
    )
    (monthly,) = client.query_metrics(
        "mart_channel_cost_per_inquiry_monthly",
        ["spend_total_cny", "inquiries_valid"],
        filters=[_company(), *default],
    )
    assert funnel["inquiries_valid"] == monthly["inquiries_valid"] == 8
    assert monthly["spend_total_cny"] == pytest.approx(5433.34)
    # The inquiry list takes its periods from dim_companies: October 8 inquiries (Q13..Q20), the
    # last complete week (2026-10-19..25) one (Q19), like the funnel mart's flags.
    for dataset, metric in [("fct_inquiries", "inquiries"), ("mart_inquiry_funnel", "inquiries_total")]:
        (in_month,) = client.query_metrics(
            dataset, [metric], filters=[_company(), _in("reporting_month", MONTH)]
        )
        (in_week,) = client.query_metrics(
            dataset, [metric], filters=[_company(), _in("reporting_week", WEEK)]
        )
        assert (in_month[metric], in_week[metric]) == (8, 1), dataset


def test_unknown_cost_gives_no_roi_and_no_margin_and_coverage_says_why(superset_stack):
    client = superset_stack.client()
    # Q10 (SEO, September, 41,000.00 won) has no costed order: coverage 0 and ROI unknown, never -100 %.
    september = [_company(), {"col": "date_day", "op": "TEMPORAL_RANGE", "val": "2026-09-01 : 2026-10-01"}]
    rows = client.query_metrics(
        "mart_channel_cost_per_inquiry",
        ["cost_coverage", "roi", "won_gross_profit_cny", "won_revenue_cny"],
        ["channel_id"],
        [*september, _in("channel_id", "baidu_seo", "alibaba_intl")],
    )
    seo, alibaba = _by(rows, "channel_id", "roi")["baidu_seo"], _by(rows, "channel_id", "roi")["alibaba_intl"]
    assert seo is None and _by(rows, "channel_id", "won_gross_profit_cny")["baidu_seo"] is None
    assert _by(rows, "channel_id", "cost_coverage")["baidu_seo"] == pytest.approx(0.0)
    # Alibaba in September: Q07 18,000.00 won, gross profit 30 % = 5,400.00, spend 3,500.00 -> (5400-3500)/3500.
    assert alibaba == pytest.approx((5400 - 3500) / 3500)
    # Over all channels in September the coverage is 18,000 / (18,000 + 41,000) and ROI stays unknown.
    (total,) = client.query_metrics(
        "mart_channel_cost_per_inquiry", ["cost_coverage", "roi"], filters=september
    )
    assert total["cost_coverage"] == pytest.approx(18000 / 59000) and total["roi"] is None
    # October (the default month) is fully costed: Q15 26,000.00 won, profit 7,800.00, spend 5,433.34.
    (october,) = client.query_metrics(
        "mart_channel_cost_per_inquiry_monthly",
        ["cost_coverage", "roi"],
        filters=[_company(), _in("reporting_month", MONTH)],
    )
    assert october["cost_coverage"] == pytest.approx(1.0)
    assert october["roi"] == pytest.approx((7800 - 5433.34) / 5433.34)
    # Product margin: September's P-200 (20,000.00) has no cost card -> coverage 100,000 / 120,000 and
    # every margin figure of September is unknown; October's is 44,000 / 120,000.
    margin_sep = [
        _company(),
        {"col": "month_start", "op": "TEMPORAL_RANGE", "val": "2026-09-01 : 2026-10-01"},
    ]
    (sep,) = client.query_metrics(
        "mart_product_margin",
        ["cost_coverage", "gross_profit_cny", "gross_margin_rate", "contribution_cny"],
        filters=margin_sep,
    )
    assert sep["cost_coverage"] == pytest.approx(100000 / 120000)
    assert (
        sep["gross_profit_cny"] is None
        and sep["gross_margin_rate"] is None
        and sep["contribution_cny"] is None
    )
    (oct_margin,) = client.query_metrics(
        "mart_product_margin",
        ["cost_coverage", "gross_margin_rate"],
        filters=[_company(), _in("reporting_month", MONTH)],
    )
    assert oct_margin["cost_coverage"] == pytest.approx(1.0)
    assert oct_margin["gross_margin_rate"] == pytest.approx(44000 / 120000)


def test_lost_stage_and_cohort_maturity(superset_stack):
    client = superset_stack.client()
    stages = client.query_metrics("mart_inquiry_funnel_stages", ["inquiries"], ["stage_name"], [_company()])
    assert _by(stages, "stage_name", "inquiries")["6 流失 Lost"] == 4  # Q02 Q05 Q06 Q16
    october = client.query_metrics(
        "mart_inquiry_funnel_stages",
        ["inquiries"],
        ["stage_name"],
        [_company(), _in("reporting_month", MONTH)],
    )
    assert _by(october, "stage_name", "inquiries") == {
        "1 总询盘 Total": 8,
        "2 合格询盘 Valid": 8,
        "3 意向询盘 Intentional": 4,  # Q13 Q15 Q16 Q18
        "4 有效询盘 Effective": 1,  # Q15
        "5 成交询盘 Won": 1,  # Q15
        "6 流失 Lost": 1,  # Q16
    }
    by_stage = client.query_metrics("fct_inquiries", ["inquiries"], ["stage_name"], [_company()])
    assert _by(by_stage, "stage_name", "inquiries")["流失 Lost"] == 4
    # Cohorts by received month: open share = open / valid. August 0/4, September 3/6
    # (Q08 Q11 Q12), October 6/8 (Q13 Q14 Q17 Q18 Q19 Q20). Mature when at most 25 % is open.
    cohorts = client.query_metrics(
        "mart_inquiry_funnel_monthly", ["open_share"], ["month_start", "cohort_maturity"], [_company()]
    )
    assert sorted((row["open_share"], row["cohort_maturity"]) for row in cohorts) == [
        (pytest.approx(0.0), "成熟 Mature"),
        (pytest.approx(0.5), "未成熟 Immature"),
        (pytest.approx(0.75), "未成熟 Immature"),
    ]
    # The monthly cost rows carry the same marking next to cost per won.
    marked = client.query_metrics(
        "mart_channel_cost_per_inquiry_monthly", ["cost_per_won"], ["cohort_maturity"], [_company()]
    )
    labels = {row["cohort_maturity"] for row in marked}
    assert labels == {
        "成熟 Mature",
        "未成熟 Immature: 50% 仍在跟进 still open",
        "未成熟 Immature: 75% 仍在跟进 still open",
    }


def test_dashboard_listing_is_reachable_by_slug(superset_stack):
    client = superset_stack.client()
    for slug in ("channel-cost", "inquiries", "inquiry-funnel", "product-margin"):
        answer = client.get(f"/api/v1/dashboard/{urllib.parse.quote(slug)}")
        natives = json.loads(answer["result"]["json_metadata"])["native_filter_configuration"]
        assert {f["name"] for f in natives} >= {"公司 Company", "报告期（月） Reporting month"}, slug


def test_two_companies_are_never_summed_unless_asked(superset_stack):
    """acme holds every hand-made row, beta only the Baidu PPC ones (see company_data.py)."""
    serving_dir = superset_stack.settings.serving_dir
    before = serving_dir / os.readlink(serving_dir / "current.duckdb")
    publish_two_companies(serving_dir, "serving-two-companies")
    try:
        client = superset_stack.client()
        companies = client.query_metrics("dim_companies", ["companies"], ["company_id", "data_through"])
        assert sorted((r["company_id"], r["data_through"]) for r in companies) == [
            ("acme", "2026-10-31"),
            ("beta", "2026-10-31"),
        ]
        month = [_in("reporting_month", MONTH)]
        # October per company: acme 5,433.34 over 8 valid; beta (PPC only) 1,333.34 over 2 (Q16 Q17).
        cpi = client.query_metrics(
            "mart_channel_cost_per_inquiry", ["cost_per_inquiry"], ["company_id"], month
        )
        assert _by(cpi, "company_id", "cost_per_inquiry") == pytest.approx(
            {"acme": 5433.34 / 8, "beta": 1333.34 / 2}
        )
        (beta,) = client.query_metrics(
            "mart_channel_cost_per_inquiry", ["cost_per_inquiry"], filters=[*month, _company("beta")]
        )
        assert beta["cost_per_inquiry"] == pytest.approx(666.67)
        # PPC's share is each company's own: 2 of acme's 8, 2 of beta's 2.
        share = client.query_metrics(
            "channel_share_daily", ["channel_share"], ["company_id"], [*month, _in("channel_id", "baidu_ppc")]
        )
        assert _by(share, "company_id", "channel_share") == pytest.approx({"acme": 0.25, "beta": 1.0})
        # The funnel stages keep company_id: beta's October is Q16 (lost at intentional) and Q17.
        stages = client.query_metrics(
            "mart_inquiry_funnel_stages", ["inquiries"], ["stage_name"], [*month, _company("beta")]
        )
        assert _by(stages, "stage_name", "inquiries") == {
            "1 总询盘 Total": 2,
            "2 合格询盘 Valid": 2,
            "3 意向询盘 Intentional": 1,
            "4 有效询盘 Effective": 0,
            "5 成交询盘 Won": 0,
            "6 流失 Lost": 1,
        }
    finally:
        publish_existing(serving_dir, before)


@pytest.mark.browser
def test_the_last_complete_week_is_one_pick_away_in_the_browser(superset_stack):
    """On the inquiries dashboard, picking 上个完整周 narrows October (8) to 2026-10-19..25: Q19 only."""
    texts, state = chart_texts_with_filter(
        superset_stack.url,
        superset_stack.username,
        superset_stack.password,
        "inquiries",
        "报告期（周） Reporting week",
        WEEK,
        superset_stack.artifacts / "week",
    )
    applied = {
        key.rsplit("-", 1)[1]: (mask.get("filterState") or {}).get("value") for key, mask in state.items()
    }
    assert applied["week"] == [WEEK] and applied["month"] == [MONTH]
    assert texts["询盘数 Inquiries"].split()[-1] == "1"
    assert "Q19" in texts["询盘明细 Inquiry list"] and "Q13" not in texts["询盘明细 Inquiry list"]
