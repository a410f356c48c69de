"""Case file review workflows: import the case list, draw the sample, assign,
review, submit, second-review. Each writes the audit trail.

The figures behind each grade are read by casefiles.selectors and re-exported
here: case_review_figures(inspection), figures_by_topic(inspection),
review_progress(inspection) and review_counts(inspection).
"""

import csv
import io
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from actionplans.notices import case_taken_out_notices
from core import audit, fragments, uploads
from core.stale import refuse_if_stale, row_version
from inspections.models import Inspection

from .access import EDITABLE_STAGES, case_files_open
from .caselist import NO_ROWS_MESSAGE, CaseListError, RowChecker, check_headings, read_rows
from .models import (
    NOT_RELEVANT,
    PRACTICE_POINTS,
    REVIEWED_TOPICS,
    Case,
    CaseCategory,
    CaseListImport,
    CaseRating,
    CaseReplacement,
    CaseReview,
    SampleDraw,
    SecondReview,
    TopicAssessment,
)
from .sampling import (
    choose_case_for_second_review,
    choose_replacement,
    choose_second_reviews,
    draw_stratified_sample,
    new_seed,
)
from .selectors import case_review_figures, figures_by_topic, review_counts, review_progress

logger = logging.getLogger(__name__)

__all__ = [
    "case_category_create",
    "case_category_update",
    "case_list_import_run",
    "case_list_import_start",
    "case_review_figures",
    "case_review_save",
    "case_review_submit",
    "cases_assign",
    "cases_hand_back",
    "cases_to_hand_back",
    "inspections_with_cases_assigned",
    "draw_version",
    "drawn_meanwhile",
    "figures_by_topic",
    "review_counts",
    "review_missing_answers",
    "review_progress",
    "sample_draw",
    "second_review_complete",
]

# A 100,000-row case list is about 7MB.
CASE_LIST_MAX_BYTES = 50 * 1024 * 1024
# Rows per INSERT, and rows between progress updates on the import row.
INSERT_BATCH = 5_000
PROGRESS_EVERY = 10_000


def _audit(*, by, action: str, obj, inspection: Inspection | None, **kwargs) -> None:
    audit.record(
        by=by,
        action=action,
        obj=obj,
        force=inspection.force if inspection else None,
        inspection_id=inspection.pk if inspection else None,
        **kwargs,
    )


