"""Middleware of the service as a whole."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.security import SecurityMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class HealthzMiddleware:
    """Answer the load balancer's probe (/healthz) before anything else.

    A probe comes over plain HTTP (no redirect to https) and often addressed
    to the web process's own IP, a Host that ALLOWED_HOSTS rightly refuses:
    found by a newcomer's review, /healthz answered 400 to such a probe, so
    every web process would have been marked down. The probe learns only
    whether the database, broker and cache answer, which is no secret."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Its headers (nosniff, Referrer-Policy, HSTS over https), as for any page.
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            from accounts.middleware import PermissionsPolicyMiddleware  # noqa: PLC0415
            from core.views import healthz  # noqa: PLC0415 - views import the models

            response = self.security.process_response(request, healthz(request))
            # What the middleware passed by would have said of a page with no
            # script and nothing to frame (found by two reviews: HSTS and
            # Permissions-Policy were missing over https).
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Content-Security-Policy"] = "default-src 'none'"
            response.headers["Permissions-Policy"] = PermissionsPolicyMiddleware.POLICY
            return response
        return self.get_response(request)


class BrowserMethodsOnlyMiddleware:
    """Answer 405 to any method but GET, HEAD and POST: the service is forms
    and pages, and a browser sends nothing else. Found by a review: a PUT,
    PATCH or DELETE reached plain views, which drew their GET page with 200
    (nothing changed, but a scanner or a misdirected client was told yes)."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not response.content:
            # A form's address opened as a page (reloaded, bookmarked, typed):
            # the view's bare 405 was a blank page (found by the sign-in review).
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response


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


class NoStoreWhenSignedInMiddleware:
    """Tell browsers not to keep any page drawn for a signed-in person.

    Every such page may show official-sensitive data about children; on a
    shared computer, the Back button or the browser's cache would show it
    again after sign-out or the session's timeout. A response that says how
    it may be cached (a download, say) keeps its own header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
