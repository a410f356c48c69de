"""Inspection workflows: scheduling, the lifecycle, grading, findings, evidence.

Each service is atomic, takes the acting user as ``by``, checks its guards,
and writes the audit trail. Views only call these.
"""

import hashlib
from datetime import date, timedelta

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core import audit, uploads
from core.deadlines import (
    action_plan_rule,
    derive,
    london_date,
    pcc_response_rule,
    updated_action_plan_rule,
)
from core.models import StoredFile
from core.stale import fields_version, refuse_if_stale, row_version
from core.templatetags.govuk import govuk_date
from core.text import as_compared
from forces.models import Force

from .access import EDITABLE_STAGES, GRADING_STAGES, can_moderate, can_work_on
from .models import (
    Document,
    FactualAccuracyPoint,
    Finding,
    Grade,
    Inspection,
    Interview,
    Judgment,
    Participant,
    Recommendation,
    Topic,
    evidence_label,
)

Stage = Inspection.Stage
PLAN_FIELDS = ["force", "kind", "fieldwork_start", "fieldwork_end", "lead_inspector"]


def _record(
    inspection: Inspection,
    obj,
    *,
    by,
    action: str,
    changes=None,
    comment: str = "",
    label: str | None = None,
):
    audit.record(
        by=by,
        action=action,
        obj=obj,
        changes=changes,
        force=inspection.force,
        inspection_id=inspection.pk,
        comment=comment,
        label=label,
    )


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _require_admin(by: User) -> None:
    if not by.is_admin:
        raise PermissionDenied


def _lock(inspection: Inspection) -> Inspection:
    """Lock the inspection's row until the transaction ends, and read it
    afresh into the object given (a related object stays cached unless its id
    changed). Every service that checks the inspection, or anything in it,
    before it writes starts here, as the case file services do: two changes
    to one inspection (two tabs, a double click, a stage change and a grade)
    queue up, and the second is checked against what the first wrote."""
    # NO KEY UPDATE: the services still take turns, but inserting a row that
    # refers to the inspection (a notice, say) need not wait for them.
    locked = Inspection.objects.select_for_update(no_key=True).get(pk=inspection.pk)
    for field in Inspection._meta.concrete_fields:
        setattr(inspection, field.attname, getattr(locked, field.attname))
    # The team, as team_member_ids() reads it, afresh too (changing it takes this lock).
    inspection.__dict__.pop("team_ids_text", None)
    getattr(inspection, "_prefetched_objects_cache", {}).pop("team", None)
    return inspection


def _read_again(obj) -> None:
    """Read a judgment, finding or recommendation as committed now. Call after
    _lock: every service that writes one holds its inspection's lock, so no
    change to it is still in flight."""
    fields = [f.attname for f in type(obj)._meta.concrete_fields if not f.is_relation]
    try:
        obj.refresh_from_db(fields=fields)
    except ObjectDoesNotExist:
        name = type(obj)._meta.verbose_name
        raise ValidationError(f"This {name} has been deleted") from None


def _check_plan(
    *,
    force,
    fieldwork_start: date,
    fieldwork_end: date,
    people: list[User],
    exclude=None,
    lock: bool = True,
) -> None:
    """The scheduling rules: sane dates, no double booking, one open inspection.

    Locks the rows the rules are about, the force's and then the people's in
    id order, for the rest of the transaction: two schedulings or plan changes
    that could break them (a double click, two admins) queue up, and the
    second is checked against the first. Nothing else in the database stops
    a second open inspection or a double booking. (Not with ``lock=False``:
    a check page's look ahead, which the service repeats with its locks.)
    """
    if fieldwork_end < fieldwork_start:
        raise ValidationError(
            {"fieldwork_end": "The fieldwork end date must be the same as or after the start date"}
        )
    if lock:
        list(Force.objects.select_for_update(no_key=True).filter(pk=force.pk).values_list("pk"))
    rows = User.objects.filter(pk__in=[person.pk for person in people]).order_by("pk")
    if lock:
        rows = rows.select_for_update(no_key=True)
    _check_people(
        people,
        {pk: (role, active) for pk, role, active in rows.values_list("pk", "role", "is_active")},
    )
    others = Inspection.objects.exclude(pk=exclude.pk) if exclude else Inspection.objects.all()
    if blocking := others.filter(force=force).open().order_by("fieldwork_start").first():
        raise ValidationError({"force": _open_inspection_refusal(force, blocking)})
    clashes = (
        others.current()
        .overlapping(fieldwork_start, fieldwork_end)
        .filter(Q(lead_inspector__in=people) | Q(team__in=people))
        .select_related("force", "lead_inspector")
        .prefetch_related("team")
        .distinct()
    )
    errors: dict[str, list[str]] = {}
    for other in clashes:
        booked = [p for p in people if p.pk in other.team_member_ids()]
        for person in booked:
            # people[0] is the lead: their clash is beside the lead's question
            # (found by a review: every clash was under Team, ticked or not).
            field = "lead_inspector" if person.pk == people[0].pk else "team"
            errors.setdefault(field, []).append(
                f"{person.full_name} is already booked on the {other.force.short_name} "
                f"fieldwork from {_day(other.fieldwork_start)} to {_day(other.fieldwork_end)}"
            )
    if errors:
        raise ValidationError(errors)


def _check_people(people: list[User], now: dict) -> None:
    """The lead (people[0]) an active lead inspector and the team active
    inspectors, as their rows are now (`now`: id -> (role, is active), read
    under the locks). Found by the admin review: the plan form offers only
    those, but a deactivation or a role change committed meanwhile, or a
    re-inspection planned from a visit with its team as it was, put someone
    who may not inspect on a team, or left no one able to lead."""
    lead, *team = people
    role, active = now.get(lead.pk, ("", False))
    if not (active and role == User.Role.LEAD_INSPECTOR):
        raise ValidationError(
            {
                "lead_inspector": f"{lead.full_name} is not an active lead inspector. "
                "Select an active lead inspector"
            }
        )
    inspectors = (User.Role.INSPECTOR, User.Role.LEAD_INSPECTOR)
    gone = [
        member.full_name
        for member in team
        if not (now.get(member.pk, ("", False))[1] and now[member.pk][0] in inspectors)
    ]
    if gone:
        raise ValidationError(
            {
                "team": f"{' and '.join(gone)} "
                + ("is not an active inspector" if len(gone) == 1 else "are not active inspectors")
                + ". Take them off the team"
            }
        )


def _open_inspection_refusal(force, blocking: Inspection) -> str:
    """Why the force cannot be scheduled again, and what the admin can do: a
    planned inspection is changed or cancelled, one under way is published
    first (by its lead inspector, not the admin: found by the admin review,
    which was told to "publish" an inspection still only planned)."""
    if blocking.stage == Stage.PLANNED:
        return (
            f"{force.short_name} already has an open inspection, planned with fieldwork "
            f"from {_day(blocking.fieldwork_start)}. Change its plan or cancel it "
            "instead of scheduling another"
        )
    where = {
        Stage.FIELDWORK: "in fieldwork",
        Stage.MODERATION: "at moderation",
        Stage.PRE_PUBLICATION: "at pre-publication checks",
    }.get(blocking.stage, f"at {blocking.get_stage_display().lower()}")
    return (
        f"{force.short_name} already has an open inspection, {where}. "
        "Schedule another once its report is published"
    )


FIELDWORK_STARTS_BEFORE_TODAY = (
    "Fieldwork starts before today. Check the dates are right before you continue."
)


def fieldwork_start_warning(
    *, fieldwork_start: date, today: date, recorded: date | None = None
) -> str | None:
    """What to warn an admin of before a plan with this fieldwork start is
    saved, or None. A start before today (in London) is a warning, not a
    refusal: an admin may record an inspection already under way. Only for
    a start being set now, not the one already ``recorded``."""
    if fieldwork_start < today and fieldwork_start != recorded:
        return FIELDWORK_STARTS_BEFORE_TODAY
    return None


def inspection_plan_check(
    *,
    force,
    kind: str,
    fieldwork_start: date,
    fieldwork_end: date,
    lead_inspector: User,
    team: list[User],
    inspection: Inspection | None = None,
) -> None:
    """Refuse, as scheduling (or changing ``inspection``'s plan) would, a
    plan the scheduling rules refuse, without saving or locking anything:
    for a check page, so that an admin is not asked to confirm a plan that
    must fail. The service checks again, under its locks, when confirmed."""
    if inspection is None or kind != inspection.kind:
        _check_kind(kind, force)  # a re-inspection with nothing to follow (a code review)
    _check_plan(
        force=force,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        people=[lead_inspector, *[m for m in team if m.pk != lead_inspector.pk]],
        exclude=inspection,
        lock=False,
    )


def _check_kind(kind: str, force) -> None:
    """Only an inspection or a re-inspection is scheduled (Inspection.SCHEDULED_KINDS),
    and a re-inspection only of a force whose report has been published: it
    follows an inspection (found by a review: a force never inspected could
    be given a re-inspection, and its report would call it one)."""
    if kind not in Inspection.SCHEDULED_KINDS:
        raise ValidationError({"kind": "Select inspection or re-inspection"})
    published = Inspection.objects.filter(force=force, stage__in=Inspection.PUBLISHED_STAGES)
    if kind == Inspection.Kind.RE_INSPECTION and not published.exists():
        raise ValidationError(
            {
                "kind": f"{force.short_name} has no published inspection to follow, "
                "so select inspection"
            }
        )