def _chunks(items: list, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _require_open(inspection_id) -> Inspection:
    """Refuse case file work once the inspection has moved past moderation
    (access.case_files_open). Must run inside the work's transaction: the
    inspection's row is locked (the one lock the import, the draw and the
    inspection services take), so a stage change, a new team or a new sample
    commits either before this reads the row (and the work is checked
    against it) or after the work commits. Returns the row as locked."""
    inspection = (
        Inspection.objects.select_for_update(no_key=True)
        .only("stage", "lead_inspector_id")
        .get(pk=inspection_id)
    )
    if not case_files_open(inspection):
        raise ValidationError(closed_message(inspection))
    return inspection


def closed_message(inspection: Inspection) -> str:
    return (
        "Case files can no longer be changed: the inspection is at the "
        f"‘{inspection.get_stage_display()}’ stage"
    )


# ---------------------------------------------------------------- categories

DUPLICATE_CATEGORY = "A category with this name already exists"


@transaction.atomic
def case_category_create(*, name: str, by) -> CaseCategory:
    """Add a category at the end of the list. Its slug is made once, here."""
    base = slugify(name)[:50] or "category"
    slug, n = base, 1
    while CaseCategory.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    last = CaseCategory.objects.order_by("-position").first()
    try:
        with transaction.atomic():
            category = CaseCategory.objects.create(
                name=name, slug=slug, position=(last.position + 1) if last else 1
            )
    except IntegrityError:
        # Someone added the same name (or slug) between the form's check and now.
        raise ValidationError({"name": DUPLICATE_CATEGORY}) from None
    audit.record(
        by=by, action="case_category.created", obj=category, changes={"name": [None, name]}
    )
    return category


STALE_CATEGORY = (
    "Someone else changed this category after you opened it, so your changes have not been "
    "saved. It is now called ‘{name}’ and is {accepted}accepted in new case lists. Save "
    "again to replace their changes with yours"
)


def case_category_update(
    *, category: CaseCategory, name: str, is_active: bool, by, seen: str | None = None
) -> None:
    """Rename a category, or stop or start accepting it in new case lists.
    `seen` is row_version() as the page showed it: another admin's change
    since is not undone unseen (found by the stale-page review: a rename from
    a page drawn before another admin retired it brought it back)."""
    try:
        with transaction.atomic():
            current = CaseCategory.objects.select_for_update().get(pk=category.pk)
            before = audit.snapshot(current, ["name", "is_active"])
            changes = audit.diff(before, {"name": name, "is_active": is_active})
            if not changes:
                return  # a second click on Save too, not a stale page
            message = STALE_CATEGORY.format(
                name=current.name, accepted="" if current.is_active else "not "
            )
            refuse_if_stale(seen, row_version(current), message)
            category.name, category.is_active = name, is_active
            category.save(update_fields=["name", "is_active", "updated_at"])
            audit.record(by=by, action="case_category.changed", obj=category, changes=changes)
    except IntegrityError:
        raise ValidationError({"name": DUPLICATE_CATEGORY}) from None


# ------------------------------------------------------------------- import


def _estimate_rows(upload) -> int:
    """Rows in the file judged by its line count, for progress until the
    first pass has counted them properly (a quoted field may hold a newline)."""
    newlines, returns, last = 0, 0, b""
    for chunk in upload.chunks():
        newlines += chunk.count(b"\n")
        returns += chunk.count(b"\r")
        last = chunk[-1:] or last
    upload.seek(0)
    lines = max(newlines, returns)  # a file from an old Mac ends its lines with \r alone
    if last and last not in (b"\n", b"\r"):
        lines += 1
    return max(0, lines - 1)


def _import_blockers(inspection: Inspection) -> str:
    if inspection.sample_draws.exists():
        return (
            "The sample has been drawn from the current case list, so the list cannot be replaced"
        )
    if inspection.case_list_imports.running().exists():
        return "A case list is already being imported: wait for it to finish"
    return ""


@transaction.atomic
def case_list_import_start(*, inspection: Inspection, upload, by) -> CaseListImport:
    """Store the uploaded case list (checked by core.uploads) and queue its import.

    The import replaces any earlier case list; it is refused once a sample has
    been drawn. The task starts only after this transaction commits.
    """
    _require_open(inspection.pk)
    blocker = _import_blockers(inspection)
    if blocker:
        raise ValidationError(blocker)
    estimate = _estimate_rows(upload)
    # Not served: the import reads it and no one downloads it, so its cells
    # are the import's to judge (a quote mark never closed is named by row
    # there), and a formula in one is only ever a value in the database.
    stored = uploads.store_upload(
        upload, by=by, kinds=["csv"], max_bytes=CASE_LIST_MAX_BYTES, served=False
    )
    job = CaseListImport.objects.create(
        inspection=inspection, stored_file=stored, created_by=by, total_rows=estimate
    )
    _audit(
        by=by,
        action="case_list.import_started",
        obj=job,
        inspection=inspection,
        changes={"file": [None, stored.original_name]},
    )
    transaction.on_commit(lambda: _queue(job), robust=True)
    return job


def _queue(job: CaseListImport) -> None:
    """Queue the import. A broker that refuses it stops the import at once:
    it said "Waiting to start", and refused another upload, until
    STOPPED_AFTER, with no worker ever told of it (found by the on-call review)."""
    from .tasks import import_case_list

    try:
        import_case_list.delay(str(job.pk))
    except Exception:
        logger.exception("Case list import %s could not be queued", job.pk)
        _stop(job)


def _category_lookup() -> dict[str, Any]:
    """Each accepted spelling of an active category (name or slug) -> its id."""
    lookup: dict[str, Any] = {}
    for pk, name, slug in CaseCategory.objects.filter(is_active=True).values_list(
        "pk", "name", "slug"
    ):
        lookup[name.lower()] = pk
        lookup[slug.lower()] = pk
    return lookup


def _set_progress(job: CaseListImport, **fields) -> None:
    for field, value in fields.items():
        setattr(job, field, value)
    CaseListImport.objects.filter(pk=job.pk).update(**fields)


@transaction.atomic  # the status and its audit row together, or neither
def _fail(job: CaseListImport, errors: list[str], error_count: int) -> CaseListImport:
    _set_progress(
        job,
        status=CaseListImport.Status.FAILED,
        errors=errors[: CaseListImport.MAX_ERRORS],
        error_count=max(error_count, len(errors)),
        finished_at=timezone.now(),
    )
    _audit(
        by=job.created_by,
        action="case_list.import_failed",
        obj=job,
        inspection=job.inspection,
        changes={"errors": [None, job.error_count]},
    )
    return job


class _SideProgress:
    """Writes progress on a connection of its own while the rows are saved.

    The rows go in inside one transaction, which no one else can see until it
    commits, so progress written on the same connection would stay hidden
    until the end. PostgreSQL lets a second connection commit beside it.
    SQLite has one writer at a time, so there the page shows the phase only.
    The main transaction must not touch the import row until this is closed,
    or the two would wait on each other.
    """

    def __init__(self, job: CaseListImport):
        self.job = job
        self.conn = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connection.vendor == "postgresql"
            else None
        )

    def write(self, rows_done: int) -> None:
        self.job.rows_done = rows_done
        if self.conn is None:
            return
        with self.conn.cursor() as cursor:
            cursor.execute(
                # The table name is our own model's, not input; the values are parameters.
                f"UPDATE {CaseListImport._meta.db_table} SET rows_done = %s WHERE id = %s",  # noqa: S608  # nosec B608
                [rows_done, str(self.job.pk)],
            )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _check_file(job: CaseListImport, lookup: dict) -> tuple[int, list[str], int]:
    """First pass: read every row; return (rows, first errors, error count)."""
    errors: list[str] = []
    error_count = rows = 0
    checker = RowChecker(lookup, today=timezone.localdate())
    try:
        with (
            default_storage.open(job.stored_file.storage_name, "rb") as binary,
            closing(read_rows(binary)) as reader,
        ):
            _, headings = next(reader)
            _, heading_errors = check_headings(headings)
            if heading_errors:
                return 0, heading_errors, len(heading_errors)
            for line, values in reader:
                rows += 1
                _, row_errors = checker.check(line, values)
                if row_errors:
                    error_count += len(row_errors)
                    if len(errors) < CaseListImport.MAX_ERRORS:
                        errors.extend(row_errors)
                if rows % PROGRESS_EVERY == 0:
                    _set_progress(job, rows_done=rows, total_rows=max(rows, job.total_rows))
    except CaseListError as exc:
        return rows, [*errors, str(exc)], error_count + 1
    if rows == 0 and not errors:
        return 0, [NO_ROWS_MESSAGE], 1
    return rows, errors, error_count


def _parsed_rows(job: CaseListImport, lookup: dict) -> Iterator:
    # Checked already: parse again rather than keep 100,000 rows in memory.
    checker = RowChecker(lookup, today=timezone.localdate(), track_duplicates=False)
    with (
        default_storage.open(job.stored_file.storage_name, "rb") as binary,
        closing(read_rows(binary)) as reader,
    ):
        next(reader)
        for line, values in reader:
            row, errors = checker.check(line, values)
            if errors:
                raise CaseListError(errors[0])
            yield row


