from rapport.currencies.api import CurrencySerializer, ExchangeRateSerializer
from rapport.currencies.models import Currency, ExchangeRate
from rapport.framework.filtersets import LeanFilterSet, field_lookups
from rapport.framework.registry import RecordType, register


class CurrencyFilterSet(LeanFilterSet):
    class Meta:
        model = Currency
        fields = field_lookups(Currency)


class ExchangeRateFilterSet(LeanFilterSet):
    class Meta:
        model = ExchangeRate
        fields = field_lookups(ExchangeRate)


register(
    RecordType(
        key="currencies",
        model=Currency,
        serializer=CurrencySerializer,
        filterset=CurrencyFilterSet,
        search_fields=("code", "name"),
        list_columns=("code", "name", "active"),
        ordering_fields=("code", "name"),
        default_ordering=("code",),
        is_config=True,
    )
)
register(
    RecordType(
        key="exchange-rates",
        model=ExchangeRate,
        serializer=ExchangeRateSerializer,
        filterset=ExchangeRateFilterSet,
        list_columns=("currency", "date", "rate"),
        ordering_fields=("date",),
        default_ordering=("-date",),
        is_config=True,
    )
)
