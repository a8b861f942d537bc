"""Sealing with the instance key: round trip, tamper detection, separation by key and purpose."""

from __future__ import annotations

import pytest

from service.crypto import Sealer, UnsealError


def test_round_trip_with_a_fresh_nonce_each_time() -> None:
    sealer = Sealer("instance-key", "idempotency")
    first, second = sealer.seal(b"jst_live_secret"), sealer.seal(b"jst_live_secret")
    assert first != second
    assert b"jst_live_secret" not in first
    assert sealer.unseal(first) == sealer.unseal(second) == b"jst_live_secret"


@pytest.mark.parametrize(
    "other", [Sealer("another-instance-key", "idempotency"), Sealer("instance-key", "webhook-secrets")]
)
def test_another_key_or_purpose_cannot_open_it(other: Sealer) -> None:
    sealed = Sealer("instance-key", "idempotency").seal(b"payload")
    with pytest.raises(UnsealError):
        other.unseal(sealed)


def test_altered_or_foreign_bytes_are_refused() -> None:
    sealer = Sealer("instance-key", "idempotency")
    sealed = bytearray(sealer.seal(b"payload"))
    sealed[-1] ^= 1
    for bad in (bytes(sealed), b"", b"\x01short", b"\x02" + bytes(40)):
        with pytest.raises(UnsealError):
            sealer.unseal(bad)
