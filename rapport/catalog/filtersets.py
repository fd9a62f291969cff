from rapport.catalog.models import PriceBook, PriceBookEntry, Product, TaxRate
from rapport.framework.filtersets import LeanFilterSet, field_lookups


class TaxRateFilterSet(LeanFilterSet):
    class Meta:
        model = TaxRate
        fields = field_lookups(TaxRate)


class ProductFilterSet(LeanFilterSet):
    class Meta:
        model = Product
        fields = field_lookups(Product)


class PriceBookFilterSet(LeanFilterSet):
    class Meta:
        model = PriceBook
        fields = field_lookups(PriceBook)


class PriceBookEntryFilterSet(LeanFilterSet):
    class Meta:
        model = PriceBookEntry
        fields = field_lookups(PriceBookEntry)
