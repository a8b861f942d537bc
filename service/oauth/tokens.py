"""Credential text for people and apps: a recognisable prefix, 32 random base62 characters (190
bits) and a 6-character CRC32 checksum, so a truncated or mistyped credential is refused without
a database lookup and secret scanners can match each kind. Only the SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import zlib

__all__ = [
    "ACCESS_TOKEN",
    "AUTHORIZATION_CODE",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DEVELOPER_KEY",
    "REFRESH_TOKEN",
    "STAFF_KEY",
    "digest",
    "generate",
    "is_well_formed",
    "prefix_of",
]

CLIENT_ID = "jst_cid_"  # an identifier, not a secret
CLIENT_SECRET = "jst_cs_"  # noqa: S105  (prefixes, not secrets)
AUTHORIZATION_CODE = "jst_ac_"
ACCESS_TOKEN = "jst_at_"  # noqa: S105
REFRESH_TOKEN = "jst_rt_"  # noqa: S105
DEVELOPER_KEY = "jst_dev_"
STAFF_KEY = "jst_stf_"

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 32
_CHECK_LEN = 6


def _checksum(body: str) -> str:
    number = zlib.crc32(body.encode("ascii"))
    out = []
    for _ in range(_CHECK_LEN):
        number, rem = divmod(number, 62)
        out.append(_ALPHABET[rem])
    return "".join(reversed(out))


def generate(prefix: str) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LEN))
    return prefix + body + _checksum(body)


def is_well_formed(text: str, prefix: str) -> bool:
    if not text.startswith(prefix) or len(text) != len(prefix) + _BODY_LEN + _CHECK_LEN:
        return False
    rest = text[len(prefix) :]
    if any(c not in _ALPHABET for c in rest):
        return False
    return secrets.compare_digest(_checksum(rest[:_BODY_LEN]), rest[_BODY_LEN:])


def prefix_of(text: str, prefix: str) -> str:
    """The first 8 characters after the kind prefix: how lists name a credential."""
    return text[len(prefix) : len(prefix) + 8]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
