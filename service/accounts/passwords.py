"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "check_password", "hash_password"]

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
_HASHER = PasswordHasher()
# Verified when the email is unknown, so a miss costs what a wrong password costs.
_DUMMY = _HASHER.hash("joist-no-such-user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