@transaction.atomic
def inspection_schedule(
    *,
    force,
    kind: str,
    fieldwork_start: date,
    fieldwork_end: date,
    lead_inspector: User,
    team: list[User],
    by: User,
) -> Inspection:
    """Put an inspection into the programme, with its five judgments to grade."""
    _check_kind(kind, force)
    people = [lead_inspector, *[m for m in team if m.pk != lead_inspector.pk]]
    _check_plan(
        force=force, fieldwork_start=fieldwork_start, fieldwork_end=fieldwork_end, people=people
    )
    inspection = Inspection.objects.create(
        force=force,
        kind=kind,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        lead_inspector=lead_inspector,
    )
    inspection.team.set(people[1:])
    Judgment.objects.bulk_create(
        Judgment(inspection=inspection, topic=topic, position=Topic.position(topic))
        for topic in Topic.values
    )
    _record(
        inspection,
        inspection,
        by=by,
        action="inspection.scheduled",
        # Its kind too, as a change of plan records it; no team yet is no change.
        changes=audit.diff(
            {},
            {
                "kind": Inspection.Kind(kind).label,
                "fieldwork": f"{fieldwork_start} to {fieldwork_end}",
                "lead_inspector": audit.person(lead_inspector),
                "team": ", ".join(audit.person(m) for m in people[1:]),
            },
        ),
    )
    _tell_the_team(inspection, joined={person.pk for person in people})
    return inspection


def _tell_the_team(
    inspection: Inspection,
    joined: set,
    *,
    left: list | None = None,
    old_lead: User | None = None,
    handed_back: dict | None = None,
) -> None:
    """The lead and the team are told they are on it (actionplans.notices.team_notices);
    those `left` off it, and an `old_lead` replaced, that they are not, and
    the lead of any case file reviews `handed_back` (team_left_notices)."""
    from actionplans.notices import (  # noqa: PLC0415 (actionplans imports this app)
        team_left_notices,
        team_notices,
    )

    team_notices(inspection=inspection, joined=joined)
    team_left_notices(
        inspection=inspection, left=left or [], old_lead=old_lead, handed_back=handed_back or {}
    )


HANDED_BACK_REASON = "Taken off the inspection team"


def _leaving(now: list[User], lead_inspector: User, team: list[User]) -> list[User]:
    """Who of those on the inspection `now` (its lead, then its team) would
    not be on it with this lead and team."""
    staying = {lead_inspector.pk, *(member.pk for member in team)}
    return [person for person in {p.pk: p for p in now}.values() if person.pk not in staying]


def plan_cases_to_hand_back(
    inspection: Inspection, *, lead_inspector: User, team: list[User]
) -> list[tuple[User, int]]:
    """(person, cases) of those this plan takes off the inspection who have
    case file reviews assigned and not submitted: what saving it hands back
    as not assigned (casefiles.services.cases_to_hand_back), for the check page."""
    from casefiles.services import cases_to_hand_back  # noqa: PLC0415 (casefiles imports this app)

    now = [inspection.lead_inspector, *inspection.team.all()]
    leaving = _leaving(now, lead_inspector, team)
    return cases_to_hand_back(inspection=inspection, leaving=leaving) if leaving else []


def hand_back_warning(
    handing_back: list[tuple[User, int]], *, saving: str = "Saving"
) -> str | None:
    """What to warn an admin of before a plan that hands back case file
    reviews (plan_cases_to_hand_back) is saved, or None. `saving` names
    what they are about to do."""
    if not handing_back:
        return None
    total = sum(cases for _, cases in handing_back)
    reviews = f"{total} case file review{'s' if total != 1 else ''}"
    if len(handing_back) == 1:
        person, _ = handing_back[0]
        who = f"{person.full_name} is coming off the inspection with {reviews} assigned"
    else:
        names = [f"{person.full_name} ({cases})" for person, cases in handing_back]
        who = (
            f"{', '.join(names[:-1])} and {names[-1]} are coming off the inspection "
            f"with {reviews} assigned"
        )
    them = "them" if total != 1 else "it"
    return (
        f"{who} and not submitted. {saving} hands {them} back as not assigned: anything "
        f"written in {them} is kept, and the lead inspector is told to assign {them} again."
    )


def _hand_back_cases(inspection: Inspection, leaving: list[User], *, by: User) -> dict:
    """The case file reviews of those `leaving`, not submitted, handed back
    as not assigned (casefiles.services.cases_hand_back): reviewer id -> cases."""
    from casefiles.services import cases_hand_back  # noqa: PLC0415 (casefiles imports this app)

    if not leaving:
        return {}
    return cases_hand_back(
        inspection=inspection, reviewers=leaving, by=by, reason=HANDED_BACK_REASON
    )


def _handed_back_change(leaving: list[User], handed_back: dict) -> dict:
    """The plan change's audit entry for case file reviews handed back."""
    if not handed_back:
        return {}
    held = "; ".join(
        f"{audit.person(person)}: {handed_back[person.pk]} case"
        f"{'s' if handed_back[person.pk] != 1 else ''}"
        for person in sorted(leaving, key=lambda p: (p.full_name, p.email))
        if person.pk in handed_back
    )
    return {"case_reviewers": [held, "Not assigned"]}


STALE_PLAN_CHANGE = (
    "Someone else changed the plan of this inspection after you opened this page, so your "
    "changes have not been saved. Its history shows what they changed. Save again to replace "
    "their plan with yours"
)


def _plan_words(kind: str, start: date, end: date, lead_id, team_ids) -> str:
    team = ",".join(sorted(str(pk) for pk in team_ids if pk != lead_id))
    return f"{kind}|{start}|{end}|{lead_id}|{team}"


def plan_version(inspection: Inspection) -> str:
    """What the plan page carries back (as "seen"): the plan as the page
    showed it, its team too. Only these, so that another change to the
    inspection (fieldwork started, say) does not make the page stale."""
    return _plan_words(
        inspection.kind,
        inspection.fieldwork_start,
        inspection.fieldwork_end,
        inspection.lead_inspector_id,
        [member.pk for member in inspection.team.all()],
    )


PLAN_STAGES = (Stage.PLANNED, Stage.FIELDWORK)
PLAN_CANCELLED = "The inspection is cancelled, so its plan cannot change"
PLAN_PAST_FIELDWORK = "The plan cannot change once fieldwork has finished"


def plan_fixed(inspection: Inspection) -> str:
    """Why the inspection's plan can no longer change, or "": it changes
    until fieldwork ends, and never once the inspection is cancelled."""
    if inspection.is_cancelled:
        return PLAN_CANCELLED
    if inspection.stage not in PLAN_STAGES:
        return PLAN_PAST_FIELDWORK
    return ""


@transaction.atomic
def inspection_update_plan(
    *,
    inspection: Inspection,
    kind: str,
    fieldwork_start: date,
    fieldwork_end: date,
    lead_inspector: User,
    team: list[User],
    by: User,
    seen: str | None = None,
) -> Inspection:
    """Change the plan of an inspection that has not yet gone to moderation.

    `seen` is plan_version() as the page showed it: if the plan was changed
    since (another admin, another tab), nothing is saved, rather than the
    page's older dates, lead or team silently replacing the newer ones."""
    _lock(inspection)
    _require_admin(by)
    if why := plan_fixed(inspection):
        raise ValidationError(why)
    asked = _plan_words(
        kind, fieldwork_start, fieldwork_end, lead_inspector.pk, [m.pk for m in team]
    )
    version = plan_version(inspection)
    if asked != version:  # a second click on Save asks for nothing new: not refused
        refuse_if_stale(seen, version, STALE_PLAN_CHANGE)
    if kind != inspection.kind:
        _check_kind(kind, inspection.force)
    _check_started_fieldwork_stays_started(inspection, fieldwork_start)
    people = [lead_inspector, *[m for m in team if m.pk != lead_inspector.pk]]
    _check_plan(
        force=inspection.force,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        people=people,
        exclude=inspection,
    )
    before = audit.snapshot(inspection, PLAN_FIELDS)
    called = str(inspection)  # as its notices of leaving name it (left_notices_redated)
    old_lead = inspection.lead_inspector
    members = list(inspection.team.all())
    leaving = _leaving([old_lead, *members], lead_inspector, people[1:])
    before_team = ", ".join(sorted(audit.person(m) for m in members))
    # Who joins: added to the team, or made its lead (told so: _tell_the_team).
    was = {(m.pk, "team") for m in members} | {(inspection.lead_inspector_id, "lead")}
    now = {(m.pk, "team") for m in people[1:]} | {(lead_inspector.pk, "lead")}
    inspection.kind = kind
    inspection.fieldwork_start = fieldwork_start
    inspection.fieldwork_end = fieldwork_end
    inspection.lead_inspector = lead_inspector
    inspection.save()
    inspection.team.set(people[1:])
    changes = audit.diff(before, audit.snapshot(inspection, PLAN_FIELDS))
    after_team = ", ".join(sorted(audit.person(m) for m in people[1:]))
    if before_team != after_team:
        changes["team"] = [before_team, after_team]
    if old_lead.pk != lead_inspector.pk:
        changes |= _second_reviews_hand_over(inspection, old_lead=old_lead, new_lead=lead_inspector)
    # Those taken off can no longer open the case file reviews assigned to
    # them: handed back, not assigned, rather than left for the lead to find.
    handed_back = _hand_back_cases(inspection, leaving, by=by)
    changes |= _handed_back_change(leaving, handed_back)
    if changes:  # the page saved as it was: nothing changed, nothing recorded
        _record(inspection, inspection, by=by, action="inspection.plan_changed", changes=changes)
    _tell_the_team(
        inspection,
        joined={pk for pk, _ in now - was},
        left=[person for person in leaving if person.pk != old_lead.pk],
        old_lead=old_lead if old_lead.pk != lead_inspector.pk else None,
        handed_back=handed_back,
    )
    if "fieldwork_start" in changes or "kind" in changes:
        from actionplans.notices import left_notices_redated  # noqa: PLC0415

        left_notices_redated(inspection=inspection, called=called)
    return inspection


def _check_started_fieldwork_stays_started(inspection: Inspection, fieldwork_start: date) -> None:
    """Fieldwork under way cannot be moved to start in the future: the page
    would say it starts later while its topics are being graded (found by the
    admin review). A start date left as it was is not refused."""
    if (
        inspection.stage == Stage.FIELDWORK
        and fieldwork_start != inspection.fieldwork_start
        and fieldwork_start > timezone.localdate()
    ):
        raise ValidationError(
            {"fieldwork_start": "Fieldwork has started, so its start date must be today or earlier"}
        )


