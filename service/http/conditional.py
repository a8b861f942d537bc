"""Conditional requests on a single core record (RFC 9110 §13).

The record's ``version`` is its entity tag, a strong validator: ``ETag: "7"`` (the id is in the
URL). ``GET`` answers 304 to a matching ``If-None-Match``; ``PATCH``, ``PUT``, ``DELETE`` and the
state-changing ``POST`` actions honour ``If-Match`` (``*``, or a list of entity tags compared
strongly, so ``W/"7"`` never matches), 412 ``precondition-failed`` otherwise. A header that is not
``*`` and not a list of entity tags is a 400 naming it. Without the header nothing changes.

A write compares the version in its own session, on the row it then changes
(``service.records.checked``); the version check of the row's UPDATE or DELETE turns a change
that slipped in between into a 409, never a lost update.

Handlers are marked with ``**conditional(kind)``; the OpenAPI document declares the headers and
the 304 / 412 answers of the marked operations (``service.http.openapi``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, cast

from litestar import Litestar, Request, Response
from litestar.routes import HTTPRoute

from service.errors import InvalidInput, PreconditionFailed

__all__ = [
    "CONDITIONAL_OPT",
    "Kind",
    "Precondition",
    "conditional",
    "conditional_operations",
    "etag",
    "if_match",
    "read_response",
    "tagged",
]

CONDITIONAL_OPT = "joist.conditional"
# read: GET of one record (ETag, If-None-Match); create: its 201 carries ETag; write: If-Match.
Kind = Literal["read", "create", "write"]

_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
# RFC 9110 §5.6.1: a comma-separated list; recipients accept empty elements.
_TAG_LIST = re.compile(rf"[ \t]*(?:{_TAG})?(?:[ \t]*,[ \t]*(?:{_TAG})?)*[ \t]*")
_ONE_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e\x80-\xff]*)"')


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


def conditional(kind: Kind) -> dict[str, Any]:
    """Route-decorator arguments marking a single-record operation (its options carry ``kind``)."""
    return {CONDITIONAL_OPT: kind}


def etag(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True, slots=True)
class Precondition:
    """A parsed ``If-Match``: any current record (``*``), or one whose version a strong tag names."""

    versions: frozenset[str] | None  # the opaque values of the strong tags; None for "*"

    def check(self, version: int) -> None:
        """412, naming the current ETag, unless ``version`` satisfies the precondition."""
        if self.versions is None or str(version) in self.versions:
            return
        current = etag(version)
        raise PreconditionFailed(
            f"If-Match names no current version of this record; its ETag is {current}: read it again",
            extensions={"current_etag": current},
        )


def _parse(header: str, lines: list[str]) -> list[tuple[bool, str]] | None:
    """The entity tags of ``header`` as ``(weak, opaque)``, or None for ``*``; 400 if malformed."""
    value = ", ".join(lines).strip()
    if value == "*":
        return None
    tags = [(bool(weak), opaque) for weak, opaque in _ONE_TAG.findall(value)]
    if not tags or not _TAG_LIST.fullmatch(value):
        raise InvalidInput.field(header, 'must be * or a list of entity tags such as "3"')
    return tags


def if_match(request: Request[Any, Any, Any]) -> Precondition | None:
    """The request's ``If-Match`` (every line of it), None when absent."""
    lines = request.headers.getall("if-match", [])
    if not lines:
        return None
    tags = _parse("If-Match", lines)
    return Precondition(None if tags is None else frozenset(opaque for weak, opaque in tags if not weak))


def tagged(data: V, status_code: int = 200, headers: dict[str, str] | None = None) -> Response[V]:
    """``data`` (a record as the API shows it) with its ``ETag``."""
    return Response(data, status_code=status_code, headers={**(headers or {}), "ETag": etag(data.version)})


def read_response(request: Request[Any, Any, Any], data: V) -> Response[V]:
    """A ``GET`` of one record: 304 with the ETag and no body when ``If-None-Match`` names it
    (weak comparison, as RFC 9110 §13.1.2 says), else the record with its ETag."""
    lines = request.headers.getall("if-none-match", [])
    if lines:
        tags = _parse("If-None-Match", lines)
        if tags is None or str(data.version) in {opaque for _, opaque in tags}:
            # No content: Litestar sends no body for a 304 (its ``null`` is dropped).
            return cast("Response[V]", Response(None, status_code=304, headers={"ETag": etag(data.version)}))
    return tagged(data)


def conditional_operations(app: Litestar) -> dict[str, Kind]:
    """The ``operationId`` of every handler marked with ``conditional``, and its kind."""
    found: dict[str, Kind] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                kind = handler.opt.get(CONDITIONAL_OPT)
                if kind is not None and isinstance(handler.operation_id, str):
                    found[handler.operation_id] = kind
    return found
