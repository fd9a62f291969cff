"""Contacts with their e-mail addresses, phone numbers and account memberships.

The denormalised ``display_name``, ``primary_email``, ``primary_phone`` and
``primary_account`` are written with the contact, the same values the contact services
derive from the child rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from rapport.contacts.choices import BuyingRole, EmailLabel, PhoneLabel, Salutation
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.demo.generators.context import DemoContext
from rapport.demo.pools.people import name_pools
from rapport.demo.pools.phrases import (
    DEPARTMENTS_EN,
    DEPARTMENTS_ZH,
    JOB_TITLES_EN,
    JOB_TITLES_ZH,
)
from rapport.demo.pools.places import country_pool
from rapport.demo.writer import Batch, Table
from rapport.framework.text import person_display_name

CONTACTS = Table(
    Contact,
    (
        "id",
        "owner",
        "team",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "custom_fields",
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
        "description",
    ),
)
EMAILS = Table(ContactEmail, ("contact", "email", "label", "is_primary"))
PHONES = Table(ContactPhone, ("contact", "number", "e164", "label", "is_primary"))
MEMBERSHIPS = Table(AccountMembership, ("contact", "account", "buying_role", "is_primary"))
CONTACT_TAGS = Table(Contact.tags.through, ("contact", "tag"))

_ROLES = (
    (BuyingRole.DECISION_MAKER,)
    + (BuyingRole.INFLUENCER,) * 2
    + (BuyingRole.END_USER,) * 3
    + (BuyingRole.OTHER,) * 2
)
_MALE_SALUTATIONS = (Salutation.MR,) * 6 + (Salutation.DR,)
_FEMALE_SALUTATIONS = (Salutation.MS,) * 4 + (Salutation.MRS,) * 2 + (Salutation.DR,)
_BIRTHDAY_FIRST = dt.date(1958, 1, 1).toordinal()
_HAS_ACCOUNT = 0.94


def contact_batches(ctx: DemoContext) -> Iterator[Batch]:
    """All contacts and their child rows, ``batch_size`` contacts at a time."""
    rng = ctx.rng("contacts")
    r = rng.random
    clock, plan = ctx.clock, ctx.plan
    total, accounts, base, account_base = (
        plan.contacts,
        plan.accounts,
        ctx.contact_base,
        ctx.account_base,
    )
    pools, pool, tags = name_pools(), country_pool(), ctx.org.tag_ids
    sellers = ctx.all_sellers
    batch: Batch = {CONTACTS: [], EMAILS: [], PHONES: [], MEMBERSHIPS: [], CONTACT_TAGS: []}
    contacts, emails, phones = batch[CONTACTS], batch[EMAILS], batch[PHONES]
    members, tag_rows = batch[MEMBERSHIPS], batch[CONTACT_TAGS]
    for i in range(total):
        pk = base + i + 1
        a = i % accounts if r() < _HAS_ACCOUNT else -1
        if a >= 0 and r() < 0.85:
            country = ctx.countries[ctx.account_country[a]]
            city = country.cities[ctx.account_city[a]]
        else:
            country = pool[int(r() * len(pool))]
            city = country.cities[int(r() * len(country.cities))]
        if a >= 0 and r() < 0.85:
            owner = ctx.account_owner[a]
        else:
            owner = (
                ctx.seller(r(), country).user_id
                if r() < 0.9
                else sellers[int(r() * len(sellers))].user_id
            )
        names = pools[country.names]
        female = r() < 0.5
        given_pool = names.female if female else names.male
        given, given_ascii = given_pool[int(r() * len(given_pool))]
        family, family_ascii = names.family[int(r() * len(names.family))]
        if names.cjk:
            salutation = "" if r() < 0.8 else Salutation.MS if female else Salutation.MR
            title = JOB_TITLES_ZH[int(r() * len(JOB_TITLES_ZH))]
            department = DEPARTMENTS_ZH[int(r() * len(DEPARTMENTS_ZH))]
        else:
            salutations = _FEMALE_SALUTATIONS if female else _MALE_SALUTATIONS
            salutation = salutations[int(r() * len(salutations))] if r() < 0.4 else ""
            title = JOB_TITLES_EN[int(r() * len(JOB_TITLES_EN))]
            department = DEPARTMENTS_EN[int(r() * len(DEPARTMENTS_EN))]
        local = f"{given_ascii}.{family_ascii}" if given_ascii and family_ascii else f"c{pk}"
        # e-mail: work address at the account's domain, sometimes a personal one too
        primary_email = ""
        if a >= 0:
            primary_email = f"{local}@{ctx.account_domain[a]}"
            emails.append((pk, primary_email, EmailLabel.WORK, True))
        if a < 0 or r() < 0.25:
            free = country.free_mail[int(r() * len(country.free_mail))]
            address = f"{local}{int(r() * 100)}@{free}"
            emails.append((pk, address, EmailLabel.PERSONAL, not primary_email))
            primary_email = primary_email or address
        # phones: mobile or desk phone first, sometimes both
        mobile_first = r() < 0.6
        number, e164 = country.mobile(r, city) if mobile_first else country.landline(r, city)
        phones.append(
            (pk, number, e164, PhoneLabel.MOBILE if mobile_first else PhoneLabel.WORK, True)
        )
        if r() < 0.35:
            other, other_e164 = (
                country.landline(r, city) if mobile_first else country.mobile(r, city)
            )
            phones.append(
                (
                    pk,
                    other,
                    other_e164,
                    PhoneLabel.WORK if mobile_first else PhoneLabel.MOBILE,
                    False,
                )
            )
        if a >= 0:
            members.append((pk, account_base + a + 1, _ROLES[int(r() * len(_ROLES))], True))
            if accounts > 1 and r() < 0.08:
                b = (a + 1 + int(r() * (accounts - 1))) % accounts
                members.append((pk, account_base + b + 1, _ROLES[int(r() * len(_ROLES))], False))
        if r() < 0.1:
            tag_rows.append((pk, tags[int(r() * len(tags))]))
        created = int((i + r()) / total * clock.span)
        updated = created + int(r() * (clock.span - created))
        birthday = (
            dt.date.fromordinal(_BIRTHDAY_FIRST + int(r() * 15000)).isoformat()
            if r() < 0.3
            else None
        )
        street = country.street(r, city) if r() < 0.6 else ""
        contacts.append(
            (
                pk,
                owner,
                ctx.team_of.get(owner),
                owner,
                owner,
                clock.ts(created),
                clock.ts(updated),
                "{}",
                salutation,
                given,
                family,
                person_display_name(given, family),
                title,
                department,
                birthday,
                country.language,
                street,
                city.name,
                city.region,
                city.postal_code(r) if street else "",
                country.code,
                primary_email,
                e164,
                account_base + a + 1 if a >= 0 else None,
                "",
            )
        )
        ctx.contact_account.append(a + 1)
        ctx.contact_owner.append(owner)
        if len(contacts) >= plan.batch_size:
            yield batch
            batch = {CONTACTS: [], EMAILS: [], PHONES: [], MEMBERSHIPS: [], CONTACT_TAGS: []}
            contacts, emails, phones = batch[CONTACTS], batch[EMAILS], batch[PHONES]
            members, tag_rows = batch[MEMBERSHIPS], batch[CONTACT_TAGS]
    yield batch
