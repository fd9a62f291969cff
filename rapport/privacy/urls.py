"""Routes of the privacy screens of contacts and leads; included before the generated
record screens (config/urls.py)."""

from django.urls import path, register_converter

from rapport.privacy import views


class PersonTypeKey:
    """Only the record types that hold a person: contacts and leads."""

    regex = r"contacts|leads"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PersonTypeKey, "person_type")

app_name = "privacy"
urlpatterns = [
    path(
        "privacy/<person_type:key>/<int:pk>/personal-data/",
        views.personal_data,
        name="personal-data",
    ),
    path("privacy/<person_type:key>/<int:pk>/consents/", views.consents, name="consents"),
    path(
        "privacy/<person_type:key>/<int:pk>/consents/withdraw/",
        views.consents_withdraw,
        name="consents-withdraw",
    ),
    path("privacy/<person_type:key>/<int:pk>/erase/", views.erase, name="erase"),
]