def _second_reviews_hand_over(inspection: Inspection, *, old_lead: User, new_lead: User) -> dict:
    """The second reviews still to do are the lead's: the new one's now, but
    for those of reviews the new lead wrote, which the lead may not
    second-review. They wait, offered to no one, for the next lead (found by
    reviews: handed over, they were offered and refused when done; and
    dropped, an interim lead lost them for good). Returns the audit changes.
    Whichever page changes the lead: the plan page's change, in fieldwork,
    left them with the old lead (found by the audit completeness review)."""
    from casefiles.models import SecondReview  # noqa: PLC0415 (casefiles imports this app)

    changes = {}
    to_do = SecondReview.objects.filter(
        review__case__inspection=inspection, status=SecondReview.Status.PENDING
    )
    waiting = to_do.filter(review__submitted_by=new_lead).count()
    if waiting:
        changes["second_reviews_waiting"] = [
            None,
            f"{waiting}: of reviews {audit.person(new_lead)} submitted, "
            "for the next lead inspector",
        ]
    handed_over = to_do.exclude(review__submitted_by=new_lead).update(reviewer=new_lead)
    if handed_over:
        changes["second_reviews_to_do"] = [
            audit.person(old_lead),
            f"{audit.person(new_lead)}: {handed_over}",
        ]
    return changes


STALE_LEAD = (
    "Someone else changed the lead inspector after you opened this page, so your change has "
    "not been saved. The page shows who leads the inspection now. Save again to replace "
    "them with your choice"
)


@transaction.atomic
def inspection_change_lead(
    *, inspection: Inspection, lead_inspector: User, reason: str, by: User, seen: str | None = None
) -> Inspection:
    """An admin gives an inspection past fieldwork another lead inspector, as
    when its lead leaves or is ill: only the lead moderates, signs off and
    reviews the force's action plans, so without one it would stand still.
    (Before then, the plan page changes the lead with the rest of the plan.)
    A new lead who was on the team leaves it, as when scheduling.

    `seen` is the id of the lead the page showed: if another admin changed
    the lead since, nothing is saved (code "stale")."""
    _lock(inspection)
    _require_admin(by)
    # The new lead's row too: a role change committing meanwhile (which
    # checks what they lead) queues behind this, and this sees its result.
    lead_inspector = User.objects.select_for_update().get(pk=lead_inspector.pk)
    if not inspection.lead_changeable:
        raise ValidationError(
            "The lead inspector is changed on the plan page before moderation, "
            "and not at all once the inspection is closed"
        )
    if not (lead_inspector.is_active and lead_inspector.is_lead_inspector):
        raise ValidationError({"lead_inspector": "Select an active lead inspector"})
    if lead_inspector.pk == inspection.lead_inspector_id:
        raise ValidationError(
            {"lead_inspector": f"{lead_inspector.full_name} already leads this inspection"}
        )
    refuse_if_stale(seen, str(inspection.lead_inspector_id), STALE_LEAD)
    old_lead = inspection.lead_inspector
    changes = {"lead_inspector": [audit.person(old_lead), audit.person(lead_inspector)]}
    team = list(inspection.team.order_by("full_name"))
    if lead_inspector in team:
        inspection.team.remove(lead_inspector)
        changes["team"] = [
            ", ".join(audit.person(m) for m in team),
            ", ".join(audit.person(m) for m in team if m != lead_inspector),
        ]
    inspection.lead_inspector = lead_inspector
    inspection.save(update_fields=["lead_inspector", "updated_at"])
    changes |= _second_reviews_hand_over(inspection, old_lead=old_lead, new_lead=lead_inspector)
    # The old lead is off the inspection: case file reviews still open to
    # change (at moderation) are handed back, as from the plan page.
    leaving = [old_lead] if inspection.stage in EDITABLE_STAGES else []
    handed_back = _hand_back_cases(inspection, leaving, by=by)
    changes |= _handed_back_change(leaving, handed_back)
    _record(
        inspection,
        inspection,
        by=by,
        action="inspection.lead_changed",
        changes=changes,
        comment=reason,
    )
    from actionplans.notices import (  # noqa: PLC0415 (actionplans imports this app)
        new_lead_notice,
        team_left_notices,
    )

    new_lead_notice(inspection=inspection)
    team_left_notices(
        inspection=inspection,
        left=[],
        old_lead=old_lead,
        handed_back=handed_back,
        whatever_the_dates=True,
    )
    return inspection


def lead_change_cases_to_hand_back(inspection: Inspection) -> list[tuple[User, int]]:
    """(lead, cases) if changing the lead past fieldwork would hand back case
    file reviews assigned to the lead and not submitted, for its page."""
    from casefiles.services import cases_to_hand_back  # noqa: PLC0415 (casefiles imports this app)

    if inspection.stage not in EDITABLE_STAGES:
        return []
    return cases_to_hand_back(inspection=inspection, leaving=[inspection.lead_inspector])


def _move(
    inspection: Inspection, *, to: str, by: User, action: str, changes=None, comment: str = ""
) -> None:
    before = inspection.stage
    inspection.stage = to
    inspection.save()
    _record(
        inspection,
        inspection,
        by=by,
        action=action,
        changes={"stage": [Stage(before).label, Stage(to).label], **(changes or {})},
        comment=comment,
    )


def _require_stage(inspection: Inspection, *stages: str) -> None:
    if inspection.stage not in stages:
        raise ValidationError(
            f"This cannot be done while the inspection is at {inspection.get_stage_display()}"
        )


def _require_lead_or_admin(inspection: Inspection, by: User) -> None:
    if not (by.is_admin or can_moderate(by, inspection)):
        raise PermissionDenied


def finding_rows(inspection: Inspection) -> list[tuple[str, str, str, int]]:
    """(topic, kind, summary, number of recommendations) of each finding, in
    order: enough for a count of the findings and for publication_blockers."""
    return list(
        inspection.findings.annotate(n=Count("recommendations")).values_list(
            "topic", "kind", "summary", "n"
        )
    )


def _count_per_inspection(model) -> Coalesce:
    rows = (
        model.objects.filter(inspection=OuterRef("pk"))
        .order_by()
        .values("inspection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def evidence_counts(inspection: Inspection) -> dict[str, int]:
    """{"interviews": n, "documents": n} for the inspection, in one query."""
    interviews, documents = (
        Inspection.objects.filter(pk=inspection.pk)
        .values_list(_count_per_inspection(Interview), _count_per_inspection(Document))
        .get()
    )
    return {"interviews": interviews, "documents": documents}


def publication_blockers(
    inspection: Inspection,
    *,
    judgments: list[Judgment] | None = None,
    findings: list[tuple[str, str, str, int]] | None = None,
) -> list[str]:
    """What stands between the inspection and its report: empty when ready.
    Pass the inspection's judgments, and its finding_rows, if loaded already."""
    blockers = []
    if judgments is None:
        judgments = list(inspection.judgments.all())

    # Only one put forward waits for the lead inspector: a returned one, or
    # one not yet put forward, waits for the inspector.
    def topics(*statuses) -> str:
        return ", ".join(j.get_topic_display() for j in judgments if j.status in statuses)

    if to_agree := topics(Judgment.Status.SUBMITTED):
        blockers.append("Agree the graded judgments for: " + to_agree)
    if not_put_forward := topics(Judgment.Status.NOT_STARTED, Judgment.Status.DRAFT):
        blockers.append("Submit these graded judgments for moderation: " + not_put_forward)
    if returned := topics(Judgment.Status.RETURNED):
        blockers.append("Resubmit the graded judgments returned to the inspector: " + returned)
    if findings is None:
        findings = finding_rows(inspection)
    concern_topics = {topic for topic, kind, _, _ in findings if kind in Finding.CONCERN_KINDS}
    blockers.extend(
        f"Add a cause of concern on {j.get_topic_display().lower()}, which is graded inadequate"
        for j in judgments
        if j.grade == Grade.INADEQUATE and j.topic not in concern_topics
    )
    blockers.extend(
        f"Add a recommendation to the cause of concern ‘{summary}’"
        for _, kind, summary, n in findings
        if kind in Finding.CONCERN_KINDS and n == 0
    )
    # While the case files are open: sending the report for checks closes
    # them, and a second review not done by then never can be, so the
    # report's figures ("after second review") would go out unmoderated
    # (found by the case file review).
    second = second_reviews_to_do(inspection) if inspection.stage in EDITABLE_STAGES else 0
    if second:
        blockers.append(
            f"Complete the {second} second review{'s' if second != 1 else ''} "
            "of case file reviews still to do"
        )
    # Figures cited must exist before the case files close with the report
    # (found by the case file review: a judgment could rely on none).
    citing = [j for j in judgments if j.cites_case_reviews]
    if citing and inspection.stage in EDITABLE_STAGES:
        rated = topics_rated_by_case_reviews(inspection)
        blockers.extend(
            f"The graded judgment on {j.get_topic_display().lower()} cites the case file "
            f"review figures, but no submitted case file review rated "
            f"{j.get_topic_display().lower()}"
            for j in citing
            if j.topic not in rated
        )
    # Points are sent only at pre-publication checks: no query before then.
    waiting = factual_points_waiting(inspection) if inspection.stage == Stage.PRE_PUBLICATION else 0
    if waiting:
        blockers.append(
            f"Respond to every factual accuracy point the force sent ({waiting} waiting)"
        )
    return blockers


def second_reviews_to_do(inspection: Inspection) -> int:
    """Second reviews of case file reviews the lead inspector has still to
    do. One of a review the lead wrote waits for another lead, and does not
    count: the lead could never clear it."""
    from casefiles.models import SecondReview  # noqa: PLC0415 (casefiles imports this app)

    return SecondReview.objects.to_do().filter(review__case__inspection=inspection).count()


def topics_rated_by_case_reviews(inspection: Inspection) -> set[str]:
    """The topics some submitted case file review rated (good, requires
    improvement or inadequate, not "not relevant"): those with figures."""
    from casefiles.models import CaseRating, CaseReview, TopicAssessment  # noqa: PLC0415

    return set(
        TopicAssessment.objects.filter(
            review__case__inspection=inspection,
            review__status=CaseReview.Status.SUBMITTED,
            rating__in=CaseRating.values,
        )
        .values_list("topic", flat=True)
        .distinct()
    )


def factual_points_waiting(inspection: Inspection) -> int:
    """Factual accuracy points the force sent that have no response yet. A
    draft the force never sent is not waiting for anyone."""
    return inspection.factual_points.filter(sent_at__isnull=False, response="").count()


@transaction.atomic
def inspection_start_fieldwork(*, inspection: Inspection, by: User) -> None:
    _lock(inspection)
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.PLANNED)
    _move(inspection, to=Stage.FIELDWORK, by=by, action="inspection.fieldwork_started")


@transaction.atomic
def inspection_start_moderation(*, inspection: Inspection, by: User) -> None:
    """Fieldwork is over; every topic must have been graded and put forward."""
    _lock(inspection)
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.FIELDWORK)
    blockers = moderation_blockers(inspection)
    if blockers:
        raise ValidationError(blockers)
    _move(inspection, to=Stage.MODERATION, by=by, action="inspection.moderation_started")


