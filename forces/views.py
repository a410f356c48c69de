from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import fragments
from dashboard.history import force_history

from .access import get_force_for_user
from .forms import ForceFilterForm
from .models import Force


def force_list(request: HttpRequest) -> HttpResponse:
    form = ForceFilterForm(request.GET or None)
    forces = form.filter(Force.objects.visible_to(request.user))
    return render(request, "forces/list.html", {"form": form, "forces": forces})


def force_detail(request: HttpRequest, slug: str) -> HttpResponse:
    force = get_force_for_user(request, slug)
    if request.user.force_id == force.pk:
        # A force lead's own force, just loaded: the page's header names it.
        request.user.force = force
    return fragments.render(
        request,
        "forces/detail.html",
        {"force": force},
        body=lambda: {
            "history": force_history(
                force,
                request.user,
                page=request.GET.get("page"),
                show_all=request.GET.get("history") == "all",
            )
        },
    )
