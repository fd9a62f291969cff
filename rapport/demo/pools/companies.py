"""Company names, websites and sizes for accounts and leads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pypinyin import lazy_pinyin

from rapport.accounts.choices import Industry
from rapport.demo.pools.people import ascii_slug, name_pools
from rapport.demo.pools.places import Country

Random = Callable[[], float]

# Industry -> (English nouns, Chinese business words, English domain tag).
_INDUSTRY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    Industry.SOFTWARE: (
        ("Software", "Systems", "Labs", "Data", "Cloud", "Analytics"),
        ("科技", "软件", "信息技术", "网络科技"),
        "tech",
    ),
    Industry.MANUFACTURING: (
        ("Manufacturing", "Industries", "Components", "Machinery"),
        ("制造", "机械", "精密", "电子"),
        "mfg",
    ),
    Industry.FINANCE: (
        ("Capital", "Financial", "Investments", "Insurance"),
        ("投资", "金融", "资产管理"),
        "capital",
    ),
    Industry.HEALTHCARE: (
        ("Health", "Medical", "Pharma", "Biotech"),
        ("医疗", "生物科技", "医药"),
        "health",
    ),
    Industry.RETAIL: (
        ("Retail", "Stores", "Outfitters", "Brands"),
        ("商贸", "贸易", "零售"),
        "retail",
    ),
    Industry.ENERGY: (
        ("Energy", "Power", "Solar", "Renewables"),
        ("能源", "新能源", "电力"),
        "energy",
    ),
    Industry.CONSULTING: (
        ("Consulting", "Advisors", "Partners"),
        ("咨询", "管理咨询"),
        "consulting",
    ),
    Industry.CONSTRUCTION: (
        ("Construction", "Builders", "Engineering"),
        ("建设", "建筑工程"),
        "build",
    ),
    Industry.EDUCATION: (("Learning", "Academy", "Education"), ("教育科技", "教育"), "edu"),
    Industry.TRANSPORTATION: (
        ("Logistics", "Freight", "Transport"),
        ("物流", "运输", "供应链"),
        "logistics",
    ),
    Industry.TELECOMMUNICATIONS: (
        ("Telecom", "Networks", "Communications"),
        ("通信", "通讯技术"),
        "telecom",
    ),
    Industry.MEDIA: (("Media", "Studios", "Publishing"), ("文化传媒", "传媒"), "media"),
    Industry.HOSPITALITY: (
        ("Hotels", "Hospitality", "Resorts"),
        ("酒店管理", "餐饮管理"),
        "hotels",
    ),
    Industry.AGRICULTURE: (("Farms", "Agritech", "Growers"), ("农业科技", "农业"), "agri"),
    Industry.NON_PROFIT: (("Foundation", "Trust", "Alliance"), ("公益基金会",), "org"),
    Industry.OTHER: (("Group", "Holdings", "Enterprises"), ("实业", "集团"), "group"),
}
INDUSTRIES: tuple[str, ...] = tuple(_INDUSTRY_WORDS)

_BRAND_HEADS = (
    "Blue",
    "North",
    "Summit",
    "Bright",
    "Silver",
    "Pacific",
    "Atlas",
    "Apex",
    "Cedar",
    "Harbor",
    "Granite",
    "Evergreen",
    "Pioneer",
    "Vertex",
    "Nova",
    "Crescent",
    "Redwood",
    "Iron",
    "Clear",
    "Sterling",
    "Beacon",
    "Orbit",
    "Quantum",
    "Lumen",
    "Meridian",
    "Key",
    "Horizon",
    "Falcon",
    "Cobalt",
    "Aurora",
    "Stone",
    "Wild",
    "True",
    "Swift",
    "Green",
)
_BRAND_TAILS = (
    "path",
    "wave",
    "point",
    "stone",
    "field",
    "bridge",
    "works",
    "line",
    "spark",
    "scale",
    "gate",
    "leaf",
    "forge",
    "stack",
    "view",
    "light",
    "star",
    "rock",
    "water",
    "wood",
)
_CHINESE_BRAND_CHARS = (
    "华",
    "信",
    "恒",
    "达",
    "宏",
    "泰",
    "新",
    "盛",
    "鑫",
    "源",
    "天",
    "中",
    "海",
    "金",
    "瑞",
    "博",
    "通",
    "联",
    "创",
    "智",
    "远",
    "鼎",
    "嘉",
    "安",
    "康",
    "明",
    "德",
    "丰",
    "辉",
    "优",
    "腾",
    "百",
    "易",
    "云",
    "星",
    "万",
    "龙",
    "凯",
    "长",
    "永",
    "兴",
    "润",
    "宇",
    "航",
    "景",
)
_EMPLOYEE_BUCKETS = (
    (0.30, 5, 50),
    (0.30, 50, 250),
    (0.22, 250, 1000),
    (0.13, 1000, 10000),
    (0.05, 10000, 100000),
)


@dataclass(frozen=True)
class Company:
    name: str
    website: str
    domain: str
    industry: str
    employees: int


@cache
def _pinyin_of() -> dict[str, str]:
    return {c: lazy_pinyin(c)[0] for c in _CHINESE_BRAND_CHARS}


def employee_count(r: Random) -> int:
    """Company size: mostly small and mid-sized, a few large enterprises."""
    roll, low, high = r(), 5, 50
    for share, low, high in _EMPLOYEE_BUCKETS:  # noqa: B007 - the last bucket is the fallback
        if roll < share:
            break
        roll -= share
    return low + int(r() * (high - low))


def company(r: Random, country: Country, city_name: str) -> Company:
    """A company in ``country``: Chinese names for China (深圳华信科技有限公司), English,
    German or French style elsewhere (Summitpath Analytics Inc.)."""
    industry = INDUSTRIES[int(r() * len(INDUSTRIES))]
    nouns, chinese_words, tag = _INDUSTRY_WORDS[industry]
    suffix = country.company_suffixes[int(r() * len(country.company_suffixes))]
    if country.code == "CN":
        chars = _CHINESE_BRAND_CHARS
        brand = chars[int(r() * len(chars))] + chars[int(r() * len(chars))]
        word = chinese_words[int(r() * len(chinese_words))]
        city = city_name.removesuffix("市") if r() < 0.7 else ""
        slug = "".join(_pinyin_of()[c] for c in brand)
        name = f"{city}{brand}{word}{'' if industry == Industry.NON_PROFIT else suffix}"
        domain_base = f"{slug}-{tag}" if r() < 0.5 else slug
        tld = "cn" if r() < 0.5 else "com.cn"
    else:
        noun = nouns[int(r() * len(nouns))]
        roll = r()
        if roll < 0.45:
            head = _BRAND_HEADS[int(r() * len(_BRAND_HEADS))]
            brand = head + _BRAND_TAILS[int(r() * len(_BRAND_TAILS))]
        else:
            families = name_pools()[country.names].family
            brand = families[int(r() * len(families))][0]
            if roll > 0.85:
                brand += " & " + families[int(r() * len(families))][0]
        name = f"{brand} {noun} {suffix}" if industry != Industry.NON_PROFIT else f"{brand} {noun}"
        domain_base = ascii_slug(brand) + ("" if r() < 0.6 else ascii_slug(noun))
        tld = country.tld if r() < 0.7 else "com"
    domain = f"{domain_base}.{tld}"
    return Company(name, f"https://www.{domain}", domain, industry, employee_count(r))
