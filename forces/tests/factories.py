import importlib

from django.apps import apps

from forces.models import Force


def ensure_forces() -> None:
    """Reload the 43 forces after a transactional test flushed them."""
    if Force.objects.count() != 43:
        importlib.import_module("forces.migrations.0002_load_forces").load(apps, None)


def force(slug: str) -> Force:
    ensure_forces()
    return Force.objects.get(slug=slug)
