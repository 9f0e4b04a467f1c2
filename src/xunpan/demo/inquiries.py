"""Simulated inquiries: who asked, through which channel, and how each one moved through the funnel."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from xunpan.demo import catalog, names
from xunpan.demo.catalog import CHANNELS, PRODUCTS, Brand, Channel
from xunpan.demo.period import DemoPeriod
from xunpan.demo.profile import DemoProfile, daily_intensity
from xunpan.demo.sampling import allocate, choice, pick, triangular_days
from xunpan.sources.register_labels import STAGE_LABEL_ZH

# The labels the demo's register writes: the importer's own (one module, issue 13).
STAGE_LABELS: dict[str, str] = STAGE_LABEL_ZH
# Order of the funnel; lost and invalid end an inquiry wherever it stood.
FUNNEL = ("new", "intentional", "effective", "won")
# Which date columns a sales rep bothers to fill, per inquiry (the rest stay empty, as in real registers).
FILL_RATES: dict[str, float] = {
    "intentional": 0.6,
    "effective": 0.6,
    "won": 0.65,
    "lost": 0.55,
    "lost_reason": 0.85,
    "invalid_reason": 0.9,
}
# Share of rows typed as text ("2026/1/5 10:32") instead of real Excel datetimes.
TEXT_DATE_RATE = 0.12
# Hours at which domestic buyers call or chat (foreign buyers write around the clock).
_DOMESTIC_HOURS = (
    (8, 1.0),
    (9, 3.0),
    (10, 4.0),
    (11, 4.0),
    (12, 1.0),
    (13, 2.0),
    (14, 4.0),
    (15, 4.0),
    (16, 3.0),
    (17, 2.0),
    (18, 1.0),
    (19, 1.0),
    (20, 1.0),
    (21, 0.5),
)
# The register is exported at 18:00; nothing received later that day appears in it.
EXPORT_TIME = time(18, 0)
WEBSITE_METHODS = frozenset({"百度商桥", "网站表单"})


@dataclass
class Inquiry:
    """One register row's whole life; `events` are (stage, when) in time order."""

    inquiry_id: str
    received_at: datetime
    channel_id: str
    label: str
    contact_method: str
    company: str
    contact: str
    country: str
    foreign: bool
    product_sku: str
    sales_rep: str
    keyword: str = ""
    landing_page: str = ""
    events: list[tuple[str, datetime]] = field(default_factory=list)
    invalid_reason: str = ""
    lost_reason: str = ""
    filled: frozenset[str] = frozenset()
    text_dates: bool = False
    deal_amount: float | None = None
    deal_currency: str = ""
    # What the invalid-inquiry rules read (dbt seed invalid_inquiry_rules); see _contact_details.
    email: str = ""
    phone: str = ""
    message: str = ""

    @property
    def is_invalid(self) -> bool:
        """Whether the inquiry is (eventually) marked invalid."""
        return any(stage == "invalid" for stage, _ in self.events)

    def stage_at(self, moment: datetime) -> str:
        """The stage the register shows when exported at `moment`."""
        stage = "new"
        for kind, at in self.events:
            if at <= moment:
                stage = kind
        return stage

    def event_time(self, kind: str) -> datetime | None:
        """When the inquiry reached `kind`, or None if it never does."""
        return next((at for stage, at in self.events if stage == kind), None)

    def reached_at(self, moment: datetime) -> str:
        """The furthest funnel stage reached by `moment` (lost inquiries keep the stage they lost at)."""
        reached = "new"
        for kind, at in self.events:
            if at <= moment and kind in FUNNEL:
                reached = kind
        return reached


def channel_mix(profile: DemoProfile) -> list[tuple[Channel, float]]:
    """Each channel's share of valid inquiries, with the profile's share of unmappable labels."""
    others = sum(c.valid_share for c in CHANNELS if c.channel_id != "unknown")
    return [
        (
            c,
            profile.unknown_share
            if c.channel_id == "unknown"
            else c.valid_share / others * (1 - profile.unknown_share),
        )
        for c in CHANNELS
    ]