class _CaseInserter:
    """Inserts imported cases many rows to a statement, without building a
    model instance per row: at 100,000 rows, bulk_create's per-instance work
    was most of the import's time. Values are prepared by each field's own
    get_db_prep_save, so they match what the ORM would write on any backend;
    the few values that repeat (the inspection, categories, dates, the time)
    are prepared once.
    """

    COLUMNS = [
        "id", "created_at", "updated_at", "inspection", "reference", "category",
        "recorded_on", "area", "sample_draw", "reviewer", "second_review_due",
    ]  # fmt: skip
    ROWS_PER_STATEMENT = 500

    def __init__(self, inspection_id):
        self.fields = [Case._meta.get_field(name) for name in self.COLUMNS]
        self.prepare = {f.name: f.get_db_prep_save for f in self.fields}
        now = timezone.now()
        self.constant = {
            "created_at": self.prepare["created_at"](now, connection),
            "updated_at": self.prepare["updated_at"](now, connection),
            "inspection": self.prepare["inspection"](inspection_id, connection),
            "sample_draw": None,
            "reviewer": None,
            "second_review_due": self.prepare["second_review_due"](False, connection),
        }
        self.cache: dict[tuple[str, object], object] = {}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.sql_prefix = (
            # Table and column names are our own model's; the values are parameters.
            f"INSERT INTO {connection.ops.quote_name(Case._meta.db_table)} ({columns}) VALUES "  # noqa: S608  # nosec B608
        )
        self.row_placeholder = "(" + ", ".join(["%s"] * len(self.fields)) + ")"

    def _cached(self, name: str, value):
        key = (name, value)
        if key not in self.cache:
            self.cache[key] = self.prepare[name](value, connection)
        return self.cache[key]

    def values(self, row) -> list:
        return [
            self.prepare["id"](uuid.uuid4(), connection),
            self.constant["created_at"],
            self.constant["updated_at"],
            self.constant["inspection"],
            row.reference,
            self._cached("category", row.category_id),
            self._cached("recorded_on", row.recorded_on),
            row.area,
            None,
            None,
            self.constant["second_review_due"],
        ]

    def insert(self, rows: list) -> None:
        if connection.vendor == "postgresql":
            self._copy(rows)
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.ROWS_PER_STATEMENT):
                chunk = rows[start : start + self.ROWS_PER_STATEMENT]
                sql = self.sql_prefix + ", ".join([self.row_placeholder] * len(chunk))
                cursor.execute(sql, [value for row in chunk for value in self.values(row)])

    def _copy(self, rows: list) -> None:
        """PostgreSQL's COPY: several times faster than INSERT for a big batch."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        now = self.constant["created_at"].isoformat()
        inspection, no = str(self.constant["inspection"]), "f"
        for row in rows:
            writer.writerow(
                [
                    uuid.uuid4(),
                    now,
                    now,
                    inspection,
                    row.reference,
                    row.category_id,
                    row.recorded_on.isoformat(),
                    row.area,
                    no,
                ]  # fmt: skip
            )
        buffer.seek(0)
        columns = [f.column for f in self.fields if f.name not in ("sample_draw", "reviewer")]
        # FORCE_NOT_NULL: an empty area is an empty string, not NULL.
        sql = (
            f"COPY {connection.ops.quote_name(Case._meta.db_table)} ({', '.join(columns)}) "
            "FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (area))"
        )
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, buffer)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(buffer.getvalue())
        fragments.copied(connection)  # COPY goes around the write watch


def _save_cases(job: CaseListImport, lookup: dict, total: int) -> None:
    """Second pass: replace the case list in one transaction, in batches."""
    progress = _SideProgress(job)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Commit without waiting for the log to reach disk: a crash in
                # that instant loses the whole import, never half of it, and
                # the task can be run again.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            inspection = Inspection.objects.select_for_update(no_key=True).get(pk=job.inspection_id)
            if not case_files_open(inspection):  # started before the report went out
                raise CaseListError(closed_message(inspection))
            if inspection.sample_draws.exists():
                raise CaseListError(_import_blockers(inspection))
            replaced = Case.objects.filter(inspection=inspection).count()
            Case.objects.filter(inspection=inspection).delete()
            inserter = _CaseInserter(inspection.pk)
            batch: list = []
            done = 0
            for row in _parsed_rows(job, lookup):
                batch.append(row)
                if len(batch) >= INSERT_BATCH:
                    inserter.insert(batch)
                    done += len(batch)
                    batch.clear()
                    if done % PROGRESS_EVERY < INSERT_BATCH:
                        progress.write(done)
            inserter.insert(batch)
            progress.close()
            _set_progress(
                job,
                status=CaseListImport.Status.COMPLETED,
                rows_done=total,
                total_rows=total,
                finished_at=timezone.now(),
            )
            _audit(
                by=job.created_by,
                action="case_list.imported",
                obj=job,
                inspection=inspection,
                changes={"cases": [replaced, total]},
            )
    finally:
        progress.close()


def case_list_import_run(*, import_id) -> CaseListImport:
    """Check the whole file, then save it all or nothing. Safe to run twice:
    a finished import is left alone, and a half-done one starts again."""
    job = CaseListImport.objects.select_related(
        "inspection__force", "stored_file", "created_by"
    ).get(pk=import_id)
    if not job.is_running:
        return job
    try:
        lookup = _category_lookup()
        _set_progress(job, status=CaseListImport.Status.CHECKING, rows_done=0)
        rows, errors, error_count = _check_file(job, lookup)
        if errors:
            return _fail(job, errors, error_count)
        _set_progress(job, status=CaseListImport.Status.SAVING, rows_done=0, total_rows=rows)
        try:
            _save_cases(job, lookup, rows)
        except CaseListError as exc:
            return _fail(job, [str(exc)], 1)
    except Exception:
        # Not the file's fault (storage, the database, the time limit): say
        # so, and free the inspection for another upload, rather than leave
        # the import "running" for ever. Nothing was saved: the rows go in
        # in one transaction.
        logger.exception("Case list import %s stopped", job.pk)
        _stop(job)
    return job


@transaction.atomic  # the status and its audit row together
def _stop(job: CaseListImport) -> None:
    _set_progress(job, status=CaseListImport.Status.STOPPED, finished_at=timezone.now())
    # By the service, not the person who uploaded the file: a fault of its
    # own stopped the import (found by the audit completeness review).
    _audit(by=None, action="case_list.import_stopped", obj=job, inspection=job.inspection)


# ------------------------------------------------------------------- sample


def population_by_category(inspection: Inspection) -> dict[str, list[str]]:
    """Category slug -> the references of its cases that may be drawn: not
    those taken out of an earlier sample (case_replace). One query."""
    population: dict[str, list[str]] = {}
    cases = Case.objects.filter(inspection=inspection, replaced__isnull=True)
    for slug, reference in cases.values_list("category__slug", "reference"):
        population.setdefault(slug, []).append(reference)
    return population


def _check_sizes_fit(population: dict[str, list[str]], sizes: dict[str, int]) -> None:
    """Refuse a size larger than its category's cases, in the sample form's
    own words (found by the words review: the sampler's "missing-children:
    cannot draw 9 from 3" reached the page when the list changed meanwhile)."""
    for slug, size in sizes.items():
        count = len(population.get(slug, ()))
        if 0 <= size <= count:
            continue
        category = CaseCategory.objects.filter(slug=slug).first()
        name = category.name if category else slug
        name = name[0].lower() + name[1:]
        if size < 0:
            message = f"The sample size for {name} must be 0 or more"
        elif not count:
            message = f"The case list has no cases of {name}: leave its sample size empty"
        else:
            message = (
                f"The sample size for {name} must be {count:,} or fewer: the list has "
                f"{count:,} case{'s' if count != 1 else ''} in that category"
            )
        raise ValidationError(message)


def _draw_blockers(inspection: Inspection) -> str:
    if CaseReview.objects.filter(case__inspection=inspection).exists():
        return "You cannot draw the sample again: reviews of the current sample have started"
    if inspection.case_list_imports.running().exists():
        return "Wait for the case list import to finish before you draw the sample"
    return ""


def draw_version(draw: SampleDraw | None) -> str:
    """What the draw page carries back (as "seen"): the number of the draw it
    showed as the latest, "" for none."""
    return str(draw.number) if draw is not None else ""


def drawn_meanwhile(draw: SampleDraw) -> str:
    """Why a draw from a page drawn before `draw` was made is not made."""
    return (
        f"The sample was drawn by {draw.drawn_by.full_name} after you opened that page: "
        f"{draw.sample_count} cases, seed {draw.seed}. This is the sample now. "
        "Draw it again only if you still mean to"
    )


@transaction.atomic
def sample_draw(
    *,
    inspection: Inspection,
    sizes: dict[str, int],
    seed: int | None,
    reason: str,
    by,
    seen: str | None = None,
) -> SampleDraw:
    """Draw the stratified random sample, sizes per category slug.

    A redraw needs a reason and is refused once any review has started. Each
    draw is kept as a SampleDraw row with its seed, so it can be repeated.

    `seen` is draw_version() as the page showed it: a draw made since (a
    second click, another tab, a colleague) is not followed by another, which
    would replace the sample again (code "drawn")."""
    _require_open(inspection.pk)
    previous = inspection.sample_draws.select_related("drawn_by").first()
    if previous is not None and seen is not None and seen != draw_version(previous):
        raise ValidationError(drawn_meanwhile(previous), code="drawn")
    if previous and not reason.strip():
        raise ValidationError({"reason": "Enter why you are drawing the sample again"})
    blocker = _draw_blockers(inspection)
    if blocker:
        raise ValidationError(blocker)
    population = population_by_category(inspection)
    sizes = {slug: size for slug, size in sizes.items() if size}
    if not sizes:
        raise ValidationError("Enter a sample size for at least one category")
    seed = seed or new_seed()
    _check_sizes_fit(population, sizes)
    chosen = draw_stratified_sample(population, sizes, seed)
    references = [reference for refs in chosen.values() for reference in refs]
    second = choose_second_reviews(
        references, settings.PROGRAMME_RULES["SECOND_REVIEW_SHARE"], seed
    )
    draw = SampleDraw.objects.create(
        inspection=inspection,
        number=previous.number + 1 if previous else 1,
        seed=seed,
        sizes=sizes,
        population={slug: len(refs) for slug, refs in population.items()},
        sample_count=len(references),
        second_review_count=len(second),
        reason=reason.strip(),
        drawn_by=by,
    )
    cases = Case.objects.filter(inspection=inspection)
    # Whom the old sample's cases were with, each assignment on the trail:
    # the update below undoes them all (found by the audit review).
    held = (
        cases.exclude(reviewer=None)
        .order_by("reviewer__full_name", "reviewer__email")
        .values_list("reviewer__full_name", "reviewer__email")
        .annotate(count=Count("pk"))
    )
    assignments = "; ".join(
        f"{name} ({email}): {count} case{'s' if count != 1 else ''}" for name, email, count in held
    )
    cases.exclude(sample_draw=None).update(sample_draw=None, reviewer=None, second_review_due=False)
    for chunk in _chunks(references, 500):
        cases.filter(reference__in=chunk).update(sample_draw=draw)
    for chunk in _chunks(sorted(second), 500):
        cases.filter(reference__in=chunk).update(second_review_due=True)
    _audit(
        by=by,
        action="sample.redrawn" if previous else "sample.drawn",
        obj=draw,
        inspection=inspection,
        changes={
            "sample_count": [previous.sample_count if previous else None, len(references)],
            "seed": [previous.seed if previous else None, seed],
            **({"reviewers": [assignments, None]} if assignments else {}),
        },
        comment=draw.reason,
    )
    return draw


REPLACE_NO_REASON = "Enter why you are replacing this case"
TAKE_OUT_NO_REASON = "Enter why you are taking this case out of the sample"


def _replacement_candidates(case: Case):
    """The cases that may be drawn in place of `case`: its category's cases
    on the list neither in the sample nor taken out of it."""
    return Case.objects.filter(
        inspection_id=case.inspection_id,
        category_id=case.category_id,
        sample_draw=None,
        replaced__isnull=True,
    ).exclude(pk=case.pk)


def replacement_available(case: Case) -> bool:
    """Whether another case can be drawn in place of `case` (case_replace).
    Only when none can is the case taken out alone (case_take_out)."""
    return _replacement_candidates(case).exists()


def category_in_words(case: Case) -> str:
    """The case's category as a sentence says it: "a case of missing children"."""
    name = case.category.name
    return name[0].lower() + name[1:]


def no_replacement_message(case: Case) -> str:
    return (
        f"There is no other case of {category_in_words(case)} on the case list to replace it with"
    )


def replaceable_message(case: Case) -> str:
    return (
        f"Another case of {category_in_words(case)} can be drawn in place of case "
        f"{case.reference}, so replace it instead"
    )


def _leaving_the_sample(case: Case, *, reason: str, no_reason: str, doing: str):
    """What replacing a case and taking it out alone first check, in this
    order: the case files open (the inspection's lock), a reason given, the
    case locked and still in the sample (code "gone"), its review not
    submitted. Returns the inspection, the locked case, its review (or
    None) and the reason as kept."""
    inspection = _require_open(case.inspection_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": no_reason})
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "reviewer", "sample_draw")
        .get(pk=case.pk)
    )
    if case.sample_draw_id is None:
        raise ValidationError(f"Case {case.reference} is no longer in the sample", code="gone")
    review = CaseReview.objects.filter(case=case).first()
    if review is not None and review.is_submitted:
        raise ValidationError(
            f"The review of case {case.reference} has been submitted, so the case cannot be "
            f"{doing}: its review is part of the figures"
        )
    return inspection, case, review, reason


