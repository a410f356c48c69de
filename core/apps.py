from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import fragments

        connection_created.connect(fragments.on_connection_created)
        # New code may draw pages differently: nothing drawn before it is reused.
        fragments.data_changed()
