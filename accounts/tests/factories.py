from base64 import b32decode

import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.two_factor import DEVICE_NAME

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = User.Role.INSPECTOR
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice:
    """The person's authenticator app (made if they have none), ready for a fresh code.

    A code is accepted once only (django-otp remembers the last time step
    used) and wrong codes make the next try wait; tests sign the same person
    in more than once a minute, so both are cleared here.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=confirmed)
    device.last_t = -1
    device.throttle_reset(commit=False)
    device.save()
    return device


def totp_code(key: bytes | str) -> str:
    """The code an authenticator app would show now, for a key as bytes or base32 text."""
    if isinstance(key, str):
        key = b32decode(key.replace(" ", ""))
    return f"{totp(key):06d}"


def signed_in(client, user):
    """The client, signed in as the user with their two-factor code given."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client
