"""The demo company's fixed reference data: products, channels, keywords, names.

The demo company is a valve maker (球阀/蝶阀 plus actuators and accessories), the kind of
manufacturing SME the source article describes. Numbers here are chosen so that the generated
year reproduces the article's worked example (about 130 inquiries a month, 45 % from B2B platforms,
31 % SEO, 12 % Baidu PPC, 4 % social) with believable costs and margins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Brand:
    """Names that appear in account, shop and web columns of the exports."""

    name_zh: str
    legal_zh: str
    legal_en: str
    domain: str

    @property
    def baidu_account(self) -> str:
        """The Baidu 凤巢 account name."""
        return f"{self.name_zh}-凤巢"

    @property
    def sogou_account(self) -> str:
        """The Sogou account name."""
        return f"{self.name_zh}-搜狗"

    @property
    def alibaba_account(self) -> str:
        """The Alibaba.com login shown in P4P reports."""
        return f"{self.domain.split('.')[1]}-intl"

    @property
    def alibaba_shop(self) -> str:
        """The Alibaba.com shop name in 数据管家."""
        return self.legal_en

    @property
    def shop_1688(self) -> str:
        """The 1688 shop name in 生意参谋."""
        return self.legal_zh


def brand_for(company: str) -> Brand:
    """The demo brand; another company id gets its own names so two demo companies never share accounts."""
    if company == "default":
        return Brand(
            "恒通阀门", "苏州恒通阀门有限公司", "Suzhou Hengtong Valve Co., Ltd.", "www.hengtong-valve.com"
        )
    slug = "".join(ch for ch in company.lower() if ch.isalnum()) or "demo"
    return Brand(
        f"{slug}阀门",
        f"苏州{slug}阀门有限公司",
        f"Suzhou {slug.title()} Valve Co., Ltd.",
        f"www.{slug}-valve.com",
    )


@dataclass(frozen=True)
class Product:
    """One SKU: list price, unit cost components (cost card version 1) and demand."""

    sku: str
    name: str
    line: str
    flagship: bool
    price_cny: float
    material: float
    labor: float
    loss: float
    process: float
    # Material cost factor of the second cost card (stainless steel price rise); 1.0 = unchanged.
    material_rise: float
    quantity: tuple[int, int]
    interest: float
    slug: str


PRODUCTS: tuple[Product, ...] = (
    Product(
        "BV-DN50",
        "不锈钢球阀 DN50",
        "球阀",
        True,
        168.0,
        78.0,
        18.0,
        4.0,
        12.0,
        1.12,
        (200, 2000),
        0.26,
        "ball-valve-dn50",
    ),
    Product(
        "BV-DN25",
        "不锈钢球阀 DN25",
        "球阀",
        True,
        96.0,
        41.0,
        11.0,
        2.2,
        7.5,
        1.12,
        (300, 3000),
        0.18,
        "ball-valve-dn25",
    ),
    Product(
        "BF-DN100",
        "对夹式蝶阀 DN100",
        "蝶阀",
        True,
        420.0,
        236.0,
        42.0,
        9.5,
        31.0,
        1.0,
        (50, 600),
        0.20,
        "butterfly-valve-dn100",
    ),
    Product(
        "AT-63",
        "气动执行器 AT-63",
        "执行器",
        False,
        680.0,
        330.0,
        55.0,
        8.0,
        27.0,
        1.0,
        (20, 300),
        0.09,
        "pneumatic-actuator",
    ),
    Product(
        "EA-05",
        "电动执行器 0.5kN",
        "执行器",
        False,
        1280.0,
        760.0,
        80.0,
        15.0,
        45.0,
        1.0,
        (10, 120),
        0.06,
        "electric-actuator",
    ),
    Product(
        "PS-10",
        "阀门定位器 PS-10",
        "执行器",
        False,
        1650.0,
        1020.0,
        95.0,
        18.0,
        47.0,
        1.0,
        (10, 80),
        0.04,
        "valve-positioner",
    ),
    Product(
        "LS-01",
        "限位开关盒 LS-01",
        "配件",
        False,
        320.0,
        142.0,
        28.0,
        4.0,
        16.0,
        1.0,
        (20, 200),
        0.04,
        "limit-switch-box",
    ),
    Product(
        "HD-01",
        "球阀手柄 HD-01",
        "配件",
        False,
        12.0,
        3.1,
        1.2,
        0.2,
        0.5,
        1.08,
        (500, 5000),
        0.04,
        "valve-handle",
    ),
    Product(
        "SK-50",
        "密封圈套件 DN50",
        "配件",
        False,
        18.0,
        3.9,
        1.6,
        0.3,
        0.7,
        1.0,
        (500, 5000),
        0.05,
        "seal-kit-dn50",
    ),
    Product(
        "GK-100",
        "法兰垫片 DN100",
        "配件",
        False,
        8.0,
        3.0,
        0.8,
        0.2,
        0.2,
        1.10,
        (500, 8000),
        0.04,
        "flange-gasket-dn100",
    ),
)
PRODUCT_BY_SKU: dict[str, Product] = {p.sku: p for p in PRODUCTS}

# Cost-card overrides of the flagship classification (是否拳头产品): management promotes the butterfly
# valve as a flagship whatever its profit share, and explicitly keeps the handle out.
FLAGSHIP_OVERRIDES: dict[str, str] = {"BF-DN100": "是", "HD-01": "否"}


@dataclass(frozen=True)
class Channel:
    """A canonical channel as the demo simulates it.

    `valid_share` is the channel's share of valid inquiries (the article's channel mix), `invalid_rate`
    the share of its inquiries that turn out to be spam, sales pitches or duplicates, `quality` a
    multiplier on the chance that a valid inquiry becomes intentional.
    """

    channel_id: str
    valid_share: float
    invalid_rate: float
    quality: float
    labels: tuple[tuple[str, float], ...]
    contact_methods: tuple[tuple[str, float], ...]
    foreign: float


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "alibaba_intl",
        0.22,
        0.26,
        0.85,
        (("阿里国际站", 0.5), ("国际站", 0.3), ("阿里巴巴", 0.2)),
        (("旺旺/TM", 0.6), ("邮件", 0.4)),
        1.0,
    ),
    Channel("alibaba_1688", 0.14, 0.12, 1.0, (("1688", 1.0),), (("旺旺/TM", 0.7), ("电话", 0.3)), 0.0),
    Channel("made_in_china", 0.09, 0.18, 0.9, (("中国制造网", 1.0),), (("邮件", 0.8), ("电话", 0.2)), 0.9),
    Channel(
        "baidu_seo",
        0.23,
        0.07,
        1.05,
        (("自然搜索", 0.5), ("SEO", 0.5)),
        (("百度商桥", 0.35), ("电话", 0.3), ("QQ", 0.15), ("网站表单", 0.2)),
        0.0,
    ),
    Channel("google_seo", 0.08, 0.10, 1.0, (("谷歌", 1.0),), (("邮件", 0.6), ("网站表单", 0.4)), 1.0),
    Channel(
        "baidu_ppc",
        0.12,
        0.10,
        1.05,
        (("百度推广", 0.6), ("竞价", 0.4)),
        (("百度商桥", 0.5), ("电话", 0.35), ("网站表单", 0.15)),
        0.0,
    ),
    Channel("wechat", 0.03, 0.03, 1.1, (("微信", 1.0),), (("微信", 1.0),), 0.0),
    Channel("weibo", 0.01, 0.10, 0.7, (("微博", 1.0),), (("微信", 0.5), ("QQ", 0.5)), 0.0),
    Channel(
        "sogou_ppc", 0.015, 0.10, 0.9, (("搜狗", 1.0),), (("电话", 0.5), ("QQ", 0.3), ("网站表单", 0.2)), 0.0
    ),
    Channel("google_ads", 0.015, 0.12, 0.95, (("谷歌广告", 1.0),), (("邮件", 0.6), ("网站表单", 0.4)), 1.0),
    Channel(
        "exhibition", 0.015, 0.0, 1.5, (("展会", 1.0),), (("电话", 0.5), ("微信", 0.3), ("邮件", 0.2)), 0.3
    ),
    Channel("referral", 0.015, 0.0, 1.8, (("老客户介绍", 1.0),), (("电话", 0.6), ("微信", 0.4)), 0.1),
    Channel(
        "website_direct",
        0.012,
        0.10,
        1.0,
        (("官网", 1.0),),
        (("网站表单", 0.5), ("邮件", 0.3), ("QQ", 0.2)),
        0.2,
    ),
    # Labels no alias table can map: the warehouse must show them as channel `unknown`. They are real
    # buyers whose source the rep did not record, so never spam.
    Channel(
        "unknown", 0.008, 0.0, 0.8, (("其他平台", 0.6), ("客户没说", 0.4)), (("电话", 0.6), ("QQ", 0.4)), 0.0
    ),
)
CHANNEL_BY_ID: dict[str, Channel] = {c.channel_id: c for c in CHANNELS}

# The channel every register label is meant to mean: the dbt alias seed must agree (see the tests).
CHANNEL_OF_LABEL: dict[str, str] = {
    label: channel.channel_id for channel in CHANNELS for label, _ in channel.labels
}

CHANNEL_GROUPS: dict[str, str] = {
    "alibaba_intl": "b2b_platform",
    "alibaba_1688": "b2b_platform",
    "made_in_china": "b2b_platform",
    "baidu_seo": "organic_search",
    "google_seo": "organic_search",
    "baidu_ppc": "paid_search",
    "sogou_ppc": "paid_search",
    "google_ads": "paid_search",
    "wechat": "social",
    "weibo": "social",
    "website_direct": "website",
    "exhibition": "offline",
    "referral": "referral",
    "unknown": "other",
}

# Funnel rates of the article's worked example: 60/130 intentional, 40/60 effective, 10/40 won.
INTENTIONAL_RATE = 0.46
EFFECTIVE_RATE = 0.67
WIN_RATE = 0.25

INVALID_REASONS: tuple[tuple[str, float], ...] = (
    ("推销", 0.45),
    ("垃圾询盘", 0.25),
    ("重复询盘", 0.2),
    ("求职", 0.05),
    ("同行套价", 0.05),
)
# Alibaba.com's "inquiries" are often agents' sales pitches (article 003).
ALIBABA_INVALID_REASONS: tuple[tuple[str, float], ...] = (
    ("推销", 0.6),
    ("垃圾询盘", 0.25),
    ("重复询盘", 0.15),
)
LOST_REASONS: dict[str, tuple[str, ...]] = {
    "new": ("联系不上", "只是询价", "需求不匹配", "客户无回复"),
    "intentional": ("价格太高", "选择了其他供应商", "项目暂停"),
    "effective": ("样品未通过", "价格谈不拢", "交期太长", "付款方式不符", "项目取消"),
}

SALES_REPS_DOMESTIC: tuple[str, ...] = ("张伟", "王强", "刘洋")
SALES_REPS_EXPORT: tuple[str, ...] = ("李娜", "陈静")

COUNTRIES: tuple[tuple[str, float], ...] = (
    ("美国", 0.16),
    ("德国", 0.08),
    ("印度", 0.12),
    ("巴西", 0.07),
    ("俄罗斯", 0.09),
    ("越南", 0.08),
    ("阿联酋", 0.07),
    ("土耳其", 0.06),
    ("墨西哥", 0.06),
    ("澳大利亚", 0.05),
    ("意大利", 0.04),
    ("沙特阿拉伯", 0.05),
    ("印度尼西亚", 0.04),
    ("南非", 0.03),
)
COMPANY_SUFFIX_BY_COUNTRY: dict[str, str] = {
    "美国": "LLC",
    "德国": "GmbH",
    "印度": "Pvt. Ltd.",
    "巴西": "Ltda.",
    "俄罗斯": "LLC",
    "越南": "Co., Ltd.",
    "阿联酋": "FZE",
    "土耳其": "A.S.",
    "墨西哥": "S.A. de C.V.",
    "澳大利亚": "Pty Ltd",
    "意大利": "S.r.l.",
    "沙特阿拉伯": "Co.",
    "印度尼西亚": "PT",
    "南非": "(Pty) Ltd",
}
FOREIGN_WORDS: tuple[str, ...] = (
    "Apex",
    "Delta",
    "Northstar",
    "Pacific",
    "Atlas",
    "Orion",
    "Summit",
    "Vertex",
    "Sahara",
    "Baltic",
    "Andes",
    "Danube",
    "Crescent",
    "Harbor",
    "Redwood",
    "Meridian",
    "Falcon",
    "Granite",
    "Silverline",
    "Evergreen",
)
FOREIGN_TRADES: tuple[str, ...] = (
    "Industrial Supply",
    "Flow Control",
    "Valve Trading",
    "Process Equipment",
    "Engineering",
    "Water Systems",
    "Pipeline Solutions",
    "HVAC Supply",
)
FOREIGN_FIRST: tuple[str, ...] = (
    "John",
    "Maria",
    "Ahmed",
    "Priya",
    "Carlos",
    "Anna",
    "Mehmet",
    "Olga",
    "David",
    "Fatima",
    "Lucas",
    "Nguyen",
    "Raj",
    "Sofia",
    "Michael",
    "Elena",
)
FOREIGN_LAST: tuple[str, ...] = (
    "Smith",
    "Müller",
    "Khan",
    "Sharma",
    "Silva",
    "Ivanova",
    "Yilmaz",
    "Garcia",
    "Rossi",
    "Tran",
    "Brown",
    "Patel",
    "Hassan",
    "Lopez",
)
CITIES: tuple[str, ...] = (
    "宁波",
    "温州",
    "无锡",
    "佛山",
    "东莞",
    "天津",
    "济南",
    "成都",
    "武汉",
    "郑州",
    "石家庄",
    "合肥",
    "南京",
    "杭州",
)
NAME_SYLLABLES: tuple[str, ...] = (
    "华",
    "恒",
    "鑫",
    "达",
    "盛",
    "泰",
    "宏",
    "凯",
    "瑞",
    "德",
    "正",
    "远",
    "源",
    "通",
    "隆",
)
TRADES: tuple[str, ...] = (
    "化工",
    "水务",
    "环保设备",
    "机械",
    "流体设备",
    "石化工程",
    "制药设备",
    "暖通工程",
    "食品机械",
)
SURNAMES: tuple[str, ...] = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
)
PITCH_TRADES: tuple[str, ...] = ("网络科技", "信息咨询", "广告传媒", "网络推广")


@dataclass(frozen=True)
class PpcKeyword:
    """A Baidu 凤巢 keyword: plan, unit, daily impressions, CTR and CPC (CNY) on an average day."""

    plan: str
    unit: str
    keyword: str
    sku: str
    impressions: float
    ctr: float
    cpc: float

    @property
    def landing_path(self) -> str:
        """The PPC landing page of the keyword's product."""
        return f"/lp/{PRODUCT_BY_SKU[self.sku].slug}.html"