def _outcome_weights(mix: list[tuple[Channel, float]]) -> dict[str, list[float]]:
    """Per channel, the chance of ending new-lost, intentional-lost, effective-lost or won.

    Channel quality shifts the intentional rate, normalised so the valid-weighted average stays at
    the article's 46 %.
    """
    average_quality = sum(share * c.quality for c, share in mix)
    weights: dict[str, list[float]] = {}
    for c, _ in mix:
        intentional = min(0.95, catalog.INTENTIONAL_RATE * c.quality / average_quality)
        effective = intentional * catalog.EFFECTIVE_RATE
        won = effective * catalog.WIN_RATE
        weights[c.channel_id] = [1 - intentional, intentional - effective, effective - won, won]
    return weights


def _received_time(rng: np.random.Generator, day: date, foreign: bool, last_day: date) -> datetime:
    hour = int(rng.integers(0, 24)) if foreign else pick(rng, _DOMESTIC_HOURS)
    if day == last_day and hour >= EXPORT_TIME.hour:
        hour = int(rng.integers(8, EXPORT_TIME.hour))
    return datetime.combine(day, time(hour, int(rng.integers(0, 60))))


def _event_time(rng: np.random.Generator, received: datetime, days: float, previous: datetime) -> datetime:
    """When a stage change is recorded: `days` after receipt, during office hours, after the previous one."""
    at = (received + timedelta(days=days)).replace(second=0, microsecond=0)
    if not 9 <= at.hour < 19:
        at = at.replace(hour=int(rng.integers(9, 19)), minute=int(rng.integers(0, 60)))
    if at <= previous:
        at = previous + timedelta(minutes=int(rng.integers(30, 240)))
    return at


def _timeline(
    rng: np.random.Generator, received: datetime, outcome: int, cycle: tuple[float, float, float]
) -> list[tuple[str, float]]:
    """Stage changes as (stage, days after receipt) for outcome 0 new-lost … 3 won."""
    if outcome == 3:
        total = triangular_days(rng, *cycle)
        to_intentional = float(rng.uniform(0.2, min(10.0, 0.3 * total)))
        to_effective = to_intentional + float(rng.uniform(0.25, 0.75)) * (total - to_intentional)
        return [("intentional", to_intentional), ("effective", to_effective), ("won", total)]
    if outcome == 0:
        return [("lost", float(rng.uniform(2, 30)))]
    to_intentional = float(rng.uniform(0.2, 10))
    if outcome == 1:
        return [("intentional", to_intentional), ("lost", to_intentional + float(rng.uniform(5, 45)))]
    to_effective = to_intentional + float(rng.uniform(4, 35))
    return [
        ("intentional", to_intentional),
        ("effective", to_effective),
        ("lost", to_effective + float(rng.uniform(7, 60))),
    ]


def _search_details(
    rng: np.random.Generator, inquiry: Inquiry, brand: Brand, ppc: tuple[catalog.PpcKeyword, ...]
) -> None:
    """Keyword and landing page the website channels leave in the register (empty for the others)."""
    site = f"https://{brand.domain}"
    channel = inquiry.channel_id
    if channel in ("baidu_ppc", "sogou_ppc"):
        matching = [k for k in ppc if k.sku == inquiry.product_sku] or list(ppc)
        keyword = pick(rng, [(k, k.impressions * k.ctr) for k in matching])
        inquiry.keyword = keyword.keyword
        inquiry.landing_page = site + keyword.landing_path
    elif channel in ("baidu_seo", "google_seo"):
        terms = catalog.ORGANIC_TERMS_ZH if channel == "baidu_seo" else catalog.ORGANIC_TERMS_EN
        if rng.random() < 0.6:
            term, path = pick(rng, [((term, path), weight) for term, path, weight in terms])
            inquiry.keyword, inquiry.landing_page = term, site + path
        else:
            inquiry.landing_page = site + ("/" if channel == "baidu_seo" else "/en/")
    elif channel == "google_ads":
        slug = catalog.PRODUCT_BY_SKU[inquiry.product_sku].slug if inquiry.product_sku else "ball-valve-dn50"
        inquiry.keyword = slug.replace("-", " ")
        inquiry.landing_page = f"{site}/en/lp/{slug}.html"
    elif channel == "website_direct":
        inquiry.landing_page = site + "/"
    elif channel == "alibaba_intl" and rng.random() < 0.4:
        inquiry.keyword = choice(rng, catalog.P4P_KEYWORDS).keyword