@transaction.atomic
def case_replace(*, case: Case, reason: str, by) -> CaseReplacement:
    """Take a case out of the sample and draw another of its category in its place.

    The lead inspector's step, while case files are open, for a case whose
    review has not been submitted: a submitted review is in the figures. The
    case drawn in its place (sampling.choose_replacement) takes over its
    reviewer and whether it goes to a second review, so the sample keeps its
    size in each category and its share of second reviews. A draft review of
    the case taken out is deleted, and the trail says so. The case is never
    drawn again (population_by_category). Refused with code "gone" when the
    case is no longer in the sample (replaced meanwhile, or drawn again).
    Its reviewer, unless the lead acting, is told in the service and by
    email, of the case they review now and of their draft deleted
    (_tell_the_reviewer)."""
    inspection, case, review, reason = _leaving_the_sample(
        case, reason=reason, no_reason=REPLACE_NO_REASON, doing="replaced"
    )
    candidates = _replacement_candidates(case)
    chosen = choose_replacement(
        list(candidates.values_list("reference", flat=True)), case.sample_draw.seed, case.reference
    )
    if chosen is None:
        raise ValidationError(no_replacement_message(case))
    replacement = candidates.select_for_update(of=("self",)).get(reference=chosen)
    replacement.sample_draw = case.sample_draw
    reviewer = case.reviewer
    replacement.reviewer_id = case.reviewer_id
    replacement.second_review_due = case.second_review_due
    replacement.save(update_fields=["sample_draw", "reviewer", "second_review_due", "updated_at"])
    case.sample_draw = None
    case.reviewer = None
    case.second_review_due = False
    case.save(update_fields=["sample_draw", "reviewer", "second_review_due", "updated_at"])
    if review is not None:
        review.delete()
    record = CaseReplacement.objects.create(
        draw_id=replacement.sample_draw_id,
        removed=case,
        replacement=replacement,
        reason=reason,
        replaced_by=by,
    )
    _audit(
        by=by,
        action="sample.case_replaced",
        obj=record,
        inspection=inspection,
        changes={
            "case": [case.reference, replacement.reference],
            **({"draft_review": ["deleted", None]} if review is not None else {}),
        },
        comment=reason,
    )
    if replacement.reviewer_id:
        # The reviewer goes with the replacement: an assignment, on the trail
        # as every other one is (cases_assign).
        _audit(
            by=by,
            action="case.assigned",
            obj=replacement,
            inspection=inspection,
            changes=audit.diff({"reviewer": None}, {"reviewer": replacement.reviewer}),
            comment=f"Drawn in place of case {case.reference}",
        )
    _tell_the_reviewer(
        case=case, reviewer=reviewer, by=by, reason=reason, review=review, replacement=replacement
    )
    return record


