"""Pages that refuse a save from a page drawn before someone else's save.

The page carries back, as a hidden "seen", a version of what it showed. The
service compares it with the version stored now, under the row's lock, and
refuses the save (a ValidationError with code "stale") rather than let the
later save silently replace the earlier. A second click on Save, which asks
for what is saved already, is not refused. The page keeps what was typed and
carries the version stored now, so saving again replaces the other's save, as
the refusal says.
"""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


def row_version(row: models.Model | None) -> str:
    """A version of a row from its time of change: "" for a row not made yet."""
    return row.updated_at.isoformat() if row is not None else ""


def fields_version(obj: models.Model, fields: list[str]) -> str:
    """A version of the fields a page shows, for rows without a time of change
    of their own, or whose other changes should not make the page stale."""
    return "|".join(str(getattr(obj, field)) for field in fields)


def refuse_if_stale(seen: str | None, version: str, message: str) -> None:
    """Refuse a save whose page showed `seen` when `version` is stored now.
    Call under the row's lock, once the save is known to change something:
    a second click on Save, asking for nothing new, is then not refused.
    `seen` None (a caller with no page) is never refused."""
    if seen is not None and seen != version:
        raise ValidationError(message, code="stale")


def offer_to_replace(form: forms.Form, message: str, version: Callable[[], str]) -> None:
    """After a refusal with `message`: the page keeps what was typed and now
    carries the version stored now (`version()`), so saving again replaces
    the other's save, which this person has been told of."""
    if message in form.non_field_errors():
        form.data = form.data.copy()
        form.data["seen"] = version()
