"""Countries the demo's customers are in: cities, postal codes, streets, phones, currency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from rapport.demo.pools.phones import (
    MOBILE,
    NumberSpec,
    australia,
    china,
    france,
    germany,
    nanp,
    uk,
)

Random = Callable[[], float]
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class City:
    """A city with its region, a postal-code pattern and its fixed-line numbering blocks.

    In ``postal`` each ``#`` is a random digit and each ``@`` a random letter.
    """

    name: str
    region: str
    postal: str
    phones: tuple[NumberSpec, ...]
    districts: tuple[str, ...] = ()

    def postal_code(self, r: Random) -> str:
        out = []
        for ch in self.postal:
            if ch == "#":
                out.append(str(int(r() * 10)))
            elif ch == "@":
                out.append(_LETTERS[int(r() * len(_LETTERS))])
            else:
                out.append(ch)
        return "".join(out)


@dataclass(frozen=True)
class Country:
    """One country of the demo: ISO code, naming culture, language, currency and places.

    ``street_format`` takes ``{n}`` (house number), ``{street}`` and ``{district}``.
    """

    code: str
    weight: float
    names: str
    language: str
    currency: str
    tld: str
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    street_format: str
    mobiles: tuple[NumberSpec, ...]
    free_mail: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    usd_rate: float  # units of this currency per US dollar, for plausible amounts

    def street(self, r: Random, city: City) -> str:
        n = 1 + int(r() * (r() * 300 + 10))
        district = city.districts[int(r() * len(city.districts))] if city.districts else ""
        return self.street_format.format(
            n=n, street=self.streets[int(r() * len(self.streets))], district=district
        )

    def mobile(self, r: Random, city: City) -> tuple[str, str]:
        specs = self.mobiles or city.phones
        return specs[int(r() * len(specs))].make(r)

    def landline(self, r: Random, city: City) -> tuple[str, str]:
        return city.phones[int(r() * len(city.phones))].make(r)


_ENGLISH_STREETS = (
    "Main Street",
    "Oak Street",
    "Maple Avenue",
    "Park Avenue",
    "Washington Street",
    "Cedar Lane",
    "Elm Street",
    "Lake Drive",
    "Hillside Road",
    "Market Street",
    "Broadway",
    "Church Street",
    "Mill Road",
    "River Road",
    "Sunset Boulevard",
    "Highland Avenue",
    "Pine Street",
    "Spring Street",
    "Union Street",
    "Franklin Avenue",
    "Madison Avenue",
    "Lincoln Way",
    "Jefferson Street",
    "Commerce Drive",
    "Industrial Parkway",
)
_BRITISH_STREETS = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "King Street",
    "Queen Street",
    "Mill Lane",
    "London Road",
    "Park Road",
    "The Crescent",
    "Albert Street",
    "Manor Road",
    "York Place",
    "George Street",
    "Castle Street",
)


def _us(name: str, state: str, zip3: str, areas: tuple[str, ...]) -> City:
    return City(name, state, zip3 + "##", tuple(nanp(a) for a in areas))


def _countries() -> tuple[Country, ...]:
    us_cities = (
        _us("New York", "NY", "100", ("212", "646", "917")),
        _us("San Francisco", "CA", "941", ("415", "628")),
        _us("Los Angeles", "CA", "900", ("213", "310", "323")),
        _us("Chicago", "IL", "606", ("312", "773")),
        _us("Boston", "MA", "021", ("617", "857")),
        _us("Seattle", "WA", "981", ("206",)),
        _us("Austin", "TX", "787", ("512", "737")),
        _us("Denver", "CO", "802", ("303", "720")),
        _us("Atlanta", "GA", "303", ("404", "678")),
        _us("Miami", "FL", "331", ("305", "786")),
        _us("Dallas", "TX", "752", ("214", "469")),
        _us("Houston", "TX", "770", ("713", "832")),
        _us("Philadelphia", "PA", "191", ("215", "267")),
        _us("Phoenix", "AZ", "850", ("602", "480")),
        _us("Portland", "OR", "972", ("503", "971")),
        _us("San Diego", "CA", "921", ("619", "858")),
        _us("Minneapolis", "MN", "554", ("612",)),
        _us("Washington", "DC", "200", ("202",)),
        _us("Nashville", "TN", "372", ("615",)),
        _us("Raleigh", "NC", "276", ("919",)),
    )
    ca_cities = (
        City("Toronto", "ON", "M5@ #@#", (nanp("416"), nanp("647"))),
        City("Vancouver", "BC", "V6@ #@#", (nanp("604"), nanp("778"))),
        City("Montréal", "QC", "H2@ #@#", (nanp("514"), nanp("438"))),
        City("Calgary", "AB", "T2@ #@#", (nanp("403"), nanp("587"))),
        City("Ottawa", "ON", "K1@ #@#", (nanp("613"), nanp("343"))),
    )
    gb_cities = (
        City("London", "England", "EC#@ #@@", (uk("20"),)),
        City("London", "England", "SW1@ #@@", (uk("20"),)),
        City("Manchester", "England", "M# #@@", (uk("161"),)),
        City("Birmingham", "England", "B# #@@", (uk("121"),)),
        City("Leeds", "England", "LS# #@@", (uk("113"),)),
        City("Bristol", "England", "BS# #@@", (uk("117"),)),
        City("Edinburgh", "Scotland", "EH# #@@", (uk("131"),)),
        City("Glasgow", "Scotland", "G# #@@", (uk("141"),)),
    )
    de_cities = (
        City("Berlin", "Berlin", "10###", (germany("30"),)),
        City("München", "Bayern", "80###", (germany("89"),)),
        City("Hamburg", "Hamburg", "20###", (germany("40"),)),
        City("Frankfurt am Main", "Hessen", "60###", (germany("69"),)),
        City("Köln", "Nordrhein-Westfalen", "50###", (germany("221"),)),
        City("Stuttgart", "Baden-Württemberg", "70###", (germany("711"),)),
        City("Düsseldorf", "Nordrhein-Westfalen", "40###", (germany("211"),)),
    )
    fr_cities = (
        City("Paris", "Île-de-France", "750##", (france("1"),)),
        City("Lyon", "Auvergne-Rhône-Alpes", "6900#", (france("4"),)),
        City("Marseille", "Provence-Alpes-Côte d'Azur", "130##", (france("4"),)),
        City("Toulouse", "Occitanie", "31###", (france("5"),)),
        City("Bordeaux", "Nouvelle-Aquitaine", "33###", (france("5"),)),
        City("Lille", "Hauts-de-France", "59###", (france("3"),)),
        City("Nantes", "Pays de la Loire", "44###", (france("2"),)),
    )
    au_cities = (
        City("Sydney", "NSW", "20##", (australia("2"),)),
        City("Melbourne", "VIC", "30##", (australia("3"),)),
        City("Brisbane", "QLD", "40##", (australia("7"),)),
        City("Perth", "WA", "60##", (australia("8"),)),
        City("Canberra", "ACT", "26##", (australia("2"),)),
    )
    cn_cities = (
        City(
            "北京市", "北京市", "100###", (china("10"),), ("朝阳区", "海淀区", "东城区", "西城区")
        ),
        City(
            "上海市", "上海市", "200###", (china("21"),), ("浦东新区", "徐汇区", "静安区", "黄浦区")
        ),
        City(
            "深圳市", "广东省", "518###", (china("755"),), ("南山区", "福田区", "罗湖区", "宝安区")
        ),
        City("广州市", "广东省", "510###", (china("20"),), ("天河区", "越秀区", "海珠区")),
        City("杭州市", "浙江省", "310###", (china("571"),), ("西湖区", "滨江区", "上城区")),
        City("成都市", "四川省", "610###", (china("28"),), ("武侯区", "锦江区", "成华区")),
        City("南京市", "江苏省", "210###", (china("25"),), ("鼓楼区", "玄武区", "建邺区")),
        City("武汉市", "湖北省", "430###", (china("27"),), ("江汉区", "武昌区", "洪山区")),
        City("苏州市", "江苏省", "215###", (china("512"),), ("姑苏区", "吴中区", "相城区")),
        City("西安市", "陕西省", "710###", (china("29"),), ("雁塔区", "碑林区", "未央区")),
    )
    return (
        Country(
            "US",
            0.38,
            "en_US",
            "en",
            "USD",
            "com",
            us_cities,
            _ENGLISH_STREETS,
            "{n} {street}",
            MOBILE["US"],
            ("gmail.com", "outlook.com", "yahoo.com"),
            ("Inc.", "LLC", "Corp.", "Co."),
            1.0,
        ),
        Country(
            "CN",
            0.25,
            "zh_CN",
            "zh-hans",
            "CNY",
            "cn",
            cn_cities,
            (
                "人民路",
                "中山路",
                "解放路",
                "建设路",
                "和平路",
                "长江路",
                "黄河路",
                "科技路",
                "创新大道",
                "文化路",
                "学府路",
                "东风路",
                "新华路",
                "青年路",
                "滨江大道",
            ),
            "{district}{street}{n}号",
            MOBILE["CN"],
            ("qq.com", "163.com", "126.com"),
            ("有限公司", "股份有限公司"),
            7.2,
        ),
        Country(
            "GB",
            0.12,
            "en_GB",
            "en",
            "GBP",
            "co.uk",
            gb_cities,
            _BRITISH_STREETS,
            "{n} {street}",
            MOBILE["GB"],
            ("gmail.com", "outlook.com", "btinternet.com"),
            ("Ltd", "PLC", "Group"),
            0.79,
        ),
        Country(
            "DE",
            0.08,
            "de_DE",
            "en",
            "EUR",
            "de",
            de_cities,
            (
                "Hauptstraße",
                "Bahnhofstraße",
                "Schillerstraße",
                "Goethestraße",
                "Friedrichstraße",
                "Berliner Allee",
                "Lindenstraße",
                "Gartenweg",
                "Kirchplatz",
                "Marktplatz",
                "Ringstraße",
                "Mozartstraße",
            ),
            "{street} {n}",
            MOBILE["DE"],
            ("gmx.de", "web.de", "t-online.de"),
            ("GmbH", "AG", "GmbH & Co. KG"),
            0.92,
        ),
        Country(
            "FR",
            0.06,
            "fr_FR",
            "en",
            "EUR",
            "fr",
            fr_cities,
            (
                "rue de la Paix",
                "avenue Victor Hugo",
                "boulevard Haussmann",
                "rue de la République",
                "place Bellecour",
                "rue du Faubourg Saint-Honoré",
                "quai des Chartrons",
                "rue Nationale",
                "avenue Jean Jaurès",
                "rue Pasteur",
            ),
            "{n} {street}",
            MOBILE["FR"],
            ("gmail.com", "orange.fr", "free.fr"),
            ("SA", "SAS", "SARL"),
            0.92,
        ),
        Country(
            "CA",
            0.06,
            "en_US",
            "en",
            "CAD",
            "ca",
            ca_cities,
            _ENGLISH_STREETS,
            "{n} {street}",
            MOBILE["CA"],
            ("gmail.com", "outlook.com", "rogers.com"),
            ("Inc.", "Ltd.", "Corp."),
            1.36,
        ),
        Country(
            "AU",
            0.05,
            "en_US",
            "en",
            "AUD",
            "com.au",
            au_cities,
            _BRITISH_STREETS,
            "{n} {street}",
            MOBILE["AU"],
            ("gmail.com", "bigpond.com", "outlook.com"),
            ("Pty Ltd", "Ltd", "Group"),
            1.52,
        ),
    )


@cache
def countries() -> tuple[Country, ...]:
    """The demo's countries, most customers first."""
    return _countries()


@cache
def country_pool() -> tuple[Country, ...]:
    """Countries repeated in proportion to their weight: a random index picks one."""
    pool: list[Country] = []
    for country in countries():
        pool.extend([country] * round(country.weight * 100))
    return tuple(pool)