# The event saying where the second review of a case taken out went (another
# case, or none) before that case's review is in: on the audit trail
# (admins'), never in the inspection's history (the team's).
SECOND_REVIEW_MOVED = "case.second_review_moved"


def case_for_second_review(case: Case) -> Case | None:
    """The case that takes over the second review of `case` as it is taken
    out of the sample with none drawn in its place (case_take_out): a case
    still in the sample and not due one, of its category first
    (sampling.choose_case_for_second_review). None when every other case in
    the sample goes to one already. Its review may have been submitted: its
    second review is then made at once (case_take_out). Two queries."""
    candidates = (
        Case.objects.sampled()
        .filter(inspection_id=case.inspection_id, second_review_due=False)
        # Not due, so none should have a second review; one made some other
        # way (the admin site) would be a second one, which the database refuses.
        .filter(review__second_review__isnull=True)
        .exclude(pk=case.pk)
    )
    rows = list(candidates.values_list("reference", "category_id"))
    chosen = choose_case_for_second_review(
        [reference for reference, category in rows if category == case.category_id],
        [reference for reference, category in rows if category != case.category_id],
        case.sample_draw.seed,
        case.reference,
    )
    if chosen is None:
        return None
    submitted = CaseReview.objects.filter(case=OuterRef("pk"), status=CaseReview.Status.SUBMITTED)
    return (
        candidates.select_related("category")
        .annotate(review_in=Exists(submitted))
        .get(reference=chosen)
    )


