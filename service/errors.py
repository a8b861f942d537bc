"""Domain errors. Each carries its HTTP status; ``service.http.problems`` turns them into RFC 9457
problem+json in one place, so services never raise framework exceptions.

    JoistError
    ├── InvalidInput          400  (with per-field ``errors``)
    ├── Unauthenticated       401
    ├── InsufficientScope     403
    ├── NotFound              404
    ├── Conflict              409
    ├── PreconditionFailed    412  (with ``current_etag``)
    ├── PayloadTooLarge       413
    ├── RateLimited           429
    └── ServiceUnavailable    503
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Conflict",
    "FieldError",
    "InsufficientScope",
    "InvalidInput",
    "JoistError",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "RateLimited",
    "ServiceUnavailable",
    "Unauthenticated",
    "UnsupportedMediaType",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    detail: str


class JoistError(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        slug: str | None = None,
        title: str | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title


class InvalidInput(JoistError):
    status = 400
    slug = "validation-error"
    title = "Your request is not valid"

    @classmethod
    def field(cls, field: str, detail: str) -> InvalidInput:
        # "zip must be …" names its field already: "zip: zip must be …" would say it twice
        named = detail.startswith((f"{field} ", f"{field}:"))
        return cls(detail if named else f"{field}: {detail}", errors=[FieldError(field, detail)])


class Unauthenticated(JoistError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class InsufficientScope(JoistError):
    status = 403
    slug = "insufficient-scope"
    title = "The credential lacks a required scope"

    def __init__(self, scope: str, detail: str | None = None) -> None:
        action, _, resource = scope.partition(":")
        also = f" (or {f'write:{resource}'!r}, which includes it)" if action == "read" else ""
        super().__init__(
            detail or f"this request needs the scope {scope!r}{also}",
            extensions={"required_scope": scope},
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


class UnsupportedMediaType(JoistError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class NotFound(JoistError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(JoistError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class PreconditionFailed(JoistError):
    status = 412
    slug = "precondition-failed"
    title = "Precondition failed"


class PayloadTooLarge(JoistError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class RateLimited(JoistError):
    status = 429
    slug = "rate-limited"
    title = "Rate limit exceeded"


class ServiceUnavailable(JoistError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"
