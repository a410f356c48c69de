"""The door to other people's accounts: admins only.

Anyone else gets 404, not 403. The accounts pages are an admin tool that other
roles have no reason to know about, and a 404 for every id also keeps a
non-admin from learning which ids belong to real accounts.
"""

from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import User


def require_admin(request: HttpRequest) -> None:
    if not request.user.is_admin:
        raise Http404("Only admins manage accounts")


def get_user_for_admin(request: HttpRequest, user_id: UUID) -> User:
    require_admin(request)
    return get_object_or_404(User.objects.select_related("force").with_two_factor(), pk=user_id)
