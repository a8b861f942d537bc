"""API key format: ``jst_live_`` + 30 random base62 characters (178 bits) + a 6-character CRC32
checksum, so a mistyped or truncated key is refused without a database lookup and secret scanners
can recognise real ones."""

from __future__ import annotations

import hashlib
import secrets
import zlib

__all__ = ["KEY_PREFIX", "from_seed", "generate", "hash_key", "is_well_formed", "prefix_of"]

KEY_PREFIX = "jst_live_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 30
_CHECK_LEN = 6


def _base62(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, rem = divmod(number, 62)
        out.append(_ALPHABET[rem])
    return "".join(reversed(out))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode("ascii")), _CHECK_LEN)


def generate() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LEN))
    return KEY_PREFIX + body + _checksum(body)


def from_seed(seed: bytes) -> str:
    """A well-formed key derived from secret material (the demo key is stable across restarts)."""
    number = int.from_bytes(hashlib.sha256(seed).digest(), "big")
    body = _base62(number, _BODY_LEN)
    return KEY_PREFIX + body + _checksum(body)


def is_well_formed(key: str) -> bool:
    if not key.startswith(KEY_PREFIX) or len(key) != len(KEY_PREFIX) + _BODY_LEN + _CHECK_LEN:
        return False
    rest = key[len(KEY_PREFIX) :]
    body, check = rest[:_BODY_LEN], rest[_BODY_LEN:]
    if any(c not in _ALPHABET for c in rest):
        return False
    return secrets.compare_digest(_checksum(body), check)


def prefix_of(key: str) -> str:
    return key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