def moderation_blockers(inspection: Inspection) -> list[str]:
    """What stands between fieldwork and moderation: empty when ready."""
    waiting = inspection.judgments.filter(
        status__in=[Judgment.Status.NOT_STARTED, Judgment.Status.DRAFT]
    )
    names = ", ".join(j.get_topic_display() for j in waiting)
    return [f"Submit these graded judgments for moderation first: {names}"] if names else []


def _not_in_the_future(value: date | None, *, field: str, what: str) -> None:
    """A date of something that has happened is today or before (London)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _check_lifecycle_date(value: date, *, field: str, what: str, after: date, after_what: str):
    """A lifecycle date is not before the step it follows: a report is not
    received before fieldwork ends, nor an inspection closed before it is
    published. A mistyped year would otherwise set deadlines long past, and
    chase the force at once. Nor is it after today: the step says what has
    happened, and taking it shows the force the report (or publishes it) now,
    so a date to come would set deadlines the force is not yet held to."""
    _not_in_the_future(value, field=field, what=what)
    if value < after:
        raise ValidationError(
            {field: f"{what} must be the same as or after {after_what} ({govuk_date(after)})"}
        )


@transaction.atomic
def inspection_send_for_checks(*, inspection: Inspection, received_on: date, by: User) -> None:
    """The force receives the draft report; its action plan falls due."""
    _lock(inspection)
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.MODERATION)
    blockers = publication_blockers(inspection)
    if blockers:
        raise ValidationError(blockers)
    _check_received(inspection, received_on)
    inspection.received_for_checks_on = received_on
    inspection.action_plan_due_on = derive(received_on, action_plan_rule())
    _move(
        inspection,
        to=Stage.PRE_PUBLICATION,
        by=by,
        action="inspection.sent_for_checks",
        changes={
            "received_for_checks_on": [None, str(received_on)],
            "action_plan_due_on": [None, str(inspection.action_plan_due_on)],
        },
    )
    _tell_the_force_when_plans_are_due(inspection, ["action_plan_due_on"])


@transaction.atomic
def inspection_publish(*, inspection: Inspection, published_on: date, by: User) -> None:
    """Publish the report. Grades are locked from here on."""
    _lock(inspection)
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.PRE_PUBLICATION)
    blockers = publication_blockers(inspection)
    if blockers:
        raise ValidationError(blockers)
    _check_published(inspection, published_on)
    inspection.published_on = published_on
    inspection.updated_action_plan_due_on = derive(published_on, updated_action_plan_rule())
    inspection.pcc_response_due_on = derive(published_on, pcc_response_rule())
    _move(
        inspection,
        to=Stage.PUBLISHED,
        by=by,
        action="inspection.published",
        changes={
            "published_on": [None, str(published_on)],
            "updated_action_plan_due_on": [None, str(inspection.updated_action_plan_due_on)],
            "pcc_response_due_on": [None, str(inspection.pcc_response_due_on)],
        },
    )
    _tell_the_force_when_plans_are_due(inspection, ["updated_action_plan_due_on"])


@transaction.atomic
def inspection_start_follow_up(*, inspection: Inspection, by: User) -> None:
    _lock(inspection)
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.PUBLISHED)
    _move(inspection, to=Stage.FOLLOW_UP, by=by, action="inspection.follow_up_started")


@transaction.atomic
def inspection_close(*, inspection: Inspection, closed_on: date, by: User) -> None:
    _lock(inspection)
    _require_admin(by)
    _require_stage(inspection, Stage.FOLLOW_UP)
    _check_lifecycle_date(
        closed_on,
        field="closed_on",
        what="The date closed",
        after=inspection.published_on,
        after_what="the publication date",
    )
    _require_no_visit_to_come(inspection, closed_on)
    inspection.closed_on = closed_on
    _move(
        inspection,
        to=Stage.CLOSED,
        by=by,
        action="inspection.closed",
        changes={"closed_on": [None, str(closed_on)]},
    )


def _require_no_visit_to_come(inspection: Inspection, closed_on: date) -> None:
    """Closing says follow-up is complete: not while a post-inspection visit
    is still to come (found by the consistency review: the visit went on in
    the dashboard and the calendar, but left the force lead's "What is due",
    and could no longer be cancelled), nor dated before a visit held and
    recorded (found by the admin journey review: the record then said the
    follow-up went on after the inspection closed)."""
    after_closing = (
        inspection.post_inspection_visits.booked()
        .filter(visit_on__gt=closed_on)
        .order_by("visit_on")
        .first()
    )
    if after_closing is None:
        return
    day = govuk_date(after_closing.visit_on)
    if after_closing.outcome:
        message = (
            f"The date closed must be the same as or after the post-inspection visit held on {day}"
        )
    else:
        message = (
            f"The post-inspection visit on {day} is still to come. Close the inspection "
            "after it, or cancel the visit first"
        )
    raise ValidationError({"closed_on": message})


ALREADY_CANCELLED = "This inspection has already been cancelled"
NOT_CANCELLABLE = "Only a planned inspection can be cancelled: fieldwork has started"
STALE_PLAN = (
    "The plan of this inspection has changed since you opened this page. "
    "Check it, then cancel the inspection if you still mean to"
)


def cancel_version(inspection: Inspection) -> str:
    """The plan a cancellation page shows, for services.inspection_cancel's
    seen: its kind, dates, lead and team, as the plan page's (the team too:
    the page lists who will be told and freed, found by the admin's work
    review)."""
    return plan_version(inspection)


@transaction.atomic
def inspection_cancel(
    *, inspection: Inspection, reason: str, by: User, seen: str | None = None
) -> Inspection:
    """An admin calls off a planned inspection, before fieldwork starts: it
    ends there, frees its force for another and its team's dates, and the
    force's leads, the lead inspector and the team are told. Refused once
    fieldwork has started, for a second click (cancelled already), and for
    a page that showed another plan than the one stored now."""
    _lock(inspection)
    _require_admin(by)
    if inspection.is_cancelled:
        raise ValidationError(ALREADY_CANCELLED, code="cancelled")
    if inspection.stage != Stage.PLANNED:
        raise ValidationError(NOT_CANCELLABLE, code="stage")
    refuse_if_stale(seen, cancel_version(inspection), STALE_PLAN)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the inspection is being cancelled"})
    inspection.cancelled_at = timezone.now()
    inspection.cancellation_reason = reason.strip()
    _move(
        inspection,
        to=Stage.CANCELLED,
        by=by,
        action="inspection.cancelled",
        comment=inspection.cancellation_reason,
    )
    from actionplans.notices import (  # noqa: PLC0415
        inspection_cancelled_notices,
        left_notices_cancelled,
    )

    inspection_cancelled_notices(inspection=inspection)
    left_notices_cancelled(inspection=inspection)
    return inspection


def _check_received(inspection: Inspection, received_on: date) -> None:
    _check_lifecycle_date(
        received_on,
        field="received_on",
        what="The date the force received the report",
        after=inspection.fieldwork_end,
        after_what="the end of fieldwork",
    )


def _check_published(inspection: Inspection, published_on: date, *, received_on=None) -> None:
    _check_lifecycle_date(
        published_on,
        field="published_on",
        what="The publication date",
        after=received_on or inspection.received_for_checks_on,
        after_what="the date the force received the report",
    )


DATE_FIELDS = [
    ("received_for_checks_on", "Report received for checks"),
    ("action_plan_due_on", "Action plan due"),
    ("published_on", "Published"),
    ("updated_action_plan_due_on", "Updated action plan due"),
    ("pcc_response_due_on", "Police and crime commissioner's response due"),
]


def corrected_dates(
    inspection: Inspection, *, received_on: date | None = None, published_on: date | None = None
) -> dict[str, date | None]:
    """The inspection's trigger dates and deadlines as they would be after a
    correction, the deadlines derived again (core.deadlines); nothing saved.

    Refused for a trigger the inspection has not reached, a closed
    inspection, or a publication before the report was received. Each date
    is checked, so both are named when both are wrong (found by a review:
    only the first was, as GOV.UK asks for every error at once).
    """
    if inspection.stage == Stage.CLOSED:
        raise ValidationError("A closed inspection's dates cannot be changed")
    dates = {field: getattr(inspection, field) for field, _ in DATE_FIELDS}
    errors: dict[str, list[str]] = {}

    def check(step) -> None:
        try:
            step()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)

    if received_on is not None:
        if inspection.received_for_checks_on is None:
            raise ValidationError("The report has not been sent for pre-publication checks")
        check(lambda: _check_received(inspection, received_on))
        for problem in _received_after_the_force_answered(inspection, received_on):
            errors.setdefault("received_on", []).append(problem)
        dates["received_for_checks_on"] = received_on
        dates["action_plan_due_on"] = derive(received_on, action_plan_rule())
    if published_on is not None:
        if inspection.published_on is None:
            raise ValidationError("The report has not been published")
        check(lambda: _check_published(inspection, published_on, received_on=received_on))
        responded_on = inspection.pcc_response_published_on
        if responded_on is not None and published_on > responded_on:
            # The commissioner responds to a published report, never before it.
            errors.setdefault("published_on", []).append(
                "The publication date must be the same as or before the date the police and "
                f"crime commissioner's response was published ({govuk_date(responded_on)})"
            )
        if (visited_on := _first_visit_on(inspection)) and published_on >= visited_on:
            # A visit is booked once the report is published, for after it.
            errors.setdefault("published_on", []).append(
                "The publication date must be before the date of the first post-inspection "
                f"visit ({govuk_date(visited_on)})"
            )
        dates["published_on"] = published_on
        dates["updated_action_plan_due_on"] = derive(published_on, updated_action_plan_rule())
        dates["pcc_response_due_on"] = derive(published_on, pcc_response_rule())
    if errors:
        raise ValidationError(errors)
    published, received = dates["published_on"], dates["received_for_checks_on"]
    if published is not None and received is not None and published < received:
        field = "published_on" if published_on is not None else "received_on"
        raise ValidationError(
            {
                field: "The publication date must be the same as or after "
                "the date the force received the report"
            }
        )
    return dates


def _received_after_the_force_answered(inspection: Inspection, received_on: date) -> list[str]:
    """Why the force cannot have received the report on received_on: it had
    already answered it, with factual accuracy points or an action plan
    (found by the admin journey review: a receipt date corrected to after
    both was saved, and the action plan's deadline, derived from it, moved to
    weeks after the plan was in). Their London dates, as the deadlines'.

    A point is raised on the report too, as a draft the force has not sent
    (found by the notices review: only sent points were checked). The day
    it was raised is named, not the point, nor whether it was sent: the
    force's drafts are its own. The day it was sent, where that is the
    first, as before."""
    from actionplans.models import ActionPlanVersion  # noqa: PLC0415 (actionplans imports this app)

    points = inspection.factual_points.aggregate(raised=Min("created_at"), sent=Min("sent_at"))
    plan_submitted = ActionPlanVersion.objects.filter(plan__inspection=inspection).aggregate(
        first=Min("submitted_at")
    )["first"]
    problems = []
    points_sent = points["sent"]
    raised_on = london_date(points["raised"]) if points["raised"] is not None else None
    if raised_on is not None and (points_sent is None or raised_on < london_date(points_sent)):
        if received_on > raised_on:
            problems.append(
                "The date the force received the report must be the same as or before the "
                f"date it first raised a factual accuracy point ({govuk_date(raised_on)})"
            )
    elif points_sent is not None and received_on > london_date(points_sent):
        problems.append(
            "The date the force received the report must be the same as or before the date "
            f"it first sent factual accuracy points ({govuk_date(london_date(points_sent))})"
        )
    if plan_submitted is not None and received_on > london_date(plan_submitted):
        problems.append(
            "The date the force received the report must be the same as or before the date "
            f"it first submitted an action plan ({govuk_date(london_date(plan_submitted))})"
        )
    return problems


def _first_visit_on(inspection: Inspection) -> date | None:
    """The day of the inspection's first post-inspection visit not cancelled, if any."""
    visits = inspection.post_inspection_visits.booked().order_by("visit_on")
    return visits.values_list("visit_on", flat=True).first()