def _make_invalid(rng: np.random.Generator, inquiry: Inquiry, earlier: list[Inquiry]) -> None:
    reasons = (
        catalog.ALIBABA_INVALID_REASONS if inquiry.channel_id == "alibaba_intl" else catalog.INVALID_REASONS
    )
    reason = pick(rng, reasons)
    same_channel = [q for q in earlier if q.channel_id == inquiry.channel_id and not q.is_invalid]
    if reason == "重复询盘" and same_channel:
        original = choice(rng, same_channel[-20:])
        inquiry.company, inquiry.contact = original.company, original.contact
        inquiry.country, inquiry.foreign, inquiry.product_sku = (
            original.country,
            original.foreign,
            original.product_sku,
        )
    elif reason == "推销":
        # Agents selling SEO, ads or certification write from domestic companies, whatever the platform.
        inquiry.company = names.pitch_company(rng)
        inquiry.contact, inquiry.country, inquiry.foreign, inquiry.product_sku = (
            names.domestic_contact(rng),
            "中国",
            False,
            "",
        )
    elif reason == "同行套价":
        inquiry.company = names.competitor_company(rng)
        inquiry.country, inquiry.foreign = "中国", False
    else:
        reason = "垃圾询盘" if reason == "重复询盘" else reason
        inquiry.company, inquiry.product_sku = "", ""
    inquiry.invalid_reason = reason
    inquiry.events = [
        ("invalid", _event_time(rng, inquiry.received_at, float(rng.uniform(0.05, 3)), inquiry.received_at))
    ]


def simulate_inquiries(
    rng: np.random.Generator,
    period: DemoPeriod,
    profile: DemoProfile,
    brand: Brand,
    ppc: tuple[catalog.PpcKeyword, ...],
) -> list[Inquiry]:
    """Every inquiry received in the period up to the final export, with its whole stage timeline.

    Events may lie after the period's end: those stages have simply not happened yet when the last
    register is exported, which is what leaves recent inquiries open.
    """
    mix = channel_mix(profile)
    total_weights = [share / (1 - c.invalid_rate) for c, share in mix]
    base_per_day = profile.inquiries_per_month * 12 / 365.25
    per_day = rng.poisson(base_per_day * daily_intensity(period))
    days = [d for d, n in zip(period.days, per_day, strict=True) for _ in range(int(n))]
    channel_index = allocate(rng, len(days), total_weights)

    drafts: list[Inquiry] = []
    for day, index in zip(days, channel_index, strict=True):
        channel = mix[index][0]
        foreign = bool(rng.random() < channel.foreign)
        country = pick(rng, catalog.COUNTRIES) if foreign else "中国"
        drafts.append(
            Inquiry(
                inquiry_id="",
                received_at=_received_time(rng, day, foreign, period.end),
                channel_id=channel.channel_id,
                label=pick(rng, channel.labels),
                contact_method=pick(rng, channel.contact_methods),
                company=names.foreign_company(rng, country) if foreign else names.domestic_company(rng),
                contact=names.foreign_contact(rng) if foreign else names.domestic_contact(rng),
                country=country,
                foreign=foreign,
                product_sku=pick(rng, [(p.sku, p.interest) for p in PRODUCTS]),
                sales_rep=choice(rng, catalog.SALES_REPS_EXPORT if foreign else catalog.SALES_REPS_DOMESTIC),
                filled=frozenset(k for k, rate in FILL_RATES.items() if rng.random() < rate),
                text_dates=bool(rng.random() < TEXT_DATE_RATE),
            )
        )
    drafts.sort(key=lambda q: q.received_at)
    _number(drafts)

    outcome_weights = _outcome_weights(mix)
    for channel, _ in mix:
        members = [q for q in drafts if q.channel_id == channel.channel_id]
        invalid_flags = allocate(rng, len(members), [1 - channel.invalid_rate, channel.invalid_rate])
        valid = [q for q, flag in zip(members, invalid_flags, strict=True) if not flag]
        outcomes = allocate(rng, len(valid), outcome_weights[channel.channel_id])
        for inquiry, outcome in zip(valid, outcomes, strict=True):
            previous = inquiry.received_at
            for stage, days_after in _timeline(rng, inquiry.received_at, outcome, profile.won_cycle_days):
                previous = _event_time(rng, inquiry.received_at, days_after, previous)
                inquiry.events.append((stage, previous))
            if outcome < 3:
                lost_from = inquiry.events[-2][0] if len(inquiry.events) > 1 else "new"
                inquiry.lost_reason = choice(rng, catalog.LOST_REASONS[lost_from])
        for inquiry, flag in zip(members, invalid_flags, strict=True):
            if flag:
                _make_invalid(rng, inquiry, [q for q in drafts if q.received_at < inquiry.received_at])
    _ensure_wins(rng, drafts, datetime.combine(period.end, EXPORT_TIME), profile)
    for inquiry in drafts:
        _search_details(rng, inquiry, brand, ppc)
    _contact_details(_side_rng(rng), drafts)
    return drafts


