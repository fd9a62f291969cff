"""Privacy endpoints nested under the contacts and leads routes (included under ``api/``)."""

from django.urls import URLPattern, path

from rapport.privacy.api import ConsentsView, ConsentWithdrawView, EraseView, PersonalDataView
from rapport.privacy.choices import PersonType

urlpatterns: list[URLPattern] = []
for _key in PersonType.values:
    urlpatterns += [
        path(
            f"{_key}/<int:pk>/consents/",
            ConsentsView.as_view(person_type=_key),
            name=f"{_key}-consents",
        ),
        path(
            f"{_key}/<int:pk>/consents/withdraw/",
            ConsentWithdrawView.as_view(person_type=_key),
            name=f"{_key}-consents-withdraw",
        ),
        path(
            f"{_key}/<int:pk>/personal-data/",
            PersonalDataView.as_view(person_type=_key),
            name=f"{_key}-personal-data",
        ),
        path(f"{_key}/<int:pk>/erase/", EraseView.as_view(person_type=_key), name=f"{_key}-erase"),
    ]