STALE_DATES = (
    "Someone else corrected the dates after you opened the page, so your correction has not "
    "been saved. The inspection shows their dates. Save again to replace them with yours"
)


def dates_version(inspection: Inspection) -> str:
    """What the dates page carries back (as "seen"): the dates as the page
    showed them. Only these, so that another change to the inspection does
    not make the page stale."""
    return fields_version(inspection, [field for field, _ in DATE_FIELDS])


@transaction.atomic
def inspection_correct_dates(
    *,
    inspection: Inspection,
    by: User,
    reason: str,
    received_on: date | None = None,
    published_on: date | None = None,
    seen: str | None = None,
) -> bool:
    """Correct a trigger date; the deadlines that hang on it are derived again.
    Admins only, with the reason on the record. False, and nothing recorded,
    when the dates already say this.

    `seen` is dates_version() as the page showed it: if the dates were
    corrected since (another admin), nothing is saved."""
    _require_admin(by)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the dates are being corrected"})
    # The row as it is now: a publication committed since the page was drawn
    # is corrected from, not written over.
    _lock(inspection)
    fields = [field for field, _ in DATE_FIELDS]
    before, version = audit.snapshot(inspection, fields), dates_version(inspection)
    dates = corrected_dates(inspection, received_on=received_on, published_on=published_on)
    changes = audit.diff(before, dates)
    if not changes:
        return False  # a second click on Save too, not a stale page
    refuse_if_stale(seen, version, STALE_DATES)
    for field, value in dates.items():
        setattr(inspection, field, value)
    inspection.save(update_fields=[*fields, "updated_at"])
    _record(
        inspection,
        inspection,
        by=by,
        action="inspection.dates_corrected",
        changes=changes,
        comment=reason.strip(),
    )
    _tell_the_force_when_plans_are_due(inspection, changes, corrected=True)
    return True


def _tell_the_force_when_plans_are_due(inspection: Inspection, fields, corrected=False) -> None:
    """Notices to the force's leads of the plans whose due-date fields are
    among `fields` (actionplans.notices)."""
    from actionplans.models import ActionPlan  # noqa: PLC0415 (actionplans imports this app)
    from actionplans.notices import plan_due_notices  # noqa: PLC0415

    kinds = [kind for kind, field in ActionPlan.DUE_FIELDS.items() if field in fields]
    if kinds:
        plan_due_notices(inspection=inspection, kinds=kinds, corrected=corrected)


# Graded judgments ---------------------------------------------------------

JUDGMENT_FIELDS = ["grade", "rationale", "status", "cites_case_reviews", "moderation_comment"]


def _cited(obj: Judgment | Finding, *, omit_empty: bool = False) -> dict[str, str]:
    """The evidence a judgment or finding cites, as the audit trail shows it."""
    cited = {
        "interviews": "; ".join(
            sorted(evidence_label(i) for i in obj.interviews.prefetch_related("participants"))
        ),
        "documents": "; ".join(sorted(evidence_label(d) for d in obj.documents.all())),
    }
    return {key: value for key, value in cited.items() if value or not omit_empty}


INADEQUATE_NEEDS_CONCERN = (
    "Inadequate needs a cause of concern on this topic. Record the cause of concern first"
)


def topic_has_concern(inspection: Inspection, topic: str) -> bool:
    return inspection.findings.filter(topic=topic, kind__in=Finding.CONCERN_KINDS).exists()


def _judgment_change(
    judgment: Judgment, *, by: User, action: str, before: dict, comment="", cited=None
):
    """Record the change; ``cited`` (before, after) adds the evidence cited."""
    changes = audit.diff(before, audit.snapshot(judgment, JUDGMENT_FIELDS))
    if cited:
        changes.update(audit.diff(*cited))
    if not changes:
        return  # saved as it was: nothing changed, nothing recorded
    _record(judgment.inspection, judgment, by=by, action=action, changes=changes, comment=comment)


STALE_JUDGMENT = (
    "Someone else saved this judgment after you opened it, so your changes have not been "
    "saved. Its history, below, shows what they changed. Save again to replace their "
    "changes with yours"
)
STALE_FINDING = (
    "Someone else saved this finding after you opened it, so your changes have not been "
    "saved. The findings page shows it as they saved it. Save again to replace their "
    "changes with yours"
)


def _check_evidence_still_recorded(inspection: Inspection, interviews, documents) -> None:
    """Under the inspection's lock: every interview and document cited is
    still recorded. The form offered them before the lock was taken, and a
    deletion (evidence_delete, which takes the same lock) may have committed
    since; linking a deleted row would fail at the commit with a 500."""
    for cited, recorded in ((interviews, inspection.interviews), (documents, inspection.documents)):
        ids = {item.pk for item in cited}
        if ids and recorded.filter(pk__in=ids).count() != len(ids):
            raise ValidationError(
                "Evidence you cited was deleted a moment ago. "
                "Check the evidence you cite and save again"
            )


def seen_version(obj: Judgment | Finding | Interview | Document | FactualAccuracyPoint) -> str:
    """What a page carries back (as "seen") to tell whether the judgment,
    finding, interview, document or factual accuracy point it shows was saved
    after the page was drawn."""
    return row_version(obj)


def _check_seen(
    obj: Judgment | Finding | Interview | Document | FactualAccuracyPoint,
    seen: str | None,
    message: str,
) -> None:
    """Refuse a save from a page drawn before the last save (another person,
    another tab): found by a review, the later save silently replaced the
    earlier. Call after _read_again."""
    refuse_if_stale(seen, seen_version(obj), message)


