"""A contact's primary email, phone and account follow its child rows on every write."""

from conftest import client_for
from rapport.contacts.models import Contact
from rapport.framework.testing.factories import AccountFactory


def test_primaries_follow_the_rows_written(personas):
    account = AccountFactory(owner=personas.owner)
    client = client_for(personas.owner)

    created = client.post(
        "/api/contacts/",
        {
            "family_name": "Lovelace",
            "emails": [
                {"email": "ada@Work.Example"},
                {"email": "ada@home.example", "is_primary": True},
            ],
            "phones": [{"number": "(202) 555-0143"}],
            "memberships": [{"account": account.pk, "buying_role": "influencer"}],
        },
    ).json()

    assert (created["primary_email"], created["primary_phone"], created["primary_account"]) == (
        "ada@home.example",
        "+12025550143",
        account.pk,
    )


def test_a_write_without_child_rows_keeps_the_primaries(personas):
    client = client_for(personas.owner)
    pk = client.post(
        "/api/contacts/", {"family_name": "Hopper", "emails": [{"email": "grace@example.com"}]}
    ).json()["id"]

    client.patch(f"/api/contacts/{pk}/", {"job_title": "Rear admiral"})

    assert Contact.objects.get(pk=pk).primary_email == "grace@example.com"


def test_removing_the_rows_clears_the_primaries(personas):
    client = client_for(personas.owner)
    pk = client.post(
        "/api/contacts/",
        {
            "family_name": "Curie",
            "emails": [{"email": "marie@example.com"}],
            "phones": [{"number": "+33 1 23 45 67 89"}],
        },
    ).json()["id"]

    updated = client.patch(
        f"/api/contacts/{pk}/", {"emails": [], "phones": []}, format="json"
    ).json()

    assert (updated["primary_email"], updated["primary_phone"]) == ("", "")
    assert Contact.objects.get(pk=pk).primary_phone == ""
