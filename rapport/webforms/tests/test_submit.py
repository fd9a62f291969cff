"""Submitting a web form: leads created and completed, consents, spam, floods and bad input."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client

from conftest import client_for
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition
from rapport.framework.choices import Channel
from rapport.leads.models import Lead
from rapport.privacy.models import Consent, PrivacyAction
from rapport.webforms.choices import LeadOutcome, SpamReason, SubmissionStatus
from rapport.webforms.models import WebForm, WebFormSubmission
from rapport.webforms.services import form_token
from rapport.webforms.tests.factories import CONSENTS, webform

pytestmark = pytest.mark.django_db


def _values(form: WebForm, **overrides: Any) -> dict[str, Any]:
    """A submission as a person sends it: ten seconds after the page was rendered."""
    values = {
        "wf_token": form_token(form, rendered_at=time.time() - 10),
        "website_url": "",
        "given_name": "  ada ",
        "family_name": "LOVELACE",
        "email": "Ada.Lovelace@Example.COM ",
        "phone": "+44 20 7946 0958",
        "company": "Analytical Engines",
        "country": "United Kingdom",
        "description": "Please call me about a demo.",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_a_submission_creates_a_clean_lead_assigned_to_the_form_owner(personas: Any) -> None:
    # given a form whose leads go to owner in team East
    form = webform(lead_owner=personas.owner, lead_team=personas.team)
    # when a visitor sends it
    response = Client().post(f"/f/{form.slug}/", _values(form))
    # then they are thanked and a lead exists, cleaned like on every other way in
    assert response.status_code == 200
    assert "Thank you, we will be in touch." in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.given_name, lead.family_name, lead.display_name) == (
        "Ada",
        "Lovelace",
        "Ada Lovelace",
    )
    assert lead.email == "Ada.Lovelace@example.com"
    assert lead.phone_e164 == "+442079460958"
    assert lead.country.code == "GB"
    assert (lead.owner, lead.team, lead.source) == (personas.owner, personas.team, "web")
    submission = WebFormSubmission.objects.get()
    assert (submission.status, submission.lead, submission.lead_outcome) == (
        SubmissionStatus.ACCEPTED,
        lead,
        LeadOutcome.CREATED,
    )
    assert submission.payload["email"] == "Ada.Lovelace@Example.COM "
    assert "wf_token" not in submission.payload
    # and the change log says it came through the web form
    entry = ChangeLogEntry.objects.get(object_id=str(lead.pk))
    assert entry.channel == Channel.WEB_FORM


def test_a_second_submission_with_the_same_email_completes_that_lead(personas: Any) -> None:
    # given a lead created by a first submission without a company
    form = webform(lead_owner=personas.owner)
    Client().post(f"/f/{form.slug}/", _values(form, company="", description="First"))
    lead = Lead.objects.get()
    # when the same person sends the form again, email in other case, with a company
    response = Client().post(
        f"/f/{form.slug}/",
        _values(form, email="ada.lovelace@example.com", family_name="Byron", company="AE Ltd"),
    )
    # then the lead is completed (empty fields filled, nothing overwritten), not duplicated
    assert response.status_code == 200
    assert Lead.objects.count() == 1
    lead.refresh_from_db()
    assert (lead.company, lead.family_name, lead.description) == ("AE Ltd", "Lovelace", "First")
    second = WebFormSubmission.objects.order_by("-id").first()
    assert second is not None
    assert (second.lead, second.lead_outcome) == (lead, LeadOutcome.UPDATED)


def test_utm_parameters_and_referrer_are_recorded(personas: Any) -> None:
    # given a form opened from a campaign link
    form = webform()
    client = Client()
    page = client.get(
        f"/f/{form.slug}/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn",
        HTTP_REFERER="https://mail.example.net/inbox",
    ).content.decode()
    # the page carries them into the form
    assert 'name="utm_source" value="newsletter"' in page
    assert 'name="wf_referrer" value="https://mail.example.net/inbox"' in page
    # when it is sent with what the page carried
    client.post(
        f"/f/{form.slug}/",
        _values(
            form,
            utm_source="newsletter",
            utm_medium="email",
            utm_campaign="autumn",
            wf_referrer="https://mail.example.net/inbox",
        ),
    )
    # then the submission, linked to the lead, records them
    submission = WebFormSubmission.objects.get()
    assert (
        submission.utm_source,
        submission.utm_medium,
        submission.utm_campaign,
        submission.utm_term,
        submission.referrer,
    ) == ("newsletter", "email", "autumn", "", "https://mail.example.net/inbox")
    assert submission.lead == Lead.objects.get()


def test_consent_is_stored_with_the_exact_wording_shown(personas: Any) -> None:
    # given a form with a newsletter consent, shown in Chinese
    form = webform()
    # when a visitor ticks it
    Client().post(f"/f/{form.slug}/?lang=zh-hans", _values(form, consent_marketing_email="on"))
    # then the lead's consent holds the Chinese wording, character for character
    consent = Consent.objects.get()
    assert consent.lead == Lead.objects.get()
    assert (consent.purpose, consent.granted, consent.source) == (
        "marketing_email",
        True,
        "web_form",
    )
    assert consent.wording == CONSENTS[0]["wording"]["zh-hans"]


def test_an_unticked_optional_consent_records_nothing(personas: Any) -> None:
    form = webform()
    Client().post(f"/f/{form.slug}/", _values(form))
    assert Lead.objects.count() == 1
    assert Consent.objects.count() == 0


def test_a_required_consent_left_unticked_is_shown_beside_the_box(personas: Any) -> None:
    # given a form whose consent is required
    form = webform(consents=[{**CONSENTS[0], "required": True}])
    # when it is sent without ticking it
    response = Client().post(f"/f/{form.slug}/", _values(form))
    # then the form comes back with the message beside the box; nothing is saved
    assert response.status_code == 400
    assert re.search(
        r'id="wf-consent_marketing_email-err">Tick this box to send the form.<',
        response.content.decode(),
    )
    assert (Lead.objects.count(), WebFormSubmission.objects.count()) == (0, 0)


def test_the_honeypot_sends_a_submission_to_the_spam_folder(personas: Any) -> None:
    # when a bot fills in the hidden field
    form = webform()
    response = Client().post(f"/f/{form.slug}/", _values(form, website_url="http://spam.example"))
    # then it sees the usual thanks, the submission is kept as spam and no lead is made
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    submission = WebFormSubmission.objects.get()
    assert (submission.status, submission.spam_reasons) == (
        SubmissionStatus.SPAM,
        [SpamReason.HONEYPOT],
    )
    assert submission.payload["website_url"] == "http://spam.example"
    assert submission.lead is None
    assert Lead.objects.count() == 0


def test_a_submission_sent_right_after_the_page_loaded_is_spam(personas: Any) -> None:
    # given the token of a page rendered just now
    form = webform()
    client = Client()
    page = client.get(f"/f/{form.slug}/").content.decode()
    match = re.search(r'name="wf_token" value="([^"]+)"', page)
    assert match is not None
    # when the form is sent at once
    client.post(f"/f/{form.slug}/", _values(form, wf_token=match.group(1)))
    # then it is kept as spam: too fast
    submission = WebFormSubmission.objects.get()
    assert (submission.status, submission.spam_reasons) == ("spam", [SpamReason.TOO_FAST])
    assert Lead.objects.count() == 0


def test_three_links_and_a_referrer_are_not_spam(personas: Any) -> None:
    form = webform()
    links = "see http://a.example http://b.example www.c.example"
    Client().post(
        f"/f/{form.slug}/",
        _values(form, description=links, wf_referrer="https://www.example.com/?utm_x=1"),
    )
    assert WebFormSubmission.objects.get().status == SubmissionStatus.ACCEPTED


def test_a_forged_token_or_many_links_are_spam(personas: Any) -> None:
    form = webform()
    links = "see http://a.example http://b.example www.c.example https://d.example"
    Client().post(f"/f/{form.slug}/", _values(form, wf_token="forged", description=links))
    submission = WebFormSubmission.objects.get()
    assert submission.spam_reasons == [SpamReason.BAD_TOKEN, SpamReason.TOO_MANY_LINKS]
    assert Lead.objects.count() == 0


def test_a_flood_from_one_address_is_refused_after_the_limit(personas: Any) -> None:
    # given the default limit of 5 submissions a minute per address and form
    form = webform()
    client = Client()
    statuses = [
        client.post(
            f"/f/{form.slug}/", _values(form, email=f"p{i}@example.com", phone="")
        ).status_code
        for i in range(7)
    ]
    # then the first five are taken and the rest refused with a clear message
    assert statuses == [200, 200, 200, 200, 200, 429, 429]
    refused = client.post(f"/f/{form.slug}/", _values(form, email="late@example.com"))
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Too many submissions from your address. Nothing was saved" in body
    assert int(refused["Retry-After"]) >= 1
    # and the sender's values come back in the page, so nothing they typed is lost
    assert 'value="late@example.com"' in body
    # refused submissions are not stored (see rapport.webforms.services)
    assert WebFormSubmission.objects.count() == 5
    assert Lead.objects.count() == 5


def test_another_address_is_not_limited_by_a_flood(personas: Any, settings: Any) -> None:
    settings.RAPPORT_WEBFORM_RATE_PER_MINUTE = 1
    form = webform()
    first = Client(REMOTE_ADDR="203.0.113.1")
    assert first.post(f"/f/{form.slug}/", _values(form)).status_code == 200
    assert first.post(f"/f/{form.slug}/", _values(form)).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.2")
    assert other.post(f"/f/{form.slug}/", _values(form, email="b@example.com")).status_code == 200
    assert WebFormSubmission.objects.filter(ip="203.0.113.2").count() == 1


def test_an_oversized_submission_is_refused_with_413(personas: Any, settings: Any) -> None:
    # given a 64 KB limit
    form = webform()
    # when a body of 70 KB is sent
    response = Client().post(f"/f/{form.slug}/", _values(form, description="x" * 70_000))
    # then it is refused with a message, and nothing is stored
    assert response.status_code == 413
    assert "The form is too large to send (at most 64 KB). Nothing was saved." in (
        response.content.decode()
    )
    assert (Lead.objects.count(), WebFormSubmission.objects.count()) == (0, 0)


def test_a_missing_required_field_is_shown_beside_it(personas: Any) -> None:
    # when the form is sent without the family name
    form = webform()
    response = Client().post(f"/f/{form.slug}/", _values(form, family_name=""))
    # then it comes back with the message beside that field, the other values kept
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="wf-family_name-err">This field is required.<', body)
    assert 'aria-describedby="wf-family_name-err"' in body
    assert 'value="Analytical Engines"' in body
    # and nothing is saved
    assert (Lead.objects.count(), WebFormSubmission.objects.count()) == (0, 0)


def test_an_invalid_email_is_shown_beside_it(personas: Any) -> None:
    form = webform()
    response = Client().post(f"/f/{form.slug}/", _values(form, email="ada@"))
    assert response.status_code == 400
    assert re.search(r'id="wf-email-err">Enter a valid email address.<', response.content.decode())
    assert (Lead.objects.count(), WebFormSubmission.objects.count()) == (0, 0)


def test_a_closed_or_unknown_form_is_not_found(personas: Any) -> None:
    form = webform(active=False)
    assert Client().get(f"/f/{form.slug}/").status_code == 404
    assert Client().post(f"/f/{form.slug}/", _values(form)).status_code == 404
    assert Client().get("/f/no-such-form/").status_code == 404
    assert WebFormSubmission.objects.count() == 0


def test_not_spam_creates_the_lead(client: Any, personas: Any) -> None:
    # given a person's submission caught by the too-fast check
    form = webform(lead_owner=personas.owner)
    Client().post(f"/f/{form.slug}/", _values(form, wf_token=form_token(form)))
    submission = WebFormSubmission.objects.get(status="spam")
    # when a sales rep (not staff) tries to release it, then nothing changes
    client.post("/login/", {"username": "owner", "password": "pw"})
    url = f"/web-forms/{form.pk}/submissions/{submission.pk}/accept/"
    assert client.post(url).status_code == 403
    assert Lead.objects.count() == 0
    # when the administrator sees the spam folder and marks it as not spam
    client = Client()
    client.post("/login/", {"username": "admin", "password": "pw"})
    folder = client.get(f"/web-forms/{form.pk}/submissions/?status=spam").content.decode()
    assert "Ada.Lovelace@Example.COM" in folder
    assert "Sent faster than a person can fill in the form" in folder
    response = client.post(url)
    # then the lead is written from the kept payload, assigned as the form says
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.email, lead.owner) == ("Ada.Lovelace@example.com", personas.owner)
    submission.refresh_from_db()
    assert (submission.status, submission.lead, submission.reviewed_by) == (
        "accepted",
        lead,
        personas.admin,
    )
    # and it has left the spam folder
    folder = client.get(f"/web-forms/{form.pk}/submissions/?status=spam").content.decode()
    assert f'data-submission="{submission.pk}"' not in folder
    assert "No submissions." in folder


def test_submissions_are_readable_by_staff_only_in_the_api(personas: Any) -> None:
    # given one accepted and one spam submission
    form = webform()
    Client().post(f"/f/{form.slug}/", _values(form))
    Client().post(f"/f/{form.slug}/", _values(form, website_url="x", email="bot@example.com"))
    # when staff list the spam, then they get exactly it
    response = client_for(personas.admin).get(
        "/api/web-form-submissions/", {"form": form.pk, "status": "spam"}
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["status"], r["payload"]["email"]) for r in rows] == [("spam", "bot@example.com")]
    # a bad filter is named
    bad = client_for(personas.admin).get("/api/web-form-submissions/", {"status": "maybe"})
    assert bad.status_code == 400
    # and a sales rep may not read them, nor write them
    assert client_for(personas.owner).get("/api/web-form-submissions/").status_code == 403
    assert (
        client_for(personas.admin).post("/api/web-form-submissions/", {}, format="json").status_code
        == 405
    )


def test_a_lead_that_cannot_be_written_keeps_the_submission_as_rejected(personas: Any) -> None:
    # given a required custom field of leads that the form does not ask for
    CustomFieldDefinition.objects.create(
        record_type="leads",
        name="region_code",
        label="Region code",
        field_type="text",
        required=True,
    )
    form = webform()
    # when a visitor sends the form
    response = Client().post(f"/f/{form.slug}/", _values(form))
    # then they are thanked (they cannot fix it), the submission is kept as rejected with the
    # problem, and no lead is half-written
    assert response.status_code == 200
    submission = WebFormSubmission.objects.get()
    assert (submission.status, submission.lead, submission.problems) == (
        SubmissionStatus.REJECTED,
        None,
        {"cf.region_code": ["This field is required."]},
    )
    assert (Lead.objects.count(), Consent.objects.count()) == (0, 0)


def test_not_spam_with_an_unusable_payload_says_why(personas: Any) -> None:
    # given a bot's spam without a family name
    form = webform()
    Client().post(f"/f/{form.slug}/", {"website_url": "x", "email": "bot@example.com"})
    submission = WebFormSubmission.objects.get()
    admin = Client()
    admin.post("/login/", {"username": "admin", "password": "pw"})
    # when the administrator marks it as not spam
    response = admin.post(f"/web-forms/{form.pk}/submissions/{submission.pk}/accept/", follow=True)
    # then they are told what is missing, and nothing changed
    assert "No lead was written: family_name: This field is required." in (
        response.content.decode()
    )
    submission.refresh_from_db()
    assert (submission.status, submission.lead, Lead.objects.count()) == ("spam", None, 0)


def test_a_form_with_submissions_cannot_be_deleted(personas: Any) -> None:
    # given a form with a kept spam submission
    form = webform()
    Client().post(f"/f/{form.slug}/", {"website_url": "x"})
    # when the administrator deletes the form, then it is refused and nothing is lost
    response = client_for(personas.admin).delete(f"/api/web-forms/{form.pk}/")
    assert response.status_code == 400
    assert WebForm.objects.filter(pk=form.pk).exists()
    assert WebFormSubmission.objects.count() == 1


def test_erasing_a_lead_deletes_the_submissions_that_brought_it_in(personas: Any) -> None:
    # given a lead from a form, and a spam submission that made no lead
    form = webform()
    Client().post(f"/f/{form.slug}/", _values(form))
    Client().post(f"/f/{form.slug}/", _values(form, website_url="x"))
    lead = Lead.objects.get()
    # when the person is erased (privacy)
    response = client_for(personas.admin).post(f"/api/leads/{lead.pk}/erase/")
    # then their submission is gone with them, recorded in the privacy action
    assert response.status_code == 200, response.content
    assert list(WebFormSubmission.objects.values_list("status", flat=True)) == ["spam"]
    action = PrivacyAction.objects.get(action="erase")
    assert action.detail["web_form_submissions_deleted"] == 1


def test_custom_fields_on_the_form_are_stored_on_the_lead(personas: Any) -> None:
    # given a form asking for a custom text field and a required custom checkbox
    CustomFieldDefinition.objects.create(
        record_type="leads", name="budget", label="Budget", field_type="text"
    )
    CustomFieldDefinition.objects.create(
        record_type="leads", name="partner", label="Partner", field_type="boolean"
    )
    label = {"en": "x", "zh-hans": "x"}
    form = webform(
        fields=[
            *webform().fields,
            {"name": "cf.budget", "required": False, "label": label},
            {"name": "cf.partner", "required": True, "label": label},
        ]
    )
    # when the checkbox is left unticked, then it is shown beside it and nothing is saved
    refused = Client().post(f"/f/{form.slug}/", _values(form, **{"cf.budget": "10k"}))
    assert refused.status_code == 400
    assert re.search(
        r'id="wf-cf-partner-err">Tick this box to send the form.<', refused.content.decode()
    )
    assert Lead.objects.count() == 0
    # when it is ticked, then the lead holds both values
    Client().post(f"/f/{form.slug}/", _values(form, **{"cf.budget": "10k", "cf.partner": "on"}))
    assert Lead.objects.get().custom_fields == {"budget": "10k", "partner": True}
