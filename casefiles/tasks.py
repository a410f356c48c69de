from celery import shared_task

from . import services


@shared_task(acks_late=True)
def import_case_list(import_id: str) -> str:
    """Import one uploaded case list. Safe to run again: see the service."""
    return services.case_list_import_run(import_id=import_id).status
