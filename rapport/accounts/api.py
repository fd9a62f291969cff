from rapport.accounts.models import Account
from rapport.framework.api.serializers import OwnedRecordSerializer


class AccountSerializer(OwnedRecordSerializer):
    record_type_key = "accounts"

    class Meta:
        model = Account
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "name",
            "website",
            "domain",
            "industry",
            "employee_count",
            "annual_revenue",
            "annual_revenue_currency",
            "phone",
            "phone_e164",
            "billing_street",
            "billing_city",
            "billing_region",
            "billing_postal_code",
            "billing_country",
            "shipping_street",
            "shipping_city",
            "shipping_region",
            "shipping_postal_code",
            "shipping_country",
            "parent",
            "lifecycle_stage",
            "source",
            "description",
        ]
        read_only_fields = ["domain", "phone_e164"]
