from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, FilteredRelation, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core import fragments
from core.forms import add_service_errors
from core.links import ANY, url_maker
from core.stale import row_version
from core.templatetags.govuk import govuk_date
from inspections.access import can_moderate, can_work_on
from inspections.models import Inspection

from . import services
from .access import (
    can_edit_review,
    case_files_open,
    get_case,
    get_casefiles_inspection,
    get_category,
    get_import,
    require_categories_access,
)
from .caselist import COLUMN_LABELS, DATE_FORMAT_EXAMPLE, TEMPLATE_COLUMNS, template_csv
from .forms import (
    AssignCaseForm,
    AssignCasesForm,
    CaseCategoryForm,
    CaseListUploadForm,
    CaseReplaceForm,
    CaseReviewForm,
    CaseSearchForm,
    CaseTakeOutForm,
    SampleDrawForm,
    SecondReviewForm,
)
from .models import (
    REVIEWED_TOPICS,
    Case,
    CaseCategory,
    CaseRating,
    CaseReplacement,
    CaseReview,
    SampleDraw,
    SecondReview,
    TopicAssessment,
)
from .templatetags.casefiles import review_status_tag

PER_PAGE = 50

# What a row of the sample and of the review list shows, read as values
# rather than five model instances (case, category, reviewer, review, second
# review) a row.
CASE_ROW_FIELDS = (
    "pk",
    "reference",
    "recorded_on",
    "category__name",
    "reviewer_id",
    "reviewer__full_name",
    "review__submitted_by_id",
    "review__submitted_by__full_name",
    "review__status",
    "review__overall_rating",
    "review__second_review__rating",
)
# What the sample's list of draws shows of each: not the sizes and population
# asked for and found (JSON), nor the rest of the person who drew it.
SAMPLE_DRAW_FIELDS = (
    "number",
    "seed",
    "sample_count",
    "second_review_count",
    "reason",
    "created_at",
    "drawn_by__full_name",
)
_RATING_LABELS = dict(CaseRating.choices)


def _page(request: HttpRequest, items, per_page: int = PER_PAGE, count: int | None = None) -> Page:
    """The requested page of items. Give count when the page has already
    counted the items, and the paginator will not count them again."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(request.GET.get("page"))


def _posted(request: HttpRequest, *, files: bool = False) -> tuple:
    """The form's data: bound on POST even when nothing was filled in, so an
    empty submission shows its errors rather than a blank form."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _closed(request: HttpRequest, inspection: Inspection, to: str) -> HttpResponse | None:
    """For a page that changes case files: once the inspection has moved past
    moderation, a redirect to `to` with a message saying why; else None."""
    if case_files_open(inspection):
        return None
    messages.info(request, services.closed_message(inspection))
    return redirect(to)


def _may_work(user, inspection: Inspection) -> bool:
    """Whether to offer the case list, sample and assignment actions."""
    return can_work_on(user, inspection) and case_files_open(inspection)


def _context(inspection: Inspection, section: str, **extra) -> dict:
    closed = None if case_files_open(inspection) else services.closed_message(inspection)
    return {"inspection": inspection, "section": section, "case_files_closed": closed, **extra}


def _reviewers(inspection: Inspection):
    return User.objects.filter(
        pk__in=inspection.team_member_ids(),
        role__in=[User.Role.INSPECTOR, User.Role.LEAD_INSPECTOR],
        is_active=True,
    ).order_by("full_name")


def _case_values(cases):
    """The cases in list order (category, then reference), as dicts of what a
    row shows. Count the cases before this: a count of it joins what it shows."""
    return cases.order_by("category__position", "category__name", "reference").values(
        *CASE_ROW_FIELDS
    )