def second_review_said(case: Case, moved_to: Case | None) -> bool:
    """Whether the case the second review of `case` moved to may be said
    where the team or the lead reads (the inspection's history, the take-out
    page and its message): only a case of its category whose review is in.
    Anything else would say which cases go to a second review before their
    reviews are in: "another case", a case of another category or none,
    said of a category small enough to have no case to draw, names the
    cases left in it (found by the day's review)."""
    return moved_to is not None and moved_to.review_in and moved_to.category_id == case.category_id


def _second_review_move(*, case: Case, inspection: Inspection) -> Case | None:
    """Give the second review of `case`, which leaves the sample with none
    drawn in its place, to another case (case_for_second_review), so the
    sample keeps the second reviews the draw chose (ceil(share × n) of the
    sample, sampling.choose_second_reviews). A
    second review is made as a review is submitted (case_review_submit):
    moved to a review submitted already, it is made here, for the lead
    inspector, as it would have been then, or it would never be."""
    chosen = case_for_second_review(case)
    if chosen is None:
        return None
    chosen = (
        Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=chosen.pk)
    )
    chosen.second_review_due = True
    chosen.save(update_fields=["second_review_due", "updated_at"])
    submitted = CaseReview.objects.filter(case=chosen, status=CaseReview.Status.SUBMITTED)
    if review := submitted.first():
        SecondReview.objects.create(review=review, reviewer_id=inspection.lead_inspector_id)
    chosen.review_in = review is not None
    return chosen


@transaction.atomic
def case_take_out(*, case: Case, reason: str, by) -> tuple[CaseReplacement, Case | None]:
    """Take a case out of the sample without a replacement: the sample has
    one case fewer in its category.

    Only when no case can be drawn in its place (replacement_available):
    otherwise the case is replaced (case_replace), so the sample keeps its
    size, and this is refused with code "replaceable". As case_replace
    otherwise: the lead inspector's step while case files are open, refused
    once the case's review is submitted, a draft review deleted with the
    trail saying so, the case never drawn again, and code "gone" when the
    case is no longer in the sample. The case's second review, if the draw
    chose it for one, moves to another case still in the sample
    (_second_review_move), or, when every other goes to one already, goes
    with it. Its reviewer, unless the lead acting, is told, as for
    case_replace (never of the second review).

    Returns the record and the case that now goes to its second review
    (None when it had none, or no case could take it)."""
    inspection, case, review, reason = _leaving_the_sample(
        case, reason=reason, no_reason=TAKE_OUT_NO_REASON, doing="taken out of the sample"
    )
    if replacement_available(case):
        raise ValidationError(replaceable_message(case), code="replaceable")
    draw_id, reviewer, second_review_due = (
        case.sample_draw_id,
        case.reviewer,
        case.second_review_due,
    )
    moved_to = _second_review_move(case=case, inspection=inspection) if second_review_due else None
    case.sample_draw = None
    case.reviewer = None
    case.second_review_due = False
    case.save(update_fields=["sample_draw", "reviewer", "second_review_due", "updated_at"])
    if review is not None:
        review.delete()
    record = CaseReplacement.objects.create(
        draw_id=draw_id, removed=case, replacement=None, reason=reason, replaced_by=by
    )
    # Which case a second review goes to is shown only once its review is
    # in (Case.second_review_due), or its reviewer would know. The
    # inspection's history, which the team reads, does not even say the case
    # taken out was due one unless second_review_said: it is taken out alone
    # only when every case of its category is in the sample, so the category
    # is small, and its second review goes to one of them first (or, when
    # every other case goes to one already, to another category's, or with
    # it); with two cases of the category, the one left is due a second
    # review whichever happened (found by the day's review). An event of its
    # own, left out of that history, says where it went.
    said = second_review_said(case, moved_to)
    second_review = {"second_review": [case.reference, moved_to.reference]} if said else {}
    if second_review_due and not said:
        _audit(
            by=by,
            action=SECOND_REVIEW_MOVED,
            obj=moved_to or record,
            inspection=inspection,
            changes={"second_review": [case.reference, moved_to and moved_to.reference]},
        )
    _audit(
        by=by,
        action="sample.case_taken_out",
        obj=record,
        inspection=inspection,
        changes={
            "case": [case.reference, None],
            **audit.diff({"reviewer": reviewer}, {"reviewer": None}),
            **({"draft_review": ["deleted", None]} if review is not None else {}),
            **second_review,
        },
        comment=reason,
    )
    _tell_the_reviewer(case=case, reviewer=reviewer, by=by, reason=reason, review=review)
    return record, moved_to


def _tell_the_reviewer(*, case: Case, reviewer, by, reason: str, review, replacement=None):
    """The case's reviewer is told it is no longer theirs, and of their
    draft deleted (actionplans.notices.case_taken_out_notices)."""
    case_taken_out_notices(
        case=case,
        reviewer=reviewer,
        by=by,
        reason=reason,
        draft_deleted=review is not None,
        replacement=replacement,
    )


@transaction.atomic
def cases_assign(*, inspection: Inspection, case_ids: Iterable, reviewer, by) -> tuple[int, int]:
    """Assign sampled cases to a reviewer on the team.

    Returns (assigned, skipped): cases whose review is submitted keep their
    reviewer.
    """
    team = _require_open(inspection.pk).team_member_ids()  # as it is now, not as the page had it
    if reviewer.pk not in team or not reviewer.is_inspector:
        raise ValidationError({"reviewer": "Select a reviewer on the inspection team"})
    cases = list(
        Case.objects.sampled()
        .filter(inspection=inspection, pk__in=list(case_ids))
        .select_related("review", "reviewer")
        .select_for_update(of=("self",))
    )
    assigned = skipped = 0
    for case in cases:
        review = case.review_or_none
        if review and review.is_submitted:
            skipped += 1
            continue
        if case.reviewer_id == reviewer.pk:
            continue
        before = case.reviewer
        case.reviewer = reviewer
        case.save(update_fields=["reviewer", "updated_at"])
        _audit(
            by=by,
            action="case.assigned",
            obj=case,
            inspection=inspection,
            changes=audit.diff({"reviewer": before}, {"reviewer": reviewer}),
        )
        assigned += 1
    return assigned, skipped