def _side_rng(rng: np.random.Generator) -> np.random.Generator:
    """A generator seeded from `rng`'s current state without drawing from it.

    Contact details came later than the rest of the simulation; drawing them from `rng` itself
    would shift every later draw (spend, orders) and change the whole demo. Reading the state
    keeps all earlier figures as they were, and the details are as deterministic as the rest.
    """
    state = repr(rng.bit_generator.state).encode()
    return np.random.default_rng(int.from_bytes(hashlib.sha256(state).digest()[:8], "big"))


# Dialling codes of the demo's countries, for phone numbers as foreign buyers type them.
_DIAL_CODES: dict[str, str] = {
    "美国": "1",
    "德国": "49",
    "印度": "91",
    "巴西": "55",
    "俄罗斯": "7",
    "越南": "84",
    "阿联酋": "971",
    "土耳其": "90",
    "墨西哥": "52",
    "澳大利亚": "61",
    "意大利": "39",
    "沙特阿拉伯": "966",
    "印度尼西亚": "62",
    "南非": "27",
}
_DOMESTIC_MAIL = ("qq.com", "163.com", "126.com", "sina.com")
_REQUESTS_EN = (
    "Please quote {product} x {qty} pcs, FOB Ningbo, with delivery time.",
    "We need {qty} pcs {product}. Send your best price and catalogue.",
    "Interested in {product}, {qty} pcs for a water project. MOQ and price?",
    "Hello, please send price list for {product}. Quantity {qty}.",
)
_REQUESTS_ZH = (
    "请报价：{product} {qty}台，含税含运费。",
    "你好，{product}需要{qty}个左右，能发个报价单吗？",
    "项目用{product}，数量{qty}，交期多久？",
    "{product}有没有现货？要{qty}个。",
)
# What sales pitches, spam and job seekers write (invalid_inquiry_rules catches most of them; the
# ones without a keyword are left to the register's own 无效, as in a real register).
_PITCHES = (
    ("您好，我们专业做网站优化，三个月保证百度首页排名。", True),
    ("阿里巴巴国际站代运营，提升询盘量，免费诊断店铺。", True),
    ("专业推广服务：百度、360、抖音全网推广，按效果付费。", True),
    ("CE/ISO认证代办，快速出证，价格优惠。", True),
    ("Hi, we can get your website on Google page 1 with our SEO service.", True),
    ("请问贵司需要拍摄产品宣传片吗？我们有专业团队。", False),
)
_SPAM = (
    ("Earn 300% with our crypto trading signals! Register now.", True),
    ("Best online casino bonus, click the link.", True),
    ("test", True),
    ("hello", False),
)
_JOB = (
    "求职：应聘外贸业务员，简历已发到贵司邮箱。",
    "您好，我是应届毕业生，想投个简历，请问还招人吗？",
)
_PROBE = "请问{product}出厂价多少？我们量大，长期合作。"
_DISPOSABLE = ("mailinator.com", "guerrillamail.com")
# Valid inquiries that sales let lapse (lost unanswered) but were in fact pitches or spam, and
# returning buyers writing again within a few weeks: the rules catch what the register missed.
_LAPSED_JUNK_RATE = 0.08
_REPEAT_BUYER_RATE = 0.05
# Real buyers whose names or words look like a pitch (a 智慧水务网络科技 company buys valves too):
# when sales work them, the rule is overridden, which is what shows an eager rule.
_LOOKALIKE_RATE = 0.03


