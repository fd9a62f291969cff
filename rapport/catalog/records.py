from rapport.catalog.api import (
    PriceBookEntrySerializer,
    PriceBookSerializer,
    ProductSerializer,
    TaxRateSerializer,
)
from rapport.catalog.filtersets import (
    PriceBookEntryFilterSet,
    PriceBookFilterSet,
    ProductFilterSet,
    TaxRateFilterSet,
)
from rapport.catalog.models import PriceBook, PriceBookEntry, Product, TaxRate
from rapport.framework.registry import RecordType, register

register(
    RecordType(
        key="tax-rates",
        model=TaxRate,
        serializer=TaxRateSerializer,
        filterset=TaxRateFilterSet,
        search_fields=("name",),
        list_columns=("name", "rate", "country", "active"),
        ordering_fields=("name", "rate"),
        default_ordering=("name",),
        is_config=True,
    )
)
register(
    RecordType(
        key="products",
        model=Product,
        serializer=ProductSerializer,
        filterset=ProductFilterSet,
        search_fields=("name", "sku", "family"),
        list_columns=("sku", "name", "family", "unit", "active"),
        ordering_fields=("name", "sku", "family"),
        default_ordering=("name",),
        is_config=True,
        area="sales",
    )
)
register(
    RecordType(
        key="price-books",
        model=PriceBook,
        serializer=PriceBookSerializer,
        filterset=PriceBookFilterSet,
        search_fields=("name",),
        list_columns=("name", "kind", "currency", "active"),
        ordering_fields=("name",),
        default_ordering=("name",),
        is_config=True,
    )
)
register(
    RecordType(
        key="price-book-entries",
        model=PriceBookEntry,
        serializer=PriceBookEntrySerializer,
        filterset=PriceBookEntryFilterSet,
        list_columns=("price_book", "product", "unit_price", "active"),
        ordering_fields=("unit_price",),
        default_ordering=("price_book", "product"),
        is_config=True,
    )
)
