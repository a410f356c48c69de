"""The project's URLs plus the floor page, used only by benchmarks."""

from django.shortcuts import render
from django.urls import include, path


def floor(request):
    """A signed-in page that renders base.html with nothing else: the floor."""
    return render(request, "base.html")


urlpatterns = [
    path("__floor__/", floor, name="benchmark_floor"),
    path("", include("config.urls")),
]
