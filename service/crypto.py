"""Encryption at rest with the instance key, for data Joist must read back but must not keep in
the clear (stored responses that contain a new credential; later, webhook signing secrets).

AES-256-GCM with a random 96-bit nonce per message; each use gets its own key, derived from
the instance key with HKDF and a purpose label, so one purpose's ciphertext is useless to
another. Layout: ``version (1 byte) | nonce (12) | ciphertext+tag``.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer", "UnsealError"]

_VERSION = b"\x01"


class UnsealError(ValueError):
    """The data was not sealed by this instance key for this purpose, or was altered."""


class Sealer:
    def __init__(self, instance_key: str, purpose: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"joist:" + purpose.encode()).derive(
            instance_key.encode()
        )
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, _VERSION)

    def unseal(self, sealed: bytes) -> bytes:
        if len(sealed) < 29 or sealed[:1] != _VERSION:
            raise UnsealError("not a sealed value")
        try:
            return self._aead.decrypt(sealed[1:13], sealed[13:], _VERSION)
        except InvalidTag as exc:
            raise UnsealError("sealed with another key or altered") from exc