def baidu_keywords(brand: Brand) -> tuple[PpcKeyword, ...]:
    """The Baidu account's keywords; the generic 阀门厂家 term is the budget hog, as in most accounts."""
    return (
        PpcKeyword("品牌词", "品牌", brand.name_zh, "BV-DN50", 40, 0.12, 1.8),
        PpcKeyword("通用词", "厂家", "阀门厂家", "BV-DN50", 900, 0.018, 14.5),
        PpcKeyword("球阀", "不锈钢球阀", "不锈钢球阀", "BV-DN50", 380, 0.025, 9.0),
        PpcKeyword("球阀", "不锈钢球阀", "304不锈钢球阀", "BV-DN50", 160, 0.03, 8.0),
        PpcKeyword("球阀", "不锈钢球阀", "DN25球阀", "BV-DN25", 150, 0.028, 6.5),
        PpcKeyword("球阀", "气动球阀", "气动球阀", "AT-63", 180, 0.022, 10.0),
        PpcKeyword("蝶阀", "对夹蝶阀", "对夹式蝶阀", "BF-DN100", 220, 0.022, 8.5),
        PpcKeyword("蝶阀", "对夹蝶阀", "蝶阀厂家", "BF-DN100", 160, 0.02, 11.0),
        PpcKeyword("蝶阀", "对夹蝶阀", "DN100蝶阀", "BF-DN100", 70, 0.03, 7.0),
        PpcKeyword("执行器", "气动执行器", "气动执行器", "AT-63", 140, 0.02, 9.5),
        PpcKeyword("执行器", "电动执行器", "电动执行器", "EA-05", 120, 0.018, 10.5),
        PpcKeyword("执行器", "电动执行器", "电动阀门执行器", "EA-05", 50, 0.025, 9.0),
        PpcKeyword("配件", "阀门配件", "阀门定位器", "PS-10", 70, 0.02, 8.0),
        PpcKeyword("配件", "阀门配件", "限位开关盒", "LS-01", 45, 0.025, 6.0),
        PpcKeyword("配件", "阀门配件", "球阀密封圈", "SK-50", 60, 0.02, 4.0),
    )


