"""The hosted page in each language, its framing policy, and the embed snippet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from rapport.webforms.tests.factories import CONSENTS, THANK_YOU, webform

pytestmark = pytest.mark.django_db


def test_the_hosted_page_in_english(personas: Any) -> None:
    # given a form
    form = webform()
    # when a visitor opens it with an English browser
    response = Client().get(f"/f/{form.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    # then the fields carry their English labels, the consent its exact wording
    assert response.status_code == 200
    assert '<html lang="en"' in body
    assert '<label for="wf-family_name">Last name <span aria-hidden="true">*</span>' in body
    assert 'type="email" autocomplete="email"' in body
    assert CONSENTS[0]["wording"]["en"] in body
    assert 'name="consent_marketing_email"' in body
    # the honeypot is hidden by a class (no inline style) and labelled for screen readers
    assert '<div class="visually-hidden">' in body
    assert '<label for="wf-website_url">Leave this field empty</label>' in body
    assert 'style="' not in body
    # and the page carries a signed token, without the app shell
    assert 'name="wf_token" value="' in body
    assert "sidebar" not in body


def test_the_hosted_page_in_chinese(personas: Any) -> None:
    form = webform()
    # by ?lang=
    body = Client().get(f"/f/{form.slug}/?lang=zh-hans").content.decode()
    assert '<html lang="zh-hans"' in body
    assert '<label for="wf-family_name">姓 ' in body
    assert CONSENTS[0]["wording"]["zh-hans"] in body
    assert CONSENTS[0]["wording"]["en"] not in body
    # and by the browser's language
    by_header = Client().get(f"/f/{form.slug}/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert '<label for="wf-email">电子邮件 ' in by_header.content.decode()


def test_the_thank_you_text_is_in_the_visitors_language_or_a_redirect(personas: Any) -> None:
    # given a visitor whose submission is spam (they see the same answer as a person)
    form = webform()
    thanks = Client().post(f"/f/{form.slug}/?lang=zh-hans", {"website_url": "x"})
    assert THANK_YOU["zh-hans"] in thanks.content.decode()
    # given a form that redirects
    form.redirect_url = "https://www.example.com/thanks"
    form.save()
    redirected = Client().post(f"/f/{form.slug}/", {"website_url": "x"})
    assert (redirected.status_code, redirected["Location"]) == (
        303,
        "https://www.example.com/thanks",
    )
    # and the page allows the redirect as a form target
    page = Client().get(f"/f/{form.slug}/")
    assert "form-action 'self' https://www.example.com" in page["Content-Security-Policy"]


def test_only_the_allowed_origins_may_frame_the_hosted_page(personas: Any) -> None:
    # given a form that example.com may embed
    form = webform(allowed_origins=["https://www.example.com", "https://shop.example.com"])
    response = Client().get(f"/f/{form.slug}/")
    policy = response["Content-Security-Policy"]
    # then the CSP names exactly those (and Rapport itself, for the preview) as frame
    # ancestors, and X-Frame-Options is not sent
    assert directives(policy)["frame-ancestors"] == (
        "'self' https://www.example.com https://shop.example.com"
    )
    assert "X-Frame-Options" not in response
    assert directives(policy)["script-src"] == "'self'"
    # a form without allowed origins may be framed by no other site
    closed = Client().get(f"/f/{webform().slug}/")
    assert directives(closed["Content-Security-Policy"])["frame-ancestors"] == "'self'"
    # and the app's own pages still may not be framed at all
    login = Client().get("/login/")["Content-Security-Policy"]
    assert directives(login)["frame-ancestors"] == "'none'"


def directives(policy: str) -> dict[str, str]:
    """A Content-Security-Policy header by directive (their order is not significant)."""
    parts = [p.strip().split(" ", 1) for p in policy.split(";") if p.strip()]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def test_the_embed_page_shows_the_snippet_to_staff(client: Any, personas: Any) -> None:
    # given a form
    form = webform(allowed_origins=["https://www.example.com"])
    # when a sales rep opens the embed page, then it is not for them
    client.post("/login/", {"username": "owner", "password": "pw"})
    assert client.get(f"/web-forms/{form.pk}/embed/").status_code == 403
    # when the administrator opens it
    admin = Client()
    admin.post("/login/", {"username": "admin", "password": "pw"})
    body = admin.get(f"/web-forms/{form.pk}/embed/").content.decode()
    # then it shows the hosted link and the snippet to copy
    url = f"http://testserver/f/{form.slug}/"
    assert f'<a href="{url}" data-hosted-url>' in body
    assert (
        f"&lt;div data-rapport-form=&quot;{url}&quot; data-title=&quot;{form.name}&quot;&gt;"
        in body
    )
    assert "&lt;script src=&quot;http://testserver/static/rapport/webform-embed.js&quot;" in body
    # and a live preview made by the same snippet
    assert f'data-rapport-form="{url}"' in body
    assert "https://www.example.com" in body


def test_the_embed_script_builds_an_iframe_of_the_hosted_page() -> None:
    script = Path(settings.BASE_DIR, "static/src/rapport/webform-embed.js").read_text()
    assert "[data-rapport-form]" in script
    assert 'createElement("iframe")' in script
    assert "event.origin !== url.origin" in script


def test_the_overview_leads_staff_to_each_spam_folder(client: Any, personas: Any) -> None:
    # given a form with one spam submission
    form = webform()
    Client().post(f"/f/{form.slug}/", {"website_url": "x"})
    # when the administrator opens the overview from the Marketing menu
    client.post("/login/", {"username": "admin", "password": "pw"})
    home = client.get("/").content.decode()
    assert 'href="/web-form-submissions/"' in home
    body = client.get("/web-form-submissions/").content.decode()
    # then it counts the spam and links to the form's spam folder
    spam_link = f'<a href="/web-forms/{form.pk}/submissions/?status=spam" data-count="spam">1</a>'
    assert spam_link in body
    assert f'href="/web-forms/{form.pk}/embed/"' in body
    # and a sales rep sees neither the link nor the page
    rep = Client()
    rep.post("/login/", {"username": "owner", "password": "pw"})
    assert 'href="/web-form-submissions/"' not in rep.get("/").content.decode()
    assert rep.get("/web-form-submissions/").status_code == 403
