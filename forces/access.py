from django.http import Http404, HttpRequest

from .models import Force


def get_force_for_user(request: HttpRequest, slug: str) -> Force:
    """The one door to a force: another force's page is a 404 to a force lead."""
    try:
        return Force.objects.visible_to(request.user).get(slug=slug)
    except Force.DoesNotExist:
        raise Http404("No such force") from None
