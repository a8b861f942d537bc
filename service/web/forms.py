"""Reading ``application/x-www-form-urlencoded`` bodies strictly: a repeated field is refused
(RFC 6749 §3.1 and §3.2 forbid repeated parameters; no form of ours has one)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import Request

from service.errors import FieldError, InvalidInput

__all__ = ["FORM", "DuplicateField", "read_form"]

FORM = "application/x-www-form-urlencoded"
_MAX_FIELDS = 50


class DuplicateField(InvalidInput):
    """A field given twice (the OAuth endpoints answer it as ``invalid_request``)."""


async def read_form(request: Request[Any, Any, Any]) -> dict[str, str]:
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media != FORM:
        raise InvalidInput.field("content-type", f"send the form as {FORM}")
    body = await request.body()
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput.field("body", "not a readable form") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise DuplicateField(f"{name}: given more than once", errors=[FieldError(name, "given more than once")])
        if "\x00" in value or "\x00" in name:
            raise InvalidInput.field(name, "NUL characters are not allowed")
        form[name] = value
    return form
