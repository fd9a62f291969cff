from rest_framework import serializers

from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.framework.api.serializers import ChildSerializer, OwnedRecordSerializer


class ContactEmailSerializer(ChildSerializer):
    class Meta:
        model = ContactEmail
        fields = ["email", "label", "is_primary"]


class ContactPhoneSerializer(ChildSerializer):
    class Meta:
        model = ContactPhone
        fields = ["number", "e164", "label", "is_primary"]
        read_only_fields = ["e164"]


class AccountMembershipSerializer(ChildSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)

    class Meta:
        model = AccountMembership
        fields = ["account", "account_name", "buying_role", "is_primary"]


class ContactSerializer(OwnedRecordSerializer):
    record_type_key = "contacts"
    emails = ContactEmailSerializer(many=True, required=False)
    phones = ContactPhoneSerializer(many=True, required=False)
    memberships = AccountMembershipSerializer(many=True, required=False)

    class Meta:
        model = Contact
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "salutation",
            "given_name",
            "family_name",
            "display_name",
            "job_title",
            "department",
            "birthday",
            "preferred_language",
            "street",
            "city",
            "region",
            "postal_code",
            "country",
            "primary_email",
            "primary_phone",
            "primary_account",
            "emails",
            "phones",
            "memberships",
            "description",
        ]
        read_only_fields = ["display_name", "primary_email", "primary_phone", "primary_account"]