def _assigned_not_submitted(inspection_id, reviewer_ids: list):
    """Sampled cases with these reviewers whose review is not submitted: no
    review yet, or a draft (a submitted review keeps its reviewer)."""
    return (
        Case.objects.sampled()
        .filter(inspection_id=inspection_id, reviewer_id__in=reviewer_ids)
        .exclude(review__status=CaseReview.Status.SUBMITTED)
    )


def cases_to_hand_back(*, inspection: Inspection, leaving: Iterable) -> list[tuple[Any, int]]:
    """(person, cases) for each of `leaving` (people coming off the team) who
    has cases assigned whose review is not submitted, by name: what
    cases_hand_back would hand back now, for a check page to say beforehand."""
    people = {person.pk: person for person in leaving}
    counts = dict(
        _assigned_not_submitted(inspection.pk, list(people))
        .order_by()
        .values_list("reviewer_id")
        .annotate(count=Count("pk"))
    )
    return [
        (person, counts[pk])
        for pk, person in sorted(people.items(), key=lambda item: item[1].full_name)
        if counts.get(pk)
    ]


def inspections_with_cases_assigned(reviewer):
    """The inspections whose case files are open (access.case_files_open) on
    which `reviewer` has cases assigned whose review is not submitted, by id:
    what cases_hand_back hands back from someone deactivated."""
    assigned = (
        Case.objects.sampled()
        .filter(reviewer=reviewer)
        .exclude(review__status=CaseReview.Status.SUBMITTED)
    )
    return Inspection.objects.filter(
        stage__in=EDITABLE_STAGES, pk__in=assigned.values("inspection_id")
    ).order_by("pk")


