"""Two-factor authentication with an authenticator app (TOTP), on django-otp.

A person signs in with their password, then proves they hold their phone by
giving the 6-digit code their authenticator app shows. Until they do, the
session is signed in but not verified, and accounts.middleware.TwoFactorMiddleware
keeps them on the two-factor pages.
"""

import re
from base64 import b32encode
from xml.etree import ElementTree

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"
CODE_PATTERN = re.compile(r"\d{6}")


def two_factor_pending(user) -> bool:
    """True for a signed-in user who must still give a code before using the service."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    return not (is_verified and is_verified())


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def key_for_reading(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it (base32), in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalise_code(value: str) -> str:
    """People type codes with spaces or dashes ("123 456"); drop them."""
    return re.sub(r"[\s-]", "", value)


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// URL as a QR code, as inline SVG markup.

    Drawn on the server so the secret never leaves for an image service, and
    inline so the CSP needs no exception. Every value in it is generated here
    (paths and numbers); nothing comes from user input.
    """
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.get_image()
    svg.set("width", "200")
    svg.set("height", "200")
    svg.set("role", "img")
    svg.set("aria-labelledby", "qr-code-title")
    svg.set("class", "app-qr-code")
    title = ElementTree.Element("title", {"id": "qr-code-title"})
    title.text = "QR code to add this service to your authenticator app"
    svg.insert(0, title)
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    markup = ElementTree.tostring(svg, encoding="unicode")
    return mark_safe(markup)  # noqa: S308 - generated above from our own data only  # nosec B308 B703