@transaction.atomic
def judgment_save(
    *,
    judgment: Judgment,
    grade: str,
    rationale: str,
    cites_case_reviews: bool,
    interviews: list[Interview],
    documents: list[Document],
    by: User,
    seen: str | None = None,
) -> Judgment:
    """Save a draft grade and rationale, either of them still to come. An
    inadequate grade needs a cause of concern before it is submitted.

    `seen` is seen_version() as the page showed it: if the judgment was
    saved since (another inspector, another tab), nothing is saved."""
    _lock(judgment.inspection)
    _read_again(judgment)
    _check_seen(judgment, seen, STALE_JUDGMENT)
    _check_evidence_still_recorded(judgment.inspection, interviews, documents)
    inspection = judgment.inspection
    if not can_work_on(by, inspection):
        raise PermissionDenied
    _require_stage(inspection, *GRADING_STAGES)
    if judgment.status in (Judgment.Status.FINAL, Judgment.Status.SUBMITTED):
        raise ValidationError("This judgment is with the lead inspector and cannot be changed")
    from casefiles.models import REVIEWED_TOPICS  # noqa: PLC0415 (casefiles imports this app)

    if cites_case_reviews and judgment.topic not in REVIEWED_TOPICS:
        # Case file reviews rate every topic but leadership: a judgment of it
        # has no figures to cite (found by the grading review: it could
        # claim them).
        raise ValidationError(
            {
                "cites_case_reviews": "Case file reviews do not rate leadership, so there are no "
                "figures for this judgment to cite"
            }
        )
    before, cited_before = audit.snapshot(judgment, JUDGMENT_FIELDS), _cited(judgment)
    judgment.grade = grade
    judgment.rationale = rationale
    judgment.cites_case_reviews = cites_case_reviews
    if judgment.status == Judgment.Status.NOT_STARTED:
        judgment.status = Judgment.Status.DRAFT
    judgment.save()
    judgment.interviews.set(interviews)
    judgment.documents.set(documents)
    _judgment_change(
        judgment,
        by=by,
        action="judgment.saved",
        before=before,
        cited=(cited_before, _cited(judgment)),
    )
    return judgment


@transaction.atomic
def judgment_submit(*, judgment: Judgment, by: User) -> None:
    """Put a graded judgment forward to the lead inspector for moderation."""
    _lock(judgment.inspection)
    _read_again(judgment)
    if not can_work_on(by, judgment.inspection):
        raise PermissionDenied
    _require_stage(judgment.inspection, *GRADING_STAGES)
    if judgment.status not in (Judgment.Status.DRAFT, Judgment.Status.RETURNED):
        raise ValidationError("Only a draft or returned judgment can be submitted")
    if not (judgment.grade and judgment.rationale.strip()):
        raise ValidationError("Select a grade and write a rationale before submitting")
    if judgment.grade == Grade.INADEQUATE and not topic_has_concern(
        judgment.inspection, judgment.topic
    ):
        raise ValidationError({"grade": INADEQUATE_NEEDS_CONCERN})
    before = audit.snapshot(judgment, JUDGMENT_FIELDS)
    judgment.status = Judgment.Status.SUBMITTED
    judgment.save()
    _judgment_change(judgment, by=by, action="judgment.submitted", before=before)


def topic_findings_version_rows(inspection_id, topic: str, *, shown: bool = False):
    """What moderation_version reads of a topic's findings, in their order:
    one query. With shown, each row starts with what the grading page shows
    of the finding (id, kind, summary)."""
    first = ("pk", "kind", "summary") if shown else ()
    return (
        Finding.objects.filter(inspection_id=inspection_id, topic=topic)
        .order_by("kind_position", "created_at", "pk", "recommendations__created_at")
        .values_list(
            *first, "pk", "updated_at", "recommendations__pk", "recommendations__updated_at"
        )
    )


STALE_AGREEMENT = (
    "This judgment, or a finding on its topic, changed after you opened the page, so it "
    "has not been agreed. Check them again, then agree it if you still mean to"
)


def moderation_version(judgment: Judgment, findings: list[tuple] | None = None) -> str:
    """What Agree and Return carry back (as "seen"): the judgment, and the
    findings on its topic and their recommendations as the page listed them,
    (finding id, time of change, recommendation id, its time of change)
    rows, read here if not given. Found by the workflow review: a cause of
    concern rewritten after the lead's page was drawn was agreed unread; and
    by the evidence review, a recommendation added or deleted meanwhile."""
    if findings is None:
        findings = topic_findings_version_rows(judgment.inspection_id, judgment.topic)
    listed = ",".join("@".join(str(value) for value in row) for row in sorted(findings, key=str))
    return f"{row_version(judgment)}|{hashlib.sha256(listed.encode()).hexdigest()[:16]}"


@transaction.atomic
def judgment_agree(*, judgment: Judgment, by: User, seen: str | None = None) -> None:
    """The lead inspector agrees the judgment, which makes it final.

    `seen` is moderation_version() as the page showed it: a judgment returned
    and put forward again since (another grade, say), or a finding on its
    topic changed, is not agreed unread."""
    _lock(judgment.inspection)
    _read_again(judgment)
    inspection = judgment.inspection
    if not can_moderate(by, inspection):
        raise PermissionDenied
    _require_stage(inspection, *GRADING_STAGES)
    if judgment.status != Judgment.Status.SUBMITTED:
        raise ValidationError("Only a judgment submitted for moderation can be agreed")
    refuse_if_stale(seen, moderation_version(judgment), STALE_AGREEMENT)
    if judgment.grade == Grade.INADEQUATE and not topic_has_concern(inspection, judgment.topic):
        raise ValidationError("Inadequate needs a cause of concern on this topic")
    before = audit.snapshot(judgment, JUDGMENT_FIELDS)
    judgment.status = Judgment.Status.FINAL
    judgment.moderation_comment = ""
    judgment.save()
    _judgment_change(judgment, by=by, action="judgment.agreed", before=before)


STALE_RETURN = (
    "This judgment, or a finding on its topic, changed after you opened the page, so it "
    "has not been returned. Check them again, then return it if your comment still applies"
)


@transaction.atomic
def judgment_return(*, judgment: Judgment, comment: str, by: User, seen: str | None = None) -> None:
    """The lead inspector returns a judgment with a comment. A final judgment
    can be reopened this way until the report goes to the force.

    `seen` is moderation_version() as the page showed it: a comment written
    about one grade, or one set of findings, is not sent back against another
    put forward since."""
    _lock(judgment.inspection)
    _read_again(judgment)
    inspection = judgment.inspection
    if not can_moderate(by, inspection):
        raise PermissionDenied
    _require_stage(inspection, *GRADING_STAGES)
    if judgment.status not in (Judgment.Status.SUBMITTED, Judgment.Status.FINAL):
        raise ValidationError("Only a submitted or final judgment can be returned")
    if not comment.strip():
        raise ValidationError({"comment": "Enter a comment for the inspector"})
    refuse_if_stale(seen, moderation_version(judgment), STALE_RETURN)
    before = audit.snapshot(judgment, JUDGMENT_FIELDS)
    judgment.status = Judgment.Status.RETURNED
    judgment.moderation_comment = comment
    judgment.save()
    _judgment_change(judgment, by=by, action="judgment.returned", before=before, comment=comment)


# Findings -----------------------------------------------------------------

FINDING_FIELDS = ["topic", "kind", "summary", "detail", "reported_to_force_on"]


def _require_findings_editable(inspection: Inspection, by: User) -> None:
    if not can_work_on(by, inspection):
        raise PermissionDenied
    _require_stage(inspection, *EDITABLE_STAGES)


def _check_new_words(findings, *, topic: str, kind: str, summary: str) -> None:
    """Refuse a finding the inspection already has (the same kind, topic and
    summary): a second click on Save, or the same finding from two people.
    `findings`: the inspection's others. Call under _lock. Summaries are
    compared as people read them (as_compared): one with a zero-width space
    inside passed as new."""
    others = findings.filter(topic=topic, kind=kind).values_list("summary", flat=True)
    if as_compared(summary) in {as_compared(other) for other in others}:
        raise ValidationError(
            {"summary": "A finding of this kind and summary is already recorded for this topic"}
        )


def _check_finding(inspection: Inspection, kind: str, reported_to_force_on: date | None) -> None:
    """An accelerated cause of concern's report to the force is dated from the
    start of fieldwork to today. Another kind's date is not kept, so not
    checked (found by a review: it was refused, then thrown away)."""
    if kind != Finding.Kind.ACCELERATED:
        return
    if reported_to_force_on is None:
        raise ValidationError(
            {
                "reported_to_force_on": "Enter the date the cause of concern "
                "was reported to the force"
            }
        )
    _check_lifecycle_date(
        reported_to_force_on,
        field="reported_to_force_on",
        what="The date the cause of concern was reported to the force",
        after=inspection.fieldwork_start,
        after_what="the start of fieldwork",
    )


@transaction.atomic
def finding_create(
    *,
    inspection: Inspection,
    topic: str,
    kind: str,
    summary: str,
    detail: str,
    reported_to_force_on: date | None,
    interviews: list[Interview],
    documents: list[Document],
    by: User,
) -> Finding:
    _lock(inspection)
    _check_evidence_still_recorded(inspection, interviews, documents)
    _require_findings_editable(inspection, by)
    _check_finding(inspection, kind, reported_to_force_on)
    _check_new_words(inspection.findings.all(), topic=topic, kind=kind, summary=summary)
    finding = Finding.objects.create(
        inspection=inspection,
        topic=topic,
        kind=kind,
        summary=summary,
        detail=detail,
        reported_to_force_on=reported_to_force_on if kind == Finding.Kind.ACCELERATED else None,
    )
    finding.interviews.set(interviews)
    finding.documents.set(documents)
    _record(
        inspection,
        finding,
        by=by,
        action="finding.created",
        changes=audit.diff(
            {}, {**audit.snapshot(finding, FINDING_FIELDS), **_cited(finding, omit_empty=True)}
        ),
    )
    return finding