def _case_rows(inspection: Inspection, cases, *, assign_links: bool = False) -> list[dict]:
    """One row a case, with everything the template shows worked out here: the
    links, the date, the reviewer, the status tag and the overall rating once
    submitted (what Case.get_absolute_url, govuk_date, {% review_status %} and
    get_overall_rating_display give). Every row has every key: a key missing
    costs the template three exceptions to find it is not there."""
    detail_url = url_maker("casefiles:case_detail", inspection.pk, ANY)
    assign_url = url_maker("casefiles:case_assign", inspection.pk, ANY) if assign_links else None
    rows = []
    for case in cases:
        status = case["review__status"]
        rating = case["review__overall_rating"]
        case["url"] = detail_url(case["pk"])
        # A submitted review keeps its reviewer: no link to a change refused.
        offer = assign_url is not None and status != CaseReview.Status.SUBMITTED
        case["assign_url"] = assign_url(case["pk"]) if offer else ""
        submitted = status == CaseReview.Status.SUBMITTED
        case["reviewer"] = _row_reviewer(case, submitted)
        case["recorded"] = govuk_date(case["recorded_on"])
        case["status_tag"] = review_status_tag(status)
        # The rating the figures count: the second reviewer's, where they
        # rated the case differently (found by a review: the list showed the
        # first rating, and disagreed with the figures beside it).
        second = case["review__second_review__rating"]
        case["rating"] = _RATING_LABELS.get(second or rating, rating) if submitted else ""
        case["first_rating"] = (
            _RATING_LABELS.get(rating, rating).lower() if submitted and second else ""
        )
        rows.append(case)
    return rows


def _row_reviewer(case: dict, submitted: bool) -> str:
    """Who submitted a submitted review (CaseReview.first_reviewer), else
    whom the case is assigned to: the lead or an admin who stepped in, on a
    case assigned to someone else or handed back, was not named."""
    if submitted and case["review__submitted_by_id"]:
        return case["review__submitted_by__full_name"]
    return case["reviewer__full_name"] if case["reviewer_id"] else "Not assigned"


def _category_counts(inspection: Inspection) -> list[dict]:
    """Per category: cases in the list, in the sample, and reviews submitted.

    Two queries. The list's 5,000 cases are counted by category id alone
    (joined to their category before grouping, they took twice as long);
    then the categories found are read with their sampled cases, joined on
    the condition of the partial index of sampled cases so that only the 60
    of them are joined to their reviews.
    """
    population = dict(
        Case.objects.filter(inspection=inspection)
        .values("category_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("category_id", "n")
    )
    in_sample = FilteredRelation(
        "cases", condition=Q(cases__inspection=inspection, cases__sample_draw__isnull=False)
    )
    categories = (
        CaseCategory.objects.filter(pk__in=population)
        .annotate(in_sample=in_sample)
        .values("pk", "name", "slug", "position")
        .annotate(
            sampled=Count("in_sample"),
            submitted=Count(
                "in_sample", filter=Q(in_sample__review__status=CaseReview.Status.SUBMITTED)
            ),
            started=Count("in_sample", filter=Q(in_sample__review__isnull=False)),
        )
        .order_by("position", "name")
    )
    return [
        {
            "category__name": category["name"],
            "category__slug": category["slug"],
            "category__position": category["position"],
            "population": population[category["pk"]],
            "sampled": category["sampled"],
            "submitted": category["submitted"],
            "started": category["started"],
        }
        for category in categories
    ]


def overview(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id)
    context = _context(
        inspection,
        "overview",
        figures=services.case_review_figures(inspection),
        case_count=inspection.cases.count(),
        latest_import=inspection.case_list_imports.select_related("stored_file").first(),
        draw=inspection.sample_draws.first(),
        can_edit=_may_work(request.user, inspection),
    )
    return render(request, "casefiles/overview.html", context)


def case_list(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id)
    counts = _category_counts(inspection)
    cases = inspection.cases.select_related("category").order_by("category__position", "reference")
    category = request.GET.get("category", "")
    if category not in {row["category__slug"] for row in counts}:
        category = ""  # only a category on this list; anything else (a NUL byte) shows all
    if category:
        cases = cases.filter(category__slug=category)
    search = CaseSearchForm(request.GET if "reference" in request.GET else None)
    cases = search.filter(cases)
    context = _context(
        inspection,
        "cases",
        search=search,
        counts=counts,
        total=sum(row["population"] for row in counts),
        page=_page(request, cases),
        category=category,
        latest_import=inspection.case_list_imports.select_related("stored_file").first(),
        can_edit=_may_work(request.user, inspection),
        # The list cannot be replaced once the sample is drawn from it.
        sample_drawn=any(row["sampled"] for row in counts),
    )
    return render(request, "casefiles/case_list.html", context)


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id, edit=True)
    if closed := _closed(request, inspection, reverse("casefiles:case_list", args=[inspection.pk])):
        return closed
    if inspection.sample_draws.exists():  # refused anyway: say so before a file is chosen
        message = "The sample has been drawn from the current case list, so it cannot be replaced"
        messages.info(request, message)
        return redirect("casefiles:case_list", inspection.pk)
    form = CaseListUploadForm(*_posted(request, files=True))
    if form.is_valid():
        upload = form.cleaned_data["case_list"]
        try:
            job = services.case_list_import_start(
                inspection=inspection, upload=upload, by=request.user
            )
        except ValidationError as exc:
            if same := _same_import_running(inspection, request.user, upload):
                # A second click, or the back button, while its first import runs.
                messages.info(request, "This case list is already being imported")
                return redirect(same.get_absolute_url())
            form.add_error("case_list", exc)
        else:
            return redirect(job.get_absolute_url())
    context = _context(
        inspection,
        "cases",
        form=form,
        categories=CaseCategory.objects.filter(is_active=True),
        columns=[(COLUMN_LABELS[c], c) for c in TEMPLATE_COLUMNS],
        date_example=DATE_FORMAT_EXAMPLE,
        replacing=inspection.cases.exists(),
    )
    return render(request, "casefiles/import_start.html", context)


