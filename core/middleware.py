"""Middleware of the service as a whole."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than the largest upload the
    service takes, before anything reads it.

    Django checks a file's size only once the whole request has arrived, and
    DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, so a mistaken upload of
    several gigabytes would hold a worker and fill the disk with its spool
    before the form said it was too large. The forms still give each upload
    its own limit and message; this is the outer bound.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limit = settings.REQUEST_MAX_BYTES // (1024 * 1024)
            return render(request, "413.html", {"limit": limit}, status=413)
        return self.get_response(request)
