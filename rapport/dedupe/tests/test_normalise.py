from rapport.dedupe.blocking import blocking_keys
from rapport.dedupe.normalise import (
    PersonRecord,
    normalise,
    normalise_company,
    normalise_email,
    split_full_name,
)


def person(**fields):
    return normalise(PersonRecord(id=fields.pop("id", "1"), **fields), region="US")


def test_nickname_maps_to_canonical_given_name():
    bill = person(given_name="Bill", family_name="Gates")
    assert (bill.given, bill.given_folded, bill.family) == ("william", "bill", "gates")


def test_accents_and_case_are_folded():
    assert person(given_name=" ZOË ", family_name="Müller-Lüdenscheidt").family == (
        "mullerludenscheidt"
    )
    assert person(given_name="Zoë").given == "zoe"


def test_chinese_name_keeps_characters_and_pinyin():
    wang = person(name="王小明")
    assert (wang.given, wang.family, wang.given_han, wang.family_han) == (
        "xiaoming",
        "wang",
        "小明",
        "王",
    )
    assert split_full_name("欧阳娜娜") == ("娜娜", "欧阳")


def test_pinyin_forms_share_blocking_keys_in_either_order():
    han = blocking_keys(person(name="王小明"))
    western = blocking_keys(person(name="Xiaoming Wang"))
    swapped = blocking_keys(person(given_name="Wang", family_name="Xiaoming"))
    name_keys = {k for k in han if k.startswith("n:")}
    assert name_keys <= western
    assert name_keys <= swapped


def test_phone_formats_become_e164():
    formats = ("(415) 382-1234", "415.382.1234", "+1 415-382-1234", "14153821234")
    assert {next(iter(person(phones=(p,)).phones)) for p in formats} == {"+14153821234"}
    assert person(phones=("138 1234 5678",), country="CN").phones == {"+8613812345678"}
    assert person(phones=("12",)).phones == frozenset()
    assert person(phones=("(415) 382-1234",)).phones_original == ("(415) 382-1234",)


def test_email_is_trimmed_and_lower_cased_with_optional_gmail_rules():
    assert normalise_email("  Ada.L+crm@GMail.com ") == "ada.l+crm@gmail.com"
    assert normalise_email("Ada.L+crm@GMail.com", gmail_rules=True) == "adal@gmail.com"
    assert normalise_email("not an address") == ""


def test_company_legal_forms_are_dropped():
    assert normalise_company("Acme Widgets Ltd.") == normalise_company("ACME widgets")
    assert normalise_company("深圳华信科技有限公司") == "深圳华信科技"
