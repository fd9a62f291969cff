from rapport.framework.api.serializers import OwnedRecordSerializer
from rapport.leads.models import Lead


class LeadSerializer(OwnedRecordSerializer):
    record_type_key = "leads"

    class Meta:
        model = Lead
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "salutation",
            "given_name",
            "family_name",
            "display_name",
            "email",
            "phone",
            "phone_e164",
            "job_title",
            "company",
            "website",
            "industry",
            "employee_count",
            "city",
            "region",
            "country",
            "source",
            "status",
            "disqualified_reason",
            "rating",
            "description",
        ]
        read_only_fields = ["display_name", "phone_e164"]
