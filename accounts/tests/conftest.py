import pytest


@pytest.fixture
def password_only_client(client):
    """password_only_client(user): signed in with a password, two-factor code not yet given."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