@transaction.atomic
def cases_hand_back(*, inspection: Inspection, reviewers: Iterable, by, reason: str) -> dict:
    """Hand back, as not assigned, the cases of `reviewers` (people taken off
    the team) whose review is not submitted: they can no longer open them,
    and the lead would otherwise have to find them on the sample page. A
    draft is kept as it is, for whoever is assigned the case next; a
    submitted review keeps its reviewer, as in cases_assign. Each case's
    change is on the audit trail, with `reason`. Returns reviewer id ->
    cases handed back."""
    _require_open(inspection.pk)
    cases = list(
        _assigned_not_submitted(inspection.pk, [person.pk for person in reviewers])
        .select_related("reviewer")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    handed_back: dict = {}
    for case in cases:
        before = case.reviewer
        case.reviewer = None
        case.save(update_fields=["reviewer", "updated_at"])
        _audit(
            by=by,
            action="case.unassigned",
            obj=case,
            inspection=inspection,
            changes=audit.diff({"reviewer": before}, {"reviewer": None}),
            comment=reason,
        )
        handed_back[before.pk] = handed_back.get(before.pk, 0) + 1
    return handed_back


# ------------------------------------------------------------------ reviews

REVIEW_FIELDS = ["overall_rating", *(field for field, _ in PRACTICE_POINTS), "notes"]


def topic_fields(topic: str) -> tuple[str, str]:
    return f"{topic}_rating", f"{topic}_observation"


STALE_REVIEW = (
    "Someone else saved this review after you opened it. Your changes have not been saved: "
    "the page now shows the review as it is saved. Make your changes again"
)
STALE_CHECK = (
    "The review changed after you opened this page. Check the answers again before you submit it"
)


def review_version(review: CaseReview | None) -> str:
    """What a page about the review carries back (as "seen") to tell whether the
    review changed after the page was drawn: "" for no review yet."""
    return row_version(review)


def review_answers(review: CaseReview | None) -> dict[str, str]:
    """The review's answers as a flat dict, as the form and the service use them."""
    if review is None:
        return {}
    answers = {field: getattr(review, field) for field in REVIEW_FIELDS}
    for assessment in review.assessments.all():
        rating_field, observation_field = topic_fields(assessment.topic)
        answers[rating_field] = assessment.rating
        answers[observation_field] = assessment.observation
    return answers


def _required_messages() -> dict[str, str]:
    messages = {"overall_rating": "Select the overall rating of the case"}
    for topic in REVIEWED_TOPICS:
        messages[topic_fields(topic)[0]] = (
            f"Select a rating for {topic.label.lower()}, or select not relevant"
        )
    for field, question in PRACTICE_POINTS:
        messages[field] = f"Select yes, no or not applicable for ‘{question}’"
    return messages


REVIEW_REQUIRED_MESSAGES = _required_messages()


def review_missing_answers(answers: dict[str, str]) -> dict[str, str]:
    """Field -> error message, for every answer a submitted review must have."""
    missing = {}
    for field, message in REVIEW_REQUIRED_MESSAGES.items():
        if not answers.get(field):
            missing[field] = message
    for topic in REVIEWED_TOPICS:
        rating_field, observation_field = topic_fields(topic)
        rating = answers.get(rating_field)
        if rating and rating != NOT_RELEVANT and not answers.get(observation_field):
            missing[observation_field] = (
                f"Enter an observation on {topic.label.lower()}, or select not relevant"
            )
    return missing


@transaction.atomic
def case_review_save(
    *, case: Case, answers: dict[str, str], by, seen: str | None = None
) -> CaseReview:
    """Save the review as a draft. Incomplete answers are fine until submission.

    `seen` is review_version() as the page showed it: if the review has been
    saved since (the lead inspector stepped in, another tab), nothing is saved,
    rather than the page's older answers overwriting the newer ones."""
    _require_open(case.inspection_id)
    # Still in the sample: it may have been drawn again, or the case replaced,
    # since the page was drawn.
    if not Case.objects.sampled().filter(pk=case.pk).exists():
        replaced = CaseReplacement.objects.filter(removed=case).select_related("replacement")
        if record := replaced.first():
            drawn = (
                f". Case {record.replacement.reference} was drawn in its place"
                if record.replacement
                else ""
            )
            raise ValidationError(
                f"Case {case.reference} was taken out of the sample, so your answers have not "
                f"been saved{drawn}",
                code="gone",
            )
        raise ValidationError(
            f"Case {case.reference} is no longer in the sample: the sample was drawn again"
        )
    review, created = CaseReview.objects.select_for_update().get_or_create(case=case)
    if review.is_submitted:
        raise ValidationError("This review has been submitted and can no longer be changed")
    refuse_if_stale(seen, "" if created else review_version(review), STALE_REVIEW)
    before = review_answers(review)
    for field in REVIEW_FIELDS:
        setattr(review, field, answers.get(field) or "")
    review.save()
    for topic in REVIEWED_TOPICS:
        rating_field, observation_field = topic_fields(topic)
        TopicAssessment.objects.update_or_create(
            review=review,
            topic=topic,
            defaults={
                "rating": answers.get(rating_field) or "",
                "observation": answers.get(observation_field) or "",
            },
        )
    after = {key: answers.get(key) or "" for key in {*before, *answers}}
    changes = audit.diff(before, after)
    if changes or created:  # starting a review is recorded, even with nothing in it
        _audit(
            by=by,
            action="case_review.saved",
            obj=review,
            inspection=case.inspection,
            changes=changes,
        )
    return review


@transaction.atomic
def case_review_submit(*, review: CaseReview, by, seen: str | None = None) -> CaseReview:
    """Submit a complete review. It is locked from then on; if the draw chose
    the case for a second review, the lead inspector now has one to do.

    `seen` is review_version() as the check page showed it: answers saved
    since then have not been checked, so the submission is refused."""
    # The inspection's lock first, then the review's, as case_review_save
    # takes them: two orders could deadlock.
    _require_open(review.case.inspection_id)
    reference = review.case.reference
    review = (
        CaseReview.objects.select_for_update(of=("self",))
        .select_related("case__inspection__force")
        .filter(pk=review.pk)
        .first()
    )
    if review is None:  # its draft deleted as the case was replaced (case_replace) meanwhile
        raise ValidationError(
            f"Case {reference} was taken out of the sample, so its review has not been submitted",
            code="gone",
        )
    if review.is_submitted:  # a second click, or another tab
        raise ValidationError("This review has already been submitted")
    refuse_if_stale(seen, review_version(review), STALE_CHECK)
    missing = review_missing_answers(review_answers(review))
    if missing:
        raise ValidationError(list(missing.values()))
    review.status = CaseReview.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.submitted_by = by
    review.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    inspection = review.case.inspection
    # The lead inspector second-reviews. One of a review the lead wrote is
    # theirs to hold, not to do (second_review_complete refuses it): it waits,
    # offered to no one and stopping nothing (inspections.services.
    # second_reviews_to_do), for a next lead, who is handed it as any other
    # still to do. Not made at all, a new lead never learnt the case had been
    # chosen, and its figures went out unmoderated (found by the case file review).
    if review.case.second_review_due:
        SecondReview.objects.create(review=review, reviewer_id=inspection.lead_inspector_id)
    _audit(
        by=by,
        action="case_review.submitted",
        obj=review,
        inspection=inspection,
        changes={"status": [CaseReview.Status.DRAFT.label, CaseReview.Status.SUBMITTED.label]},
    )
    return review


@transaction.atomic
def second_review_complete(
    *, second_review: SecondReview, agrees: bool, rating: str, reason: str, by
) -> SecondReview:
    """Record the lead's agreement, or a different rating with a reason."""
    _require_open(second_review.review.case.inspection_id)  # first, as everywhere
    second_review = (
        SecondReview.objects.select_for_update(of=("self",))
        .select_related("review__case__inspection__force")
        .get(pk=second_review.pk)
    )
    if second_review.is_completed:  # a second click, or another tab
        raise ValidationError("This second review has already been recorded")
    if second_review.review.submitted_by_id == by.pk:
        raise ValidationError("You submitted this review, so you cannot second-review it")
    original = second_review.review.overall_rating
    if agrees:
        # "Yes, I agree" beside another rating or a reason for disagreeing
        # says both: it was saved as an agreement, the rest dropped unsaid,
        # so a disagreement left no record (found by the case file review).
        errors = {}
        if rating and rating != original:
            label = CaseRating(original).label.lower() if original else ""
            errors["rating"] = (
                f"You agree with the rating of {label}, so select {label} here, "
                "or select no if you would rate the case differently"
            )
        if reason.strip():
            errors["reason"] = (
                "You agree with the overall rating, so delete the reason, "
                "or select no if you would rate the case differently"
            )
        if errors:
            raise ValidationError(errors)
    else:
        errors = {}
        if not rating:
            errors["rating"] = "Select your rating for the case"
        elif rating not in CaseRating.values or rating == original:
            errors["rating"] = "Select a rating different from the first reviewer’s"
        if not reason.strip():
            errors["reason"] = "Enter why you rate the case differently"
        if errors:
            raise ValidationError(errors)
    second_review.reviewer = by  # whoever did it: the lead may have changed since
    second_review.agrees = agrees
    second_review.rating = "" if agrees else rating
    second_review.reason = "" if agrees else reason.strip()
    second_review.status = SecondReview.Status.COMPLETED
    second_review.completed_at = timezone.now()
    second_review.save()
    _audit(
        by=by,
        action="second_review.completed",
        obj=second_review,
        inspection=second_review.review.case.inspection,
        # An agreement is one, not the first rating "changed" to itself.
        changes={"agrees_with_first_reviewer": [None, True]}
        if agrees
        else {"rating": [original, second_review.rating]},
        comment=second_review.reason,
    )
    return second_review
