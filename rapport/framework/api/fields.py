"""Serializer fields shared by every record type."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from rapport.framework.text import country_code


class LenientCountryField(CountryField):
    """A country as an ISO 3166 code on output; on input also a name in English or Chinese or
    a common alias ("USA", "UK", "中国"), cleaned to its code."""

    def to_internal_value(self, data: Any) -> Any:
        if data in ("", None):
            return super().to_internal_value(data)
        code = country_code(str(data))
        if not code:
            raise serializers.ValidationError(
                _("“%(value)s” is not a country: give its ISO 3166 code or its name.")
                % {"value": data},
                code="invalid_choice",
            )
        return super().to_internal_value(code)
