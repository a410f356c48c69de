import pytest


@pytest.fixture
def password_only_client(client):
    """password_only_client(user): signed in with a password, two-factor code not yet given."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def send_on_commit(django_capture_on_commit_callbacks):
    """send_on_commit(call, ...): call, then run what the service queued for
    after its commit (the email task, the lockout reset)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run
