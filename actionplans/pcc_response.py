"""The police and crime commissioner's response to a published report.

The commissioner must publish a response (Police Act 1996 s55), due
PCC_RESPONSE_DAYS after the report's publication; the inspections services
derive that date. Here the service records when (and where) the response was
published, and says where it stands.

Who records it: admins, the inspection's lead inspector (as for the other
follow-up records: visits and plan reviews) and the force's own leads (it is
about their force, and they hear of it first). The team's other inspectors
read it only. Only while the inspection is published or in follow-up: a
closed inspection's record is final, as its dates, plans and visits are, and
nothing chases it any more.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import audit
from core.stale import fields_version, refuse_if_stale
from core.templatetags.govuk import govuk_date
from core.text import has_invisible
from inspections.access import can_moderate
from inspections.models import Inspection

from .services import Status, plan_status

Stage = Inspection.Stage
RECORDING_STAGES = (Stage.PUBLISHED, Stage.FOLLOW_UP)
FIELDS = ["pcc_response_published_on", "pcc_response_url"]
LABEL = "police and crime commissioner’s response"
CLOSED = f"The inspection is closed, so the {LABEL} can no longer be recorded or changed"
WHEN = "The date the response was published"
HTTPS_ONLY = "Enter a web address that starts with https://"
BAD_ADDRESS = "Enter the web address in the correct format, like https://www.example.org/response"
_HTTPS = URLValidator(schemes=["https"])
# Characters an address copied from a browser never holds unencoded (RFC 3986),
# which URLValidator lets through in the path.
_NEVER_IN_AN_ADDRESS = frozenset('<>"{}|\\^`')


def may_record_pcc_response(user, inspection: Inspection) -> bool:
    """Whether the user's role lets them record the response of this
    inspection (at any stage; pcc_response_recordable says when)."""
    own_force = user.is_force_lead and user.force_id == inspection.force_id
    return user.is_admin or can_moderate(user, inspection) or own_force


def pcc_response_recordable(inspection: Inspection) -> bool:
    return inspection.stage in RECORDING_STAGES and inspection.pcc_response_due_on is not None


def can_record_pcc_response(user, inspection: Inspection) -> bool:
    return pcc_response_recordable(inspection) and may_record_pcc_response(user, inspection)


def pcc_response_overdue(
    *, due_on: date | None, published_on: date | None, stage: str, today: date
) -> bool:
    """Whether the response is overdue as the service chases it: past due,
    none recorded, the inspection not closed (the sweep's query asks the same
    of the database: notices._open_pcc_responses)."""
    return pcc_response_open(
        due_on=due_on, published_on=published_on, stage=stage, horizon=today - timedelta(days=1)
    )


def pcc_response_open(
    *, due_on: date | None, published_on: date | None, stage: str, horizon: date
) -> bool:
    """Whether the response is still awaited and due by `horizon`: overdue
    (as pcc_response_overdue) or due soon, none recorded, not closed."""
    return (
        due_on is not None and due_on <= horizon and published_on is None and stage != Stage.CLOSED
    )


def pcc_response_status(inspection: Inspection, today: date | None = None) -> Status | None:
    """Where the response stands, in words: None before publication."""
    if inspection.pcc_response_due_on is None:
        return None
    if inspection.pcc_response_published_on is not None:
        return Status("Published", "green")
    if inspection.stage == Stage.CLOSED:
        return Status("Not recorded", "grey")
    return plan_status(inspection.pcc_response_due_on, None, today or timezone.localdate())


def address_problem(url: str) -> str:
    """Why the address cannot be kept, or "": only a well-formed https address
    is linked to (never javascript:, data: or plain http)."""
    if not url.lower().startswith("https://"):
        return HTTPS_ONLY
    if any(character in _NEVER_IN_AN_ADDRESS for character in url):
        return BAD_ADDRESS
    if has_invisible(url):
        # Pasted with it (a zero-width space), the link went nowhere (found
        # by the bad input review).
        return BAD_ADDRESS
    try:
        _HTTPS(url)
    except ValidationError:
        return BAD_ADDRESS
    return ""


def pcc_response_problems(
    inspection: Inspection, *, published_on: date | None, url: str
) -> dict[str, str]:
    """Field -> message for each answer that cannot be recorded: a date in the
    future (London) or before the report's publication, an address not https.
    The form asks this, to name every problem at once; the service again,
    under the lock. A missing date (None) is the form's to name."""
    problems = {}
    if published_on is not None and published_on > timezone.localdate():
        problems["published_on"] = f"{WHEN} must be today or in the past"
    elif (
        published_on is not None
        and inspection.published_on
        and published_on < inspection.published_on
    ):
        problems["published_on"] = (
            f"{WHEN} must be the same as or after the date the report was published "
            f"({govuk_date(inspection.published_on)})"
        )
    if url and (problem := address_problem(url)):
        problems["url"] = problem
    return problems


STALE = (
    f"Someone else recorded the {LABEL} after you opened this page, so your answers have "
    "not been saved. The page now shows what they recorded. Save again to replace it "
    "with yours"
)


def pcc_response_version(inspection: Inspection) -> str:
    """What the form carries back (as "seen"): the response as the page showed
    it. Its own fields, not the inspection's time of change, so that another
    change to the inspection does not make the form stale."""
    return fields_version(inspection, FIELDS)


@transaction.atomic
def pcc_response_record(
    *, inspection: Inspection, published_on: date, url: str = "", by: User, seen: str | None = None
) -> bool:
    """Record, or correct, the date the commissioner published their response
    and, optionally, its https address. Audited with the values before and
    after. Returns False, and writes nothing, when nothing changed.

    `seen` is pcc_response_version() as the page showed it: if the response
    was recorded or changed since (the force's lead, the lead inspector and
    admins may each record it), nothing is saved.
    """
    # The row as it is now, locked: a closing (or a corrected publication
    # date) committed since the page was drawn is checked against, and the
    # services that change the inspection wait for this one.
    locked = (
        Inspection.objects.select_for_update(no_key=True)
        .select_related("force")
        .get(pk=inspection.pk)
    )
    if not may_record_pcc_response(by, locked):
        raise PermissionDenied
    if not pcc_response_recordable(locked):
        raise ValidationError(CLOSED if locked.stage == Stage.CLOSED else "Not yet published")
    url = url.strip()
    problems = pcc_response_problems(locked, published_on=published_on, url=url)
    if problems:
        raise ValidationError(problems)
    before, version = audit.snapshot(locked, FIELDS), pcc_response_version(locked)
    locked.pcc_response_published_on, locked.pcc_response_url = published_on, url
    changes = audit.diff(before, audit.snapshot(locked, FIELDS))
    if not changes:
        # Saved again as it is: a second click on Save too, not a stale page.
        for field in FIELDS:
            setattr(inspection, field, getattr(locked, field))
        return False
    refuse_if_stale(seen, version, STALE)
    for field in FIELDS:
        setattr(inspection, field, getattr(locked, field))
    locked.save(update_fields=[*FIELDS, "updated_at"])
    audit.record(
        by=by,
        action="inspection.pcc_response_changed"
        if before["pcc_response_published_on"]
        else "inspection.pcc_response_recorded",
        obj=locked,
        changes=changes,
        force=locked.force,
        inspection_id=locked.pk,
    )
    return True
