"""Made-up but plausible customer and contact names, Chinese and foreign."""

from __future__ import annotations

import numpy as np

from xunpan.demo import catalog
from xunpan.demo.sampling import choice


def _brand_syllables(rng: np.random.Generator) -> str:
    return f"{choice(rng, catalog.CITIES)}{choice(rng, catalog.NAME_SYLLABLES)}{choice(rng, catalog.NAME_SYLLABLES)}"


def domestic_company(rng: np.random.Generator) -> str:
    """A Chinese buyer, e.g. 宁波恒达化工有限公司."""
    return f"{_brand_syllables(rng)}{choice(rng, catalog.TRADES)}有限公司"


def pitch_company(rng: np.random.Generator) -> str:
    """An agency that writes to sell SEO, ads or certificates (推销), e.g. 杭州鑫盛网络科技有限公司."""
    return f"{_brand_syllables(rng)}{choice(rng, catalog.PITCH_TRADES)}有限公司"


def competitor_company(rng: np.random.Generator) -> str:
    """Another valve maker asking for prices (同行套价)."""
    return f"{_brand_syllables(rng)}阀门有限公司"


def foreign_company(rng: np.random.Generator, country: str) -> str:
    """A foreign buyer with the legal suffix of its country, e.g. Atlas Flow Control GmbH."""
    return (
        f"{choice(rng, catalog.FOREIGN_WORDS)} {choice(rng, catalog.FOREIGN_TRADES)} "
        f"{catalog.COMPANY_SUFFIX_BY_COUNTRY[country]}"
    )


def domestic_contact(rng: np.random.Generator) -> str:
    """How Chinese registers name a contact: surname plus 先生/女士/经理/工."""
    return f"{choice(rng, catalog.SURNAMES)}{choice(rng, ('先生', '女士', '经理', '工'))}"


def foreign_contact(rng: np.random.Generator) -> str:
    """First and last name."""
    return f"{choice(rng, catalog.FOREIGN_FIRST)} {choice(rng, catalog.FOREIGN_LAST)}"