def _mobile(rng: np.random.Generator) -> str:
    return f"1{choice(rng, ('38', '39', '36', '58', '86', '77'))}{int(rng.integers(0, 10**8)):08d}"


def _typed_mobile(rng: np.random.Generator, number: str) -> str:
    """A Chinese mobile number as people type it: plain, spaced, or with +86."""
    style = int(rng.integers(0, 3))
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    return number


def _buyer_contact(rng: np.random.Generator, inquiry: Inquiry) -> None:
    """Email, phone and message of a genuine buyer (some cells left empty, as sales leave them)."""
    product = catalog.PRODUCT_BY_SKU[inquiry.product_sku] if inquiry.product_sku else None
    qty = int(rng.integers(1, 41)) * 50
    if inquiry.foreign:
        # the company's first two words make the domain: one word alone repeats across buyers
        slug = (
            "".join(ch for ch in "".join(inquiry.company.split(" ")[:2]).lower() if ch.isalnum()) or "buyer"
        )
        person = inquiry.contact.lower().replace(" ", ".")
        inquiry.email = f"{person}@{slug}.com" if rng.random() < 0.8 else ""
        code = _DIAL_CODES.get(inquiry.country, "1")
        inquiry.phone = f"+{code} {int(rng.integers(10**8, 10**9))}" if rng.random() < 0.5 else ""
        name = product.slug.replace("-", " ") if product else "valves"
        inquiry.message = choice(rng, _REQUESTS_EN).format(product=name, qty=qty)
    else:
        inquiry.phone = _typed_mobile(rng, _mobile(rng)) if rng.random() < 0.85 else ""
        mailbox = f"{int(rng.integers(10**7, 10**10))}@{choice(rng, _DOMESTIC_MAIL)}"
        inquiry.email = mailbox if rng.random() < 0.3 else ""
        name = product.name if product else "阀门"
        inquiry.message = choice(rng, _REQUESTS_ZH).format(product=name, qty=qty)


def _junk_contact(rng: np.random.Generator, inquiry: Inquiry, kind: str) -> None:
    """Email, phone and message of a pitch, spam, job seeker or competitor."""
    if kind == "推销" and inquiry.foreign:
        # agents write to foreign-facing shops in English, from a Chinese mobile
        inquiry.message = next(text for text, _ in _PITCHES if text.isascii())
        inquiry.phone = _typed_mobile(rng, _mobile(rng))
        inquiry.email = ""
    elif kind == "推销":
        inquiry.message = pick(rng, [(text, 1.0) for text, _ in _PITCHES])
        inquiry.phone = _typed_mobile(rng, _mobile(rng))
        inquiry.email = ""
    elif kind == "垃圾询盘":
        inquiry.message = pick(rng, [(text, 1.0) for text, _ in _SPAM])
        inquiry.email = f"user{int(rng.integers(1000, 99999))}@{choice(rng, _DISPOSABLE)}"
        inquiry.phone = ""
    elif kind == "求职":
        inquiry.message = choice(rng, _JOB)
        inquiry.phone = _typed_mobile(rng, _mobile(rng))
        inquiry.email = f"{int(rng.integers(10**7, 10**10))}@qq.com"
    else:  # 同行套价: reads like a buyer; only the register knows better
        product = catalog.PRODUCT_BY_SKU[inquiry.product_sku] if inquiry.product_sku else None
        inquiry.message = _PROBE.format(product=product.name if product else "阀门")
        inquiry.phone = _typed_mobile(rng, _mobile(rng))
        inquiry.email = ""


