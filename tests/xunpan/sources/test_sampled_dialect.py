"""A platform's spellings are read from its sample headers; fields given explicitly win."""

from __future__ import annotations

import pytest

from xunpan.sources import ad_spend
from xunpan.sources.meaning import sampled_dialect

SAMPLES = {
    "account": "日期,账户,展示数,点击数,消耗,平均点击价格",
    "campaign": "时间,账户,推广计划,消耗,点击均价,备注",
}


def test_spellings_come_from_the_samples_in_meaning_order() -> None:
    d = sampled_dialect(ad_spend.MEANINGS, "x", "x", "X report", ("x",), SAMPLES, "x")
    assert dict(d.spellings) == {
        "spend_date": ("日期", "时间"),
        "account": ("账户",),
        "campaign": ("推广计划",),
        "impressions": ("展示数",),
        "clicks": ("点击数",),
        "cost": ("消耗",),
        "_cpc": ("平均点击价格", "点击均价"),
    }
    assert d.spelling("_cpc", "?") == "平均点击价格"
    assert d.samples == SAMPLES


def test_given_fields_replace_the_sampled_ones() -> None:
    d = sampled_dialect(
        ad_spend.MEANINGS,
        "x",
        "x",
        "X report",
        ("x",),
        SAMPLES,
        "x",
        _cpc=("点击均价", "平均点击价格"),
        keyword=("关键词",),
    )
    assert d.spellings["_cpc"] == ("点击均价", "平均点击价格")
    assert d.spellings["keyword"] == ("关键词",)
    assert list(d.spellings)[-2:] == ["cost", "_cpc"]


def test_a_given_field_no_meaning_knows_is_refused() -> None:
    with pytest.raises(ValueError, match=r"dialect x: no meaning named \['spend'\]"):
        sampled_dialect(ad_spend.MEANINGS, "x", "x", "X report", (), SAMPLES, "x", spend=("消耗",))


def test_sogou_keeps_its_own_first_spelling_of_the_average_cpc() -> None:
    sogou = next(d for d in ad_spend.DIALECTS if d.name == "sogou")
    assert sogou.spellings["_cpc"] == ("点击均价", "平均点击价格")
    assert sogou.spellings["spend_date"] == ("日期", "时间")
