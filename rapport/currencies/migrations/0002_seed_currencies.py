from django.db import migrations

COMMON = [
    "USD",
    "EUR",
    "GBP",
    "CNY",
    "JPY",
    "HKD",
    "TWD",
    "SGD",
    "AUD",
    "CAD",
    "CHF",
    "INR",
    "KRW",
    "SEK",
    "NOK",
    "DKK",
    "NZD",
    "BRL",
    "MXN",
    "ZAR",
]


def seed(apps, schema_editor):
    from babel.numbers import get_currency_name, get_currency_precision

    Currency = apps.get_model("currencies", "Currency")
    for code in COMMON:
        Currency.objects.get_or_create(
            code=code,
            defaults={
                "name": get_currency_name(code, locale="en"),
                "decimals": get_currency_precision(code),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("currencies", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
