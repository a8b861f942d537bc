"""Migrate the toolkit's database and make one confidential client, a user and ``count``
authorization codes with an S256 challenge; print them as JSON (run in the DOT virtualenv)."""

import json
import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.dot.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import Application, Grant  # noqa: E402


def main() -> None:
    count, redirect_uri, challenge = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    secret = "bench-client-secret-0123456789abcdefghij"
    app = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        client_secret=secret,
        hash_client_secret=False,  # the toolkit's fastest setting: its default hashes with the password hasher
        user=user,
    )
    expires = timezone.now() + timedelta(hours=1)
    codes = [f"benchcode{i:08d}x{os.urandom(12).hex()}" for i in range(count)]
    Grant.objects.bulk_create(
        Grant(
            user=user,
            code=code,
            application=app,
            expires=expires,
            redirect_uri=redirect_uri,
            scope="read:projects write:projects",
            code_challenge=challenge,
            code_challenge_method="S256",
        )
        for code in codes
    )
    print(json.dumps({"client_id": app.client_id, "client_secret": secret, "codes": codes}))


if __name__ == "__main__":
    main()