@dataclass(frozen=True)
class P4pKeyword:
    """An Alibaba.com 外贸直通车 keyword (English, bought by the international shop)."""

    plan: str
    keyword: str
    impressions: float
    ctr: float
    cpc: float


P4P_KEYWORDS: tuple[P4pKeyword, ...] = (
    P4pKeyword("Ball Valves", "ball valve", 900, 0.012, 4.2),
    P4pKeyword("Ball Valves", "stainless steel ball valve", 500, 0.015, 5.1),
    P4pKeyword("Ball Valves", "3 piece ball valve", 260, 0.014, 3.6),
    P4pKeyword("Butterfly Valves", "butterfly valve", 700, 0.011, 4.8),
    P4pKeyword("Butterfly Valves", "wafer butterfly valve", 300, 0.013, 3.9),
    P4pKeyword("Actuators", "pneumatic actuator", 380, 0.012, 6.2),
    P4pKeyword("Actuators", "electric actuator", 260, 0.010, 7.4),
    P4pKeyword("Actuators", "valve positioner", 120, 0.012, 5.5),
)


@dataclass(frozen=True)
class GoogleAdGroup:
    """A Google Ads ad group of the English search campaign (costs in USD)."""

    campaign: str
    ad_group: str
    impressions: float
    ctr: float
    cpc_usd: float