@transaction.atomic
def finding_update(
    *,
    finding: Finding,
    topic: str,
    kind: str,
    summary: str,
    detail: str,
    reported_to_force_on: date | None,
    interviews: list[Interview],
    documents: list[Document],
    by: User,
    seen: str | None = None,
) -> Finding:
    _lock(finding.inspection)
    _read_again(finding)
    _check_seen(finding, seen, STALE_FINDING)
    _check_evidence_still_recorded(finding.inspection, interviews, documents)
    inspection = finding.inspection
    _require_findings_editable(inspection, by)
    _check_finding(inspection, kind, reported_to_force_on)
    if (topic, kind, as_compared(summary)) != (
        finding.topic,
        finding.kind,
        as_compared(finding.summary),
    ):  # an edit of the detail alone is fine, even of a finding recorded twice before
        others = inspection.findings.exclude(pk=finding.pk)
        _check_new_words(others, topic=topic, kind=kind, summary=summary)
    if kind not in Finding.CONCERN_KINDS and finding.recommendations.exists():
        raise ValidationError(
            {"kind": "Remove this finding's recommendations before changing its kind"}
        )
    if topic != finding.topic or kind not in Finding.CONCERN_KINDS:
        _require_concern_kept(finding, field="topic" if topic != finding.topic else "kind")
    before = {**audit.snapshot(finding, FINDING_FIELDS), **_cited(finding)}
    finding.topic, finding.kind, finding.summary, finding.detail = topic, kind, summary, detail
    finding.reported_to_force_on = (
        reported_to_force_on if kind == Finding.Kind.ACCELERATED else None
    )
    finding.save()
    finding.interviews.set(interviews)
    finding.documents.set(documents)
    changes = audit.diff(before, {**audit.snapshot(finding, FINDING_FIELDS), **_cited(finding)})
    if changes:  # saved as it was: nothing changed, nothing recorded
        _record(inspection, finding, by=by, action="finding.changed", changes=changes)
    return finding


def _require_concern_kept(finding: Finding, field: str | None = None) -> None:
    """Refuse to take away the last cause of concern on a topic graded
    inadequate (by deleting it, moving it to another topic or making it
    another kind of finding): the grade needs one."""
    if not finding.is_concern:
        return
    inspection = finding.inspection
    if not inspection.judgments.filter(topic=finding.topic, grade=Grade.INADEQUATE).exists():
        return
    others = inspection.findings.filter(topic=finding.topic, kind__in=Finding.CONCERN_KINDS)
    if not others.exclude(pk=finding.pk).exists():
        message = (
            f"{finding.get_topic_display()} is graded inadequate, which needs a cause of "
            "concern. Change the grade first"
        )
        raise ValidationError({field: message} if field else message)


STALE_DELETE = (
    "Someone changed this {what} after you opened this page, so it has not been deleted. "
    "The page now shows it as it is: check it before you delete it"
)


def finding_delete_version(finding: Finding) -> str:
    """What the page that asks before deleting a finding carries back (as
    "seen"): the finding and its recommendations, which go with it."""
    recommendations = finding.recommendations.order_by("pk").values_list("pk", "updated_at")
    return "|".join(
        [row_version(finding), *(f"{pk}:{at.isoformat()}" for pk, at in recommendations)]
    )


@transaction.atomic
def finding_delete(*, finding: Finding, by: User, seen: str | None = None) -> None:
    """Delete a finding and its recommendations. `seen` is
    finding_delete_version() as the asking page showed it: a finding changed
    since (new words, a recommendation added) is not deleted unseen (found
    by the stale-page review)."""
    _lock(finding.inspection)
    _read_again(finding)
    refuse_if_stale(seen, finding_delete_version(finding), STALE_DELETE.format(what="finding"))
    inspection = finding.inspection
    _require_findings_editable(inspection, by)
    _require_concern_kept(finding)
    # Its recommendations go with it: each is on the record as removed, with its words.
    for recommendation in finding.recommendations.all():
        _record_recommendation_removed(inspection, recommendation, by=by)
    # What it was, the evidence it cited too, as its creation recorded it.
    was = {**audit.snapshot(finding, FINDING_FIELDS), **_cited(finding)}
    _record(
        inspection,
        finding,
        by=by,
        action="finding.deleted",
        changes=audit.diff(was, dict.fromkeys(was)),
    )
    finding.delete()


@transaction.atomic
def recommendation_add(*, finding: Finding, text: str, by: User) -> Recommendation:
    _lock(finding.inspection)
    _read_again(finding)
    _require_findings_editable(finding.inspection, by)
    if not finding.is_concern:
        raise ValidationError("Only a cause of concern carries recommendations")
    recommended = finding.recommendations.values_list("text", flat=True)
    if as_compared(text) in {as_compared(other) for other in recommended}:
        # A second click on Add, or the same recommendation from two people.
        raise ValidationError({"text": "This cause of concern already has this recommendation"})
    recommendation = Recommendation.objects.create(finding=finding, text=text)
    _record(
        finding.inspection,
        recommendation,
        by=by,
        action="recommendation.created",
        changes={"text": [None, text]},
    )
    return recommendation


@transaction.atomic
def recommendation_delete(*, recommendation: Recommendation, by: User) -> None:
    _lock(recommendation.finding.inspection)
    _read_again(recommendation)
    inspection = recommendation.finding.inspection
    _require_findings_editable(inspection, by)
    _record_recommendation_removed(inspection, recommendation, by=by)
    recommendation.delete()


def _record_recommendation_removed(inspection, recommendation: Recommendation, *, by) -> None:
    _record(
        inspection,
        recommendation,
        by=by,
        action="recommendation.deleted",
        changes={"text": [recommendation.text, None]},
    )


# Evidence -----------------------------------------------------------------


# How long a like record counts as a repeat of the same click or submission.
REPEAT_WINDOW = timedelta(minutes=10)


def evidence_citing(item: Interview | Document) -> list[tuple[Judgment | Finding, str]]:
    """The judgments and findings that cite a piece of evidence, each named."""
    return [
        *((j, f"The {j.get_topic_display().lower()} judgment") for j in item.judgments.all()),
        *((f, f"The finding ‘{f.summary}’") for f in item.findings.all()),
    ]


# A judgment put forward for moderation, or agreed, rests on its evidence as
# the lead inspector reads it.
WITH_THE_LEAD = (Judgment.Status.SUBMITTED, Judgment.Status.FINAL)


def evidence_held_by(item: Interview | Document) -> list[tuple[Judgment | Finding, str]]:
    """What cites the evidence and can no longer change, so neither can the
    evidence: all that cites it once the inspection is past moderation;
    before, a judgment with the lead inspector (WITH_THE_LEAD), until the
    lead returns it (found by the grading review: an interview could be
    changed under a grade the lead had agreed)."""
    citing = evidence_citing(item)
    if item.inspection.stage not in EDITABLE_STAGES:
        return citing
    return [
        (cited_by, label)
        for cited_by, label in citing
        if isinstance(cited_by, Judgment) and cited_by.status in WITH_THE_LEAD
    ]


def evidence_held_why(inspection: Inspection, held: list) -> str:
    """Why what holds the evidence (evidence_held_by) can no longer change."""
    they = "they" if len(held) > 1 else "it"
    if inspection.stage not in EDITABLE_STAGES:
        return f"at the ‘{inspection.get_stage_display()}’ stage {they} can no longer change"
    return f"{they} {'have' if len(held) > 1 else 'has'} been submitted for moderation"


def evidence_held_until(held: list) -> str:
    """What would free evidence held by judgments with the lead inspector."""
    return f"Ask the lead inspector to return {'them' if len(held) > 1 else 'it'} first"


def _named(citing: list) -> list[str]:
    """What cites the evidence, named to go inside a sentence."""
    return [label[:1].lower() + label[1:] for _, label in citing]


def _citing_names(item: Interview | Document) -> list[str]:
    return _named(evidence_citing(item))


def file_kind(stored_file, *, new: bool = False) -> str:
    """A file as the history names it: "A PDF file", by its kind only. Not
    its name: that may be why it is deleted or replaced (a child's name)."""
    _, dot, extension = stored_file.original_name.rpartition(".")
    known = dot and extension.isalnum() and len(extension) <= 5
    return f"A {'new ' if new else ''}{f'{extension.upper()} file' if known else 'file'}"


@transaction.atomic
def evidence_delete(*, item: Interview | Document, by: User, seen: str | None = None) -> None:
    """Delete an interview or document recorded in error, and a document's
    copy with it: a wrong record, or a file that names a child, is not left
    in the evidence (found by a review: neither could be removed). Refused
    while a graded judgment or finding cites it, as its grade or words rest
    on it: take it out of them first. The record of it stays in the history.
    `seen` is seen_version() as the asking page showed it: one changed since
    is not deleted unseen."""
    inspection = item.inspection
    what = _read_evidence_again(item, by, gone="has already been deleted")
    _check_seen(item, seen, STALE_DELETE.format(what=what))
    citing = _citing_names(item)
    if citing:
        raise ValidationError(
            f"This {what} cannot be deleted while {' and '.join(citing)} "
            f"cite{'s' if len(citing) == 1 else ''} it. Take it out of "
            f"{'them' if len(citing) > 1 else 'it'} first"
        )
    stored_file = item.stored_file if isinstance(item, Document) else None
    if isinstance(item, Document):
        # Not its title again, in case it is what the document was deleted
        # for; no row of the history has ever held its file's name (file_kind).
        gone = f"{item.get_kind_display()}, received {govuk_date(item.received_on)}"
    else:
        gone = evidence_label(item)  # a date and roles, never names
    changes = {"evidence": [gone, None]}
    if stored_file is not None:
        changes["file"] = [file_kind(stored_file), None]
    label = f"Document: {gone}" if what == "document" else None
    _record(inspection, item, by=by, action=f"{what}.deleted", changes=changes, label=label)
    item.delete()
    if stored_file is not None:
        uploads.delete_stored_file(stored_file)


def _read_evidence_again(item: Interview | Document, by: User, *, gone: str) -> str:
    """Lock the item's inspection (_require_evidence_open), then read the
    interview or document as committed now: every field (a document's file
    too), its participants and what cites it; the inspection stays the one
    locked. Refused, saying it `gone`, if deleted meanwhile. Returns
    "interview" or "document"."""
    inspection = item.inspection
    _require_evidence_open(inspection, by)
    what = "interview" if isinstance(item, Interview) else "document"
    try:
        item.refresh_from_db()
    except ObjectDoesNotExist:
        raise ValidationError(f"This {what} {gone}") from None
    item.inspection = inspection
    return what


def evidence_ended(inspection: Inspection) -> str:
    """Why a closed or cancelled inspection takes no more evidence."""
    stage = inspection.get_stage_display().lower()
    return f"The inspection is {stage}: no more evidence can be recorded"


