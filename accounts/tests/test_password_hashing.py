"""Passwords are stored with Argon2id; older hashes are upgraded at sign-in.

The suite hashes with MD5 for speed (config/settings.py), so these tests put
the production list back.
"""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from accounts.tests.factories import TEST_PASSWORD

SIGN_IN = "/account/sign-in/"
production_hashers = override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS)


@production_hashers
def test_new_passwords_are_hashed_with_argon2id():
    encoded = make_password("a long enough passphrase")
    assert encoded.startswith("argon2$argon2id$")


@production_hashers
@pytest.mark.django_db
@pytest.mark.parametrize("older", ["pbkdf2_sha256", "pbkdf2_sha1", "scrypt"])
def test_an_older_hash_still_signs_in_and_is_upgraded_to_argon2(client, inspector, older):
    inspector.password = make_password(TEST_PASSWORD, hasher=older)
    inspector.save(update_fields=["password"])

    response = client.post(SIGN_IN, {"username": inspector.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    inspector.refresh_from_db()
    assert inspector.password.startswith("argon2$argon2id$")
    assert inspector.check_password(TEST_PASSWORD)


@production_hashers
@pytest.mark.django_db
def test_a_wrong_password_leaves_an_older_hash_alone(client, inspector):
    inspector.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    inspector.save(update_fields=["password"])

    response = client.post(SIGN_IN, {"username": inspector.email, "password": "not the password"})

    assert response.status_code == 200
    inspector.refresh_from_db()
    assert inspector.password.startswith("pbkdf2_sha256$")