def _same_import_running(inspection: Inspection, user, upload):
    """The import still running of this file (its name and size), uploaded by
    this person, or None."""
    return (
        inspection.case_list_imports.running()
        .filter(created_by=user, stored_file__original_name=upload.name)
        .filter(stored_file__size=upload.size)
        .first()
    )


def import_template(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    get_casefiles_inspection(request, inspection_id)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-list-template.csv"'
    return response


def import_status(request: HttpRequest, inspection_id: UUID, import_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id)
    job = get_import(inspection, import_id)
    # The page checks on the import while it runs, unless the user has
    # turned that off (WCAG 2.2.1: a person must be able to stop it).
    refresh = job.is_running and request.GET.get("refresh") != "off"
    context = _context(inspection, "cases", job=job, refresh=refresh)
    return render(request, "casefiles/import_status.html", context)


@require_http_methods(["GET", "POST"])
def sample(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    """The sample, and assigning its cases in bulk (POST)."""
    inspection = get_casefiles_inspection(request, inspection_id, edit=request.method == "POST")
    if request.method == "POST" and (closed := _closed(request, inspection, request.path)):
        return closed
    sampled = inspection.cases.sampled()
    form = AssignCasesForm(
        *_posted(request), cases=sampled, reviewers=_reviewers(inspection), prefix="assign"
    )
    if form.is_valid():
        try:
            assigned, skipped = services.cases_assign(
                inspection=inspection,
                case_ids=[case.pk for case in form.cleaned_data["cases"]],
                reviewer=form.cleaned_data["reviewer"],
                by=request.user,
            )
        except ValidationError as error:  # the stage moved on since the page was drawn
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(request, _assigned_message(form.cleaned_data, assigned, skipped))
        return redirect(f"{request.path}?page={request.GET.get('page', 1)}")
    return fragments.render(
        request,
        "casefiles/sample.html",
        _context(inspection, "sample", form=form),
        body=lambda: _sample_context(request, inspection, form),
    )


def _assigned_message(data: dict, assigned: int, skipped: int) -> str:
    reviewer = data["reviewer"]
    already = max(0, len(data["cases"]) - assigned - skipped)
    if assigned:
        message = f"{assigned} case{pluralize(assigned)} assigned to {reviewer}"
        if already:
            message += f". {already} {pluralize(already, 'was,were')} already theirs"
    elif already:
        verb = pluralize(already, "is,are")
        message = f"The selected case{pluralize(already)} {verb} already assigned to {reviewer}"
    else:
        message = f"No cases assigned to {reviewer}"
    if skipped:
        message += f". {skipped} already reviewed kept their reviewer"
    return message


def _sample_context(request: HttpRequest, inspection: Inspection, form) -> dict:
    counts = _category_counts(inspection)
    sample_total = sum(row["sampled"] for row in counts)
    can_edit = _may_work(request.user, inspection)
    page = _page(request, _case_values(inspection.cases.sampled()), count=sample_total)
    return {
        "counts": counts,
        "population_total": sum(row["population"] for row in counts),
        "sample_total": sample_total,
        "submitted_total": sum(row["submitted"] for row in counts),
        "draws": list(inspection.sample_draws.select_related("drawn_by").only(*SAMPLE_DRAW_FIELDS)),
        "replacements": list(
            CaseReplacement.objects.filter(draw__inspection=inspection).select_related(
                "removed__category", "replacement", "replaced_by"
            )
        ),
        "page": page,
        "cases": _case_rows(inspection, page.object_list, assign_links=can_edit),
        "reviewers": list(form.fields["reviewer"].queryset) if can_edit else [],
        "can_edit": can_edit,
        # Drafts count: the draw is refused once any review has started.
        "reviews_started": any(row["started"] for row in counts),
        # What was ticked and chosen, kept when the form comes back with an error.
        "ticked": set(form.data.getlist("assign-cases")) if form.is_bound else set(),
        "chosen": str(form["reviewer"].value() or ""),
    }


@require_http_methods(["GET", "POST"])
def sample_draw(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id, edit=True)
    if closed := _closed(request, inspection, reverse("casefiles:sample", args=[inspection.pk])):
        return closed
    counts = _category_counts(inspection)
    if any(row["started"] for row in counts):  # refused anyway: say so before the form
        messages.info(request, "Reviews of this sample have started, so it cannot be drawn again")
        return redirect("casefiles:sample", inspection.pk)
    categories = {
        c.slug: c
        for c in CaseCategory.objects.filter(slug__in=[r["category__slug"] for r in counts])
    }
    # What may be drawn: not the cases taken out of the sample
    # (services.population_by_category), counted here from the few
    # replacements, not by joining the list's 5,000 cases on every sample page.
    taken_out = dict(
        CaseReplacement.objects.filter(removed__inspection=inspection)
        .values_list("removed__category__slug")
        .annotate(n=Count("pk"))
        .order_by()
    )
    population = [
        (
            categories[row["category__slug"]],
            row["population"] - taken_out.get(row["category__slug"], 0),
            taken_out.get(row["category__slug"], 0),
        )
        for row in counts
    ]
    draws = list(inspection.sample_draws.select_related("drawn_by")[:1])
    version = services.draw_version(draws[0] if draws else None)
    if draws and request.POST.get("seen", version) != version:
        # Drawn since that page was drawn (a second click, the back button,
        # a colleague): say so, rather than ask why it is drawn again.
        messages.info(request, services.drawn_meanwhile(draws[0]))
        return redirect("casefiles:sample", inspection.pk)
    initial = _draw_sizes(draws[0], population) if draws else {}
    form = SampleDrawForm(
        *_posted(request),
        population=population,
        redraw=bool(draws),
        initial={**initial, "seen": version},
    )
    if form.is_valid():
        try:
            draw = services.sample_draw(
                inspection=inspection,
                sizes=form.sizes(),
                seed=form.cleaned_data["seed"],
                reason=form.cleaned_data.get("reason", ""),
                by=request.user,
                seen=form.cleaned_data["seen"] if "seen" in request.POST else None,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "drawn":  # drawn while this one waited its turn
                messages.info(request, exc.messages[0])
                return redirect("casefiles:sample", inspection.pk)
            add_service_errors(form, exc)
        else:
            cases = f"{draw.sample_count:,} case{pluralize(draw.sample_count)}"
            messages.success(request, f"Sample drawn: {cases}, seed {draw.seed}")
            return redirect("casefiles:sample", inspection.pk)
    context = _context(inspection, "sample", form=form, redraw=bool(draws), has_cases=bool(counts))
    return render(request, "casefiles/sample_draw.html", context)


def _draw_sizes(draw: SampleDraw, population: list[tuple]) -> dict[str, int]:
    """The draw form's sizes, filled in from the last draw's but no more than
    each category can give now: a case taken out with none drawn in its place
    (case_take_out) leaves its category short of the size, which the form
    refused as it was filled in. A category with none left is left empty."""
    can_draw = {category.slug: count for category, count, _ in population}
    sizes = {slug: min(size, can_draw.get(slug, 0)) for slug, size in draw.sizes.items()}
    return {f"size_{slug}": size for slug, size in sizes.items() if size}


@require_http_methods(["GET", "POST"])
def case_assign(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id, edit=True)
    case, elsewhere = _sampled_case(request, inspection, case_id)
    if elsewhere:
        return elsewhere
    if closed := _closed(request, inspection, case.get_absolute_url()):
        return closed
    form = AssignCaseForm(
        *_posted(request),
        reviewers=_reviewers(inspection),
        initial={"reviewer": case.reviewer_id},
    )
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            assigned, _ = services.cases_assign(
                inspection=inspection, case_ids=[case.pk], reviewer=reviewer, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(case.get_absolute_url())
        if assigned or case.reviewer_id == reviewer.pk:
            messages.success(request, f"Case {case.reference} assigned to {reviewer}")
        else:
            messages.info(
                request, f"Case {case.reference} has been reviewed: it keeps its reviewer"
            )
        return redirect("casefiles:sample", inspection.pk)
    return render(
        request, "casefiles/case_assign.html", _context(inspection, "sample", case=case, form=form)
    )


def _replaced(request: HttpRequest, inspection: Inspection, case_id: UUID) -> HttpResponse:
    """A case no longer in the sample: if it was replaced, to the case drawn
    in its place, saying so (a reviewer's bookmark, a second click), or to
    the sample if that case has left it too; else 404."""
    record = (
        CaseReplacement.objects.filter(removed_id=case_id, removed__inspection=inspection)
        .select_related("removed", "replacement")
        .first()
    )
    if record is None:
        raise Http404("No such case")
    taken_out = f"Case {record.removed.reference} was taken out of the sample"
    # None drawn in its place (case_take_out), or drawn again since, or replaced in turn.
    if record.replacement is None or not record.replacement.in_sample:
        messages.info(request, taken_out)
        return redirect("casefiles:sample", inspection.pk)
    messages.info(
        request, f"{taken_out}. Case {record.replacement.reference} was drawn in its place"
    )
    return redirect(record.replacement.get_absolute_url())


def _sampled_case(request: HttpRequest, inspection: Inspection, case_id: UUID):
    """The sampled case, or the response for one replaced (_replaced)."""
    try:
        return get_case(inspection, case_id), None
    except Http404:
        return None, _replaced(request, inspection, case_id)


def _case_to_take_out(request: HttpRequest, inspection_id: UUID, case_id: UUID, *, doing: str):
    """The lead inspector's case to replace or take out alone, with its
    review, or the page to go to instead: the case's replacement (or the
    sample) when it has left the sample, the case when the case files are
    closed or its review is submitted."""
    inspection = get_casefiles_inspection(request, inspection_id, moderate=True)
    case, elsewhere = _sampled_case(request, inspection, case_id)
    if elsewhere:
        return inspection, None, None, elsewhere
    if closed := _closed(request, inspection, case.get_absolute_url()):
        return inspection, case, None, closed
    review = case.review_or_none
    if review is not None and review.is_submitted:
        messages.info(
            request,
            f"The review of case {case.reference} has been submitted, so the case cannot be "
            f"{doing}",
        )
        return inspection, case, review, redirect(case.get_absolute_url())
    return inspection, case, review, None


@require_http_methods(["GET", "POST"])
def case_replace(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    """Take a case out of the sample and draw another in its place: the lead inspector's step."""
    inspection, case, review, elsewhere = _case_to_take_out(
        request, inspection_id, case_id, doing="replaced"
    )
    if elsewhere:
        return elsewhere
    if not services.replacement_available(case):  # offer to take it out alone instead
        context = _context(inspection, "sample", case=case, no_replacement=True)
        context["message"] = services.no_replacement_message(case)
        return render(request, "casefiles/case_replace.html", context)
    form = CaseReplaceForm(*_posted(request))
    if form.is_valid():
        try:
            record = services.case_replace(
                case=case, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "gone":  # replaced while this one waited
                return _replaced(request, inspection, case.pk)
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Case {case.reference} taken out of the sample. "
                f"Case {record.replacement.reference} was drawn in its place",
            )
            return redirect(record.replacement.get_absolute_url())
    context = _context(inspection, "sample", case=case, review=review, form=form)
    return render(request, "casefiles/case_replace.html", context)


@require_http_methods(["GET", "POST"])
def case_take_out(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    """Take a case out of the sample without a replacement, when none can be
    drawn: the lead inspector's step, as replacing is."""
    inspection, case, review, elsewhere = _case_to_take_out(
        request, inspection_id, case_id, doing="taken out of the sample"
    )
    if elsewhere:
        return elsewhere
    if services.replacement_available(case):  # only when none can be drawn in its place
        messages.info(request, services.replaceable_message(case))
        return redirect("casefiles:case_replace", inspection.pk, case.pk)
    form = CaseTakeOutForm(*_posted(request))
    if form.is_valid():
        try:
            _, moved_to = services.case_take_out(
                case=case, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "gone":  # taken out while this one waited
                return _replaced(request, inspection, case.pk)
            if getattr(exc, "code", None) == "replaceable":
                messages.info(request, exc.messages[0])
                return redirect("casefiles:case_replace", inspection.pk, case.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, _taken_out_message(case, moved_to))
            return redirect("casefiles:sample", inspection.pk)
    # What the warning says is left of the category's sample once the case is out.
    remaining = inspection.cases.sampled().filter(category_id=case.category_id).count() - 1
    second_review_to = services.case_for_second_review(case) if case.second_review_due else None
    context = _context(
        inspection,
        "sample",
        case=case,
        review=review,
        form=form,
        remaining=remaining,
        # Which case its second review moves to, if the draw chose it for one
        # and it may be said (services.second_review_said).
        second_review_to=second_review_to
        if services.second_review_said(case, second_review_to)
        else None,
    )
    return render(request, "casefiles/case_take_out.html", context)


def _taken_out_message(case: Case, moved_to: Case | None) -> str:
    left = Case.objects.sampled().filter(inspection_id=case.inspection_id)
    left = left.filter(category_id=case.category_id).count()
    message = (
        f"Case {case.reference} taken out of the sample with no replacement available. "
        f"The sample has {left} case{pluralize(left)} of {services.category_in_words(case)}"
    )
    # Otherwise nothing of the second review (services.second_review_said):
    # where it went is on the admins' audit trail (SECOND_REVIEW_MOVED).
    if services.second_review_said(case, moved_to):
        message += f". Its second review has moved to case {moved_to.reference}"
    return message


def review_list(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id)
    show = request.GET.get("show", "all")
    # A sample of 60 is two pages: a case asked about is found by its
    # reference, as on the case list (found by the case file review).
    search = CaseSearchForm(request.GET if "reference" in request.GET else None)
    return fragments.render(
        request,
        "casefiles/review_list.html",
        _context(inspection, "reviews", show=show, search=search),
        body=lambda: _review_list_context(request, inspection, show, search),
    )


def _review_list_context(
    request: HttpRequest, inspection: Inspection, show: str, search: CaseSearchForm
) -> dict:
    progress = services.review_counts(inspection)
    cases = inspection.cases.sampled()
    count = progress.sampled
    if show == "mine":
        cases = cases.filter(reviewer=request.user)
    searched = search.filter(cases)
    if show == "mine" or searched is not cases:
        cases = searched
        count = cases.count()
    page = _page(request, _case_values(cases), count=count)
    return {
        "page": page,
        "cases": _case_rows(inspection, page.object_list),
        "figures": progress,
    }


def _assessments(review: CaseReview | None) -> list[tuple]:
    """(topic label, assessment or None) in the form's order."""
    found = {}
    if review is not None:
        found = {a.topic: a for a in TopicAssessment.objects.filter(review=review)}
    return [(topic, found.get(topic.value)) for topic in REVIEWED_TOPICS]


def case_detail(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id)
    case, elsewhere = _sampled_case(request, inspection, case_id)
    if elsewhere:
        return elsewhere
    review = case.review_or_none
    second = getattr(review, "second_review", None) if review else None
    context = _context(
        inspection,
        "reviews",
        case=case,
        review=review,
        assessments=_assessments(review),
        second_review=second
        if (second and (second.is_completed or can_moderate(request.user, inspection)))
        else None,
        can_edit=can_edit_review(request.user, inspection, case) and case_files_open(inspection),
        can_assign=_may_work(request.user, inspection),
        can_replace=can_moderate(request.user, inspection) and case_files_open(inspection),
        can_second_review=bool(
            second
            and not second.is_completed
            and can_moderate(request.user, inspection)
            and case_files_open(inspection)
            and review.submitted_by_id != request.user.pk  # it waits for the next lead
        ),
    )
    return render(request, "casefiles/case_detail.html", context)


def _editable_review(request: HttpRequest, inspection_id: UUID, case_id: UUID):
    """The inspection, case and review for a page that changes the review,
    and the response instead for a case taken out of the sample (_replaced).

    403 for anyone but the assigned reviewer, the lead inspector and admins.
    A submitted review is locked: the views send every request for it, a
    second click included, to the case with a message (_locked).
    """
    inspection = get_casefiles_inspection(request, inspection_id)
    case, elsewhere = _sampled_case(request, inspection, case_id)
    if elsewhere:
        return inspection, None, None, elsewhere
    if not can_edit_review(request.user, inspection, case):
        raise PermissionDenied
    return inspection, case, case.review_or_none, None


def _locked(request: HttpRequest, case: Case) -> HttpResponse:
    messages.info(
        request,
        f"The review of case {case.reference} has been submitted and can no longer be changed",
    )
    return redirect(case.get_absolute_url())


@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    inspection, case, review, elsewhere = _editable_review(request, inspection_id, case_id)
    if elsewhere:  # taken out of the sample
        return elsewhere
    if review is not None and review.is_submitted:
        return _locked(request, case)
    if closed := _closed(request, inspection, case.get_absolute_url()):
        return closed
    complete = CaseReviewForm.CONTINUE in request.POST
    initial = {**services.review_answers(review), "seen": services.review_version(review)}
    form = CaseReviewForm(*_posted(request), initial=initial, complete=complete)
    if form.is_valid():
        answers = dict(form.cleaned_data)
        seen = answers.pop("seen") if "seen" in request.POST else None
        try:
            services.case_review_save(case=case, answers=answers, by=request.user, seen=seen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if error.code == "stale":  # saved by someone else: show it as saved
                return redirect("casefiles:review_edit", inspection.pk, case.pk)
            # Since the page was drawn the stage moved on, the sample was drawn
            # again or the case went to another reviewer: the list shows how things are.
            return redirect("casefiles:review_list", inspection.pk)
        if complete:
            return redirect("casefiles:review_check", inspection.pk, case.pk)
        messages.success(request, f"Your review of case {case.reference} has been saved as a draft")
        return redirect("casefiles:review_list", inspection.pk)
    return render(
        request, "casefiles/review_edit.html", _context(inspection, "reviews", case=case, form=form)
    )


@require_http_methods(["GET", "POST"])
def review_check(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    """Check your answers, then submit (POST). A submitted review is locked."""
    inspection, case, review, elsewhere = _editable_review(request, inspection_id, case_id)
    if elsewhere:  # taken out of the sample
        return elsewhere
    if review is None:
        return redirect("casefiles:review_edit", inspection.pk, case.pk)
    if review.is_submitted:
        return _locked(request, case)
    if closed := _closed(request, inspection, case.get_absolute_url()):
        return closed
    if services.review_missing_answers(services.review_answers(review)):
        messages.info(request, "Answer every question before you submit the review")
        return redirect("casefiles:review_edit", inspection.pk, case.pk)
    if request.method == "POST":
        seen = request.POST.get("seen")
        try:
            services.case_review_submit(review=review, by=request.user, seen=seen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if error.code == "stale":  # changed since the page was drawn: check it again
                return redirect("casefiles:review_check", inspection.pk, case.pk)
        else:
            messages.success(request, f"Review of case {case.reference} submitted")
        return redirect(case.get_absolute_url())
    context = _context(
        inspection,
        "reviews",
        case=case,
        review=review,
        seen=services.review_version(review),
        assessments=_assessments(review),
        practice_points=review.practice_point_answers(),
    )
    return render(request, "casefiles/review_check.html", context)


def second_review_list(request: HttpRequest, inspection_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id)
    second_reviews = (
        SecondReview.objects.filter(review__case__inspection=inspection)
        .select_related(
            "review__case__category", "review__case__reviewer", "review__submitted_by", "reviewer"
        )
        .order_by("-status", "review__case__reference")
    )
    context = _context(
        inspection,
        "second_reviews",
        page=_page(request, second_reviews),
        figures=services.case_review_figures(inspection),
        is_lead=can_moderate(request.user, inspection) and case_files_open(inspection),
    )
    return render(request, "casefiles/second_review_list.html", context)


OWN_FIRST_REVIEW = (
    "You wrote the first review of case {reference}, so you cannot second-review it. "
    "It waits for the next lead inspector"
)


def _second_review_done(request: HttpRequest, case: Case) -> HttpResponse:
    """A second click, or a stale tab: it is done, and cannot be redone."""
    messages.info(request, f"The second review of case {case.reference} is already complete")
    return redirect(case.get_absolute_url())


@require_http_methods(["GET", "POST"])
def second_review(request: HttpRequest, inspection_id: UUID, case_id: UUID) -> HttpResponse:
    inspection = get_casefiles_inspection(request, inspection_id, moderate=True)
    case = get_case(inspection, case_id)
    review = case.review_or_none
    second = getattr(review, "second_review", None) if review else None
    if second is None:
        raise Http404("This case has no second review")
    if second.is_completed:
        return _second_review_done(request, case)
    if closed := _closed(request, inspection, case.get_absolute_url()):
        return closed
    if review.submitted_by_id == request.user.pk:
        # Said before the form, not once it is filled in (found by a review:
        # a lead changed to a team member who had reviewed the case).
        messages.info(request, OWN_FIRST_REVIEW.format(reference=case.reference))
        return redirect("casefiles:second_review_list", inspection.pk)
    form = SecondReviewForm(*_posted(request))
    if form.is_valid():
        try:
            services.second_review_complete(
                second_review=second,
                agrees=form.cleaned_data["agrees"],
                rating=form.cleaned_data["rating"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            second.refresh_from_db(fields=["status"])
            if second.is_completed:  # a second click that came in as the first was saved
                return _second_review_done(request, case)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Second review of case {case.reference} saved")
            return redirect("casefiles:second_review_list", inspection.pk)
    context = _context(
        inspection,
        "second_reviews",
        case=case,
        review=review,
        assessments=_assessments(review),
        form=form,
    )
    return render(request, "casefiles/second_review.html", context)


def category_list(request: HttpRequest) -> HttpResponse:
    require_categories_access(request)
    # The order people set (Meta.ordering is dropped once the count groups rows).
    categories = CaseCategory.objects.annotate(case_count=Count("cases")).order_by(
        "position", "name"
    )
    return render(request, "casefiles/category_list.html", {"categories": categories})


@require_http_methods(["GET", "POST"])
def category_add(request: HttpRequest) -> HttpResponse:
    require_categories_access(request, edit=True)
    form = CaseCategoryForm(*_posted(request))
    if form.is_valid():
        try:
            category = services.case_category_create(
                name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as exc:  # the same name added at the same moment
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Category ‘{category.name}’ added")
            return redirect("casefiles:category_list")
    return render(request, "casefiles/category_form.html", {"form": form, "category": None})


def _category_now(category) -> str:
    category.refresh_from_db()
    return row_version(category)


@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, category_id: UUID) -> HttpResponse:
    category = get_category(request, category_id)
    form = CaseCategoryForm(
        *_posted(request),
        category=category,
        initial={
            "name": category.name,
            "is_active": category.is_active,
            "seen": row_version(category),
        },
    )
    if form.is_valid():
        try:
            services.case_category_update(
                category=category,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                by=request.user,
                seen=form.cleaned_data["seen"] or None,
            )
        except ValidationError as exc:  # the same name saved meanwhile, or a stale page
            add_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":  # what was typed stays, to save over theirs
                form.data = form.data.copy()
                form.data["seen"] = _category_now(category)
        else:
            messages.success(request, f"Category ‘{category.name}’ saved")
            return redirect(reverse("casefiles:category_list"))
    return render(request, "casefiles/category_form.html", {"form": form, "category": category})
