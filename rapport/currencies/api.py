from rapport.currencies.models import Currency, ExchangeRate
from rapport.framework.api.serializers import RecordSerializer


class CurrencySerializer(RecordSerializer):
    record_type_key = "currencies"

    class Meta:
        model = Currency
        fields = ["code", "name", "decimals", "active"]


class ExchangeRateSerializer(RecordSerializer):
    record_type_key = "exchange-rates"

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate"]
