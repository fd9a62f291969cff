"""A JSON parser that enforces the body size limit and names invalid UTF-8 as such.

DRF reads the raw request stream, bypassing Django's DATA_UPLOAD_MAX_MEMORY_SIZE check, so the
limit is applied here while reading.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from rapport.framework.api.problems import PayloadTooLarge


class LimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(
                _("The request body is not valid UTF-8 (byte %(pos)d).") % {"pos": exc.start},
                code="invalid_utf8",
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(
                _("Malformed JSON: %(msg)s at line %(line)d column %(col)d.")
                % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno},
                code="malformed_json",
            ) from None
