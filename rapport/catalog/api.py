from rapport.catalog.models import PriceBook, PriceBookEntry, Product, TaxRate
from rapport.framework.api.serializers import RecordSerializer


class TaxRateSerializer(RecordSerializer):
    record_type_key = "tax-rates"

    class Meta:
        model = TaxRate
        fields = ["id", "name", "rate", "country", "active"]


class ProductSerializer(RecordSerializer):
    record_type_key = "products"

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "family", "unit", "description", "tax_rate", "active"]


class PriceBookSerializer(RecordSerializer):
    record_type_key = "price-books"

    class Meta:
        model = PriceBook
        fields = ["id", "name", "kind", "currency", "active", "description"]


class PriceBookEntrySerializer(RecordSerializer):
    record_type_key = "price-book-entries"

    class Meta:
        model = PriceBookEntry
        fields = ["id", "price_book", "product", "unit_price", "active"]