GOOGLE_AD_GROUPS: tuple[GoogleAdGroup, ...] = (
    GoogleAdGroup("Search - Valves - EN", "Ball Valves", 160, 0.028, 1.55),
    GoogleAdGroup("Search - Valves - EN", "Butterfly Valves", 110, 0.024, 1.35),
    GoogleAdGroup("Search - Actuators - EN", "Actuators", 80, 0.022, 1.85),
)

# Organic search terms that bring website visitors (Baidu Tongji 搜索词) and the page they land on.
ORGANIC_TERMS_ZH: tuple[tuple[str, str, float], ...] = (
    ("球阀厂家", "/products/ball-valve-dn50.html", 30),
    ("不锈钢球阀价格", "/products/ball-valve-dn50.html", 22),
    ("蝶阀型号", "/products/butterfly-valve-dn100.html", 18),
    ("气动执行器原理", "/news/actuator-guide.html", 16),
    ("DN25球阀规格", "/products/ball-valve-dn25.html", 10),
)
ORGANIC_TERMS_EN: tuple[tuple[str, str, float], ...] = (
    ("ball valve manufacturer china", "/en/products/ball-valve-dn50.html", 9),
    ("wafer butterfly valve supplier", "/en/products/butterfly-valve-dn100.html", 6),
)