def _require_evidence_open(inspection: Inspection, by: User) -> None:
    """Evidence is recorded by the team until the inspection closes (the
    post-inspection visit has its interviews and documents too). Locks the
    inspection, so two records of the same thing queue up and the second is
    checked against the first."""
    _lock(inspection)
    if not can_work_on(by, inspection):
        raise PermissionDenied
    if inspection.has_ended:
        raise ValidationError(evidence_ended(inspection))


@transaction.atomic
def interview_record(
    *,
    inspection: Inspection,
    held_on: date,
    topics: list[str],
    notes: str,
    participants: list[tuple[str, str]],
    by: User,
) -> Interview:
    """Record an interview. Participants are (role, organisation): never names."""
    _require_evidence_open(inspection, by)
    _not_in_the_future(held_on, field="held_on", what="The date of the interview")
    if not participants:
        raise ValidationError({"participants": "Add at least one participant"})
    # A second click on Save, or the same interview from two people, comes
    # within minutes; two like interviews recorded further apart are two.
    just_recorded = inspection.interviews.filter(
        held_on=held_on, notes=notes, created_at__gte=timezone.now() - REPEAT_WINDOW
    ).prefetch_related("participants")
    for other in just_recorded:
        if sorted(other.topics) == sorted(topics) and sorted(
            (p.role, p.organisation) for p in other.participants.all()
        ) == sorted(participants):
            raise ValidationError(
                "This interview was recorded a moment ago. If it is another interview, "
                "add a note to tell them apart"
            )
    interview = Interview.objects.create(
        inspection=inspection, held_on=held_on, topics=topics, notes=notes
    )
    Participant.objects.bulk_create(
        Participant(interview=interview, role=role, organisation=organisation)
        for role, organisation in participants
    )
    _record(
        inspection,
        interview,
        by=by,
        action="interview.recorded",
        # Who was interviewed (roles and organisations, never names), as a
        # change to them is recorded: an interview never changed had no word
        # in its history of who took part.
        changes=audit.diff({}, _interview_words(held_on, topics, participants)),
    )
    return interview


def _document_copy(upload, *, by: User) -> StoredFile | None:
    """The document's copy, kept privately (core.uploads); a refusal, or a
    storage that failed, is said beside the file input."""
    if upload is None:
        return None
    try:
        return uploads.store_upload(upload, by=by, kinds=Document.FILE_KINDS)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from error


@transaction.atomic
def document_record(
    *,
    inspection: Inspection,
    title: str,
    kind: str,
    received_on: date,
    notes: str,
    upload=None,
    by: User,
) -> Document:
    """Record a document examined, keeping an optional copy privately."""
    _require_evidence_open(inspection, by)
    _not_in_the_future(received_on, field="received_on", what="The date the document was received")
    # A second click on Save (which would store the file twice), or the same
    # document from two people.
    _check_new_document(inspection.documents.all(), title=title, kind=kind, received_on=received_on)
    stored_file = _document_copy(upload, by=by)
    document = Document.objects.create(
        inspection=inspection,
        title=title,
        kind=kind,
        received_on=received_on,
        notes=notes,
        stored_file=stored_file,
    )
    _record(
        inspection,
        document,
        by=by,
        action="document.recorded",
        # With its date, as an interview's; no file kept is no change.
        changes=audit.diff(
            {},
            {
                "title": title,
                "kind": Document.Kind(kind).label,
                "received_on": received_on,
                # The file by its kind, never its own name (file_kind).
                "file": file_kind(stored_file) if stored_file else None,
            },
        ),
    )
    return document


def _check_new_document(documents, *, title: str, kind: str, received_on: date) -> None:
    """Refuse a document the inspection already has (the same title, kind and
    date). `documents`: the inspection's others. Call under _lock. Titles
    are compared as people read them (as_compared)."""
    titles = documents.filter(kind=kind, received_on=received_on).values_list("title", flat=True)
    if as_compared(title) in {as_compared(other) for other in titles}:
        raise ValidationError(
            {"title": "A document with this title, kind and date has already been recorded"}
        )


STALE_INTERVIEW = (
    "Someone else changed this interview after you opened it, so your changes have not been "
    "saved. The interview's page shows it as they saved it. Save again to replace their "
    "changes with yours"
)
STALE_DOCUMENT = (
    "Someone else changed this document after you opened it, so your changes have not been "
    "saved. The list of interviews and documents shows it as they saved it. Save again to "
    "replace their changes with yours"
)
# Notes may name someone, which may be why they are corrected: the history
# says that they changed, never what they say (as recording them does).
NOTES_BEFORE, NOTES_AFTER = "earlier notes, not copied here", "new notes, not copied here"


def _notes_change(before: str, after: str) -> dict[str, list[str | None]]:
    if before == after:
        return {}
    return {"notes": [NOTES_BEFORE if before else None, NOTES_AFTER if after else None]}


def _require_evidence_changeable(item: Interview | Document, by: User) -> None:
    """Lock the inspection, read the interview or document afresh, and refuse
    a change (as evidence_delete does) once the inspection is closed, or
    while a judgment or finding that can no longer change cites it
    (evidence_held_by): its grade or words rest on the evidence as it was."""
    what = _read_evidence_again(item, by, gone="has been deleted")
    if held := evidence_held_by(item):
        names = _named(held)
        why = evidence_held_why(item.inspection, held)
        if item.inspection.stage in EDITABLE_STAGES:
            why += f". {evidence_held_until(held)}"
        raise ValidationError(
            f"This {what} cannot be changed: {' and '.join(names)} "
            f"cite{'s' if len(names) == 1 else ''} it, and {why}"
        )


def _interview_words(held_on: date, topics: list[str], participants) -> dict[str, str]:
    """An interview as its history shows it: roles and organisations, never names."""
    return {
        "held_on": str(held_on),
        "topics": ", ".join(Topic(topic).label for topic in sorted(topics, key=Topic.position)),
        "participants": "; ".join(
            f"{role} ({Participant.Organisation(organisation).label})"
            for role, organisation in participants
        ),
    }


@transaction.atomic
def interview_update(
    *,
    interview: Interview,
    held_on: date,
    topics: list[str],
    notes: str,
    participants: list[tuple[str, str]],
    by: User,
    seen: str | None = None,
) -> dict[str, list]:
    """Correct an interview: its date, topics, notes or participants (role
    and organisation: never names). Allowed while a judgment or finding that
    can still change cites it, which then rests on the corrected record.

    Returns the changes recorded; none (and no record) if nothing changed.
    `seen` is seen_version() as the page showed it: if the interview was
    changed since, nothing is saved."""
    _require_evidence_changeable(interview, by)
    _not_in_the_future(held_on, field="held_on", what="The date of the interview")
    if not participants:
        raise ValidationError({"participants": "Add at least one participant"})
    was = [(p.role, p.organisation) for p in interview.participants.all()]
    changes = audit.diff(
        _interview_words(interview.held_on, interview.topics, was),
        _interview_words(held_on, topics, participants),
    )
    changes.update(_notes_change(interview.notes, notes))
    if not changes:
        return {}
    # Only now: a page drawn before another's save that asks for nothing
    # different (a second click on Save) is not refused.
    _check_seen(interview, seen, STALE_INTERVIEW)
    interview.held_on, interview.notes = held_on, notes
    interview.topics = sorted(topics, key=Topic.position)
    interview.save()  # its updated_at moves even when only the participants change
    if "participants" in changes:
        interview.participants.all().delete()
        Participant.objects.bulk_create(
            Participant(interview=interview, role=role, organisation=organisation)
            for role, organisation in participants
        )
    _record(interview.inspection, interview, by=by, action="interview.changed", changes=changes)
    return changes


DOCUMENT_FIELDS = ["title", "kind", "received_on"]


@transaction.atomic
def document_update(
    *,
    document: Document,
    title: str,
    kind: str,
    received_on: date,
    notes: str,
    upload=None,
    remove_file: bool = False,
    by: User,
    seen: str | None = None,
) -> dict[str, list]:
    """Correct a document's title, kind, date or notes; give it a new copy
    (`upload`, checked and kept privately), or take its copy away
    (`remove_file`) while keeping the record, as when the file names a child.
    A copy replaced or removed is deleted once the change commits.

    Returns the changes recorded; none (and no record) if nothing changed.
    `seen`: as for interview_update."""
    _require_evidence_changeable(document, by)
    inspection = document.inspection
    _not_in_the_future(received_on, field="received_on", what="The date the document was received")
    if upload is not None and remove_file:
        raise ValidationError({"file": "Select whether to replace the file or remove it"})
    if (as_compared(title), kind, received_on) != (
        as_compared(document.title),
        document.kind,
        document.received_on,
    ):  # notes alone may change, even on a document recorded twice before
        others = inspection.documents.exclude(pk=document.pk)
        _check_new_document(others, title=title, kind=kind, received_on=received_on)
    before = audit.snapshot(document, DOCUMENT_FIELDS)
    after = {"title": title, "kind": Document.Kind(kind).label, "received_on": received_on}
    changes = {**audit.diff(before, after), **_notes_change(document.notes, notes)}
    old_file = document.stored_file
    file_changes = upload is not None or (remove_file and old_file is not None)
    if not changes and not file_changes:
        return {}
    _check_seen(document, seen, STALE_DOCUMENT)
    # Stored once every other check has passed. Should this transaction
    # still roll back, the new file is an orphan for the sweep
    # (core.retention), and the old one is still there: it goes only on commit.
    new_file = _document_copy(upload, by=by)
    document.title, document.kind, document.received_on = title, kind, received_on
    document.notes = notes
    if file_changes:
        document.stored_file = new_file
        changes["file"] = [
            file_kind(old_file) if old_file else None,
            file_kind(new_file, new=True) if new_file else None,
        ]
    document.save()
    if file_changes and old_file is not None:
        uploads.delete_stored_file(old_file)
    _record(inspection, document, by=by, action="document.changed", changes=changes)
    return changes