def _contact_details(rng: np.random.Generator, inquiries: list[Inquiry]) -> None:
    """Give every inquiry the email, phone and message a register's 邮箱/电话/询盘内容 would hold.

    In order of receipt, so a duplicate copies the contact its original already has. Register
    duplicates (重复询盘) repeat their original's contact; a few valid inquiries that sales let
    lapse are pitches or spam in fact; a few returning buyers write again within weeks; a few
    real buyers look like pitches. Nothing here changes a stage: the register stays as it was.
    """
    by_contact: dict[tuple[str, str], Inquiry] = {}
    for inquiry in inquiries:
        lapsed = [stage for stage, _ in inquiry.events] == ["lost"]
        if inquiry.is_invalid and inquiry.invalid_reason != "重复询盘":
            _junk_contact(rng, inquiry, inquiry.invalid_reason)
        elif inquiry.is_invalid:
            original = by_contact.get((inquiry.company, inquiry.contact))
            if original is not None:
                inquiry.email, inquiry.phone = original.email, original.phone
                inquiry.message = (
                    f"Follow up: {original.message}" if inquiry.foreign else "再问一下，上次的报价呢？"
                )
            else:
                _buyer_contact(rng, inquiry)
        elif lapsed and rng.random() < _LAPSED_JUNK_RATE:
            kinds = (
                [("推销", 0.6), ("垃圾询盘", 0.4)]
                if inquiry.foreign
                else [("推销", 0.6), ("垃圾询盘", 0.3), ("求职", 0.1)]
            )
            kind = pick(rng, kinds)
            if kind == "推销" and not inquiry.foreign:
                inquiry.company = names.pitch_company(rng)
            _junk_contact(rng, inquiry, kind)
        else:
            _buyer_contact(rng, inquiry)
            recent = [
                q
                for q in by_contact.values()
                if not q.is_invalid
                and q.phone
                and q.foreign == inquiry.foreign
                and timedelta(days=1) < inquiry.received_at - q.received_at < timedelta(days=28)
            ]
            if recent and rng.random() < _REPEAT_BUYER_RATE:
                # the same buyer again, on whatever channel: same phone (typed another way) and email
                returning = choice(rng, recent)
                inquiry.phone = returning.phone.replace(" ", "").replace("-", "")
                inquiry.email = returning.email
            elif not inquiry.foreign and rng.random() < _LOOKALIKE_RATE:
                inquiry.company = f"{inquiry.company[:2]}智慧水务网络科技有限公司"
        by_contact.setdefault((inquiry.company, inquiry.contact), inquiry)


def _ensure_wins(
    rng: np.random.Generator, inquiries: list[Inquiry], cutoff: datetime, profile: DemoProfile
) -> None:
    """Turn the earliest inquiries that were to be lost unanswered into deals closed before `cutoff`.

    Only the small profile asks for this (`min_won`); it keeps the funnel's shape while making sure an
    end-to-end run always has won inquiries, orders and margins to show.
    """
    won = sum(1 for q in inquiries if (at := q.event_time("won")) is not None and at <= cutoff)
    low, mode, _ = profile.won_cycle_days
    for inquiry in inquiries:
        if won >= profile.min_won:
            return
        available = (cutoff - inquiry.received_at).total_seconds() / 86400 - 1
        if inquiry.is_invalid or [s for s, _ in inquiry.events] != ["lost"] or available < low:
            continue
        total = float(rng.uniform(low, min(mode, available)))
        to_intentional = float(rng.uniform(0.2, 0.3 * total))
        to_effective = to_intentional + float(rng.uniform(0.25, 0.75)) * (total - to_intentional)
        inquiry.events, inquiry.lost_reason = [], ""
        previous = inquiry.received_at
        for stage, days_after in (
            ("intentional", to_intentional),
            ("effective", to_effective),
            ("won", total),
        ):
            previous = _event_time(rng, inquiry.received_at, days_after, previous)
            inquiry.events.append((stage, previous))
        if previous <= cutoff:
            won += 1


def _number(inquiries: list[Inquiry]) -> None:
    """Register numbers run per month in order of receipt, as a sales assistant assigns them."""
    sequence: dict[str, int] = {}
    for inquiry in inquiries:
        month = f"{inquiry.received_at:%y%m}"
        sequence[month] = sequence.get(month, 0) + 1
        inquiry.inquiry_id = f"XP{month}{sequence[month]:04d}"
