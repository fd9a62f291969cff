from rapport.contacts.api import ContactSerializer
from rapport.contacts.filtersets import ContactFilterSet
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.contacts.quality import CONTACT_CHECKS
from rapport.contacts.services import (
    contact_after_save,
    contact_emails_clean,
    contact_memberships_clean,
    contact_merge_related,
    contact_phones_clean,
    contact_prepare,
)
from rapport.dedupe.api import duplicates
from rapport.framework.registry import ChildSpec, RecordType, register
from rapport.merges.api import merge
from rapport.privacy.api import PERSON_ACTIONS

register(
    RecordType(
        key="contacts",
        model=Contact,
        serializer=ContactSerializer,
        filterset=ContactFilterSet,
        search_fields=("display_name", "primary_email", "primary_phone"),
        list_columns=("display_name", "primary_account", "primary_email", "primary_phone", "owner"),
        ordering_fields=("display_name", "family_name", "given_name", "birthday", "job_title"),
        default_ordering=("display_name",),
        prefetch_related=("tags", "emails", "phones", "memberships__account"),
        children=(
            ChildSpec(
                "emails",
                ContactEmail,
                "contact",
                ("email", "label", "is_primary"),
                contact_emails_clean,
            ),
            ChildSpec(
                "phones",
                ContactPhone,
                "contact",
                ("number", "e164", "label", "is_primary"),
                contact_phones_clean,
            ),
            ChildSpec(
                "memberships",
                AccountMembership,
                "contact",
                ("account", "buying_role", "is_primary"),
                contact_memberships_clean,
            ),
        ),
        prepare=contact_prepare,
        after_save=contact_after_save,
        extra_actions=(duplicates, merge, *PERSON_ACTIONS),
        merge_related=contact_merge_related,
        quality_checks=CONTACT_CHECKS,
    )
)
