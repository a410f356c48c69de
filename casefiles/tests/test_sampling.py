"""The stratified random sample: reproducible from its seed, and on the record."""

import random

import pytest
from django.core.exceptions import ValidationError

from casefiles import services
from casefiles.models import Case, SampleDraw
from casefiles.sampling import choose_second_reviews, draw_stratified_sample
from core.models import AuditEvent

from .factories import submit_review

POPULATION = {
    "missing": [f"M{i:03d}" for i in range(40)],
    "s47": [f"S{i:03d}" for i in range(25)],
    "custody": [f"C{i:03d}" for i in range(5)],
}
SIZES = {"missing": 6, "s47": 4, "custody": 5}


def test_same_list_sizes_and_seed_give_the_same_sample():
    assert draw_stratified_sample(POPULATION, SIZES, 1234) == draw_stratified_sample(
        POPULATION, SIZES, 1234
    )


def test_the_order_the_rows_arrive_in_makes_no_difference():
    shuffled = {}
    for stratum, refs in reversed(POPULATION.items()):
        refs = list(refs)
        random.Random(9).shuffle(refs)
        shuffled[stratum] = refs
    assert draw_stratified_sample(shuffled, SIZES, 77) == draw_stratified_sample(
        POPULATION, SIZES, 77
    )


def test_a_different_seed_gives_a_different_sample():
    assert draw_stratified_sample(POPULATION, SIZES, 1) != draw_stratified_sample(
        POPULATION, SIZES, 2
    )


def test_the_sample_respects_each_category_size():
    sample = draw_stratified_sample(POPULATION, SIZES, 5)
    assert {stratum: len(refs) for stratum, refs in sample.items()} == SIZES
    for stratum, refs in sample.items():
        assert set(refs) <= set(POPULATION[stratum])
        assert len(set(refs)) == len(refs)


def test_a_size_bigger_than_the_population_is_refused():
    with pytest.raises(ValueError, match="cannot draw 6 from 5"):
        draw_stratified_sample(POPULATION, {"custody": 6}, 5)


def test_second_reviews_are_a_share_rounded_up_and_reproducible():
    refs = [f"R{i}" for i in range(48)]
    chosen = choose_second_reviews(refs, 0.10, 42)
    assert len(chosen) == 5
    assert chosen == choose_second_reviews(refs, 0.10, 42)
    assert len(choose_second_reviews(refs[:3], 0.10, 42)) == 1
    assert choose_second_reviews(refs, 0, 42) == set()


# ------------------------------------------------------------ the service

pytestmark = pytest.mark.django_db


def sampled_refs(inspection) -> set[str]:
    return set(
        Case.objects.sampled().filter(inspection=inspection).values_list("reference", flat=True)
    )


SERVICE_SIZES = {"missing-children": 4, "strategy-discussions-s47": 3, "child-exploitation": 2}


def test_the_service_draws_per_category_and_records_the_draw(inspection, case_list, inspector):
    draw = services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=42, reason="", by=inspector
    )
    counts = {
        slug: Case.objects.sampled().filter(inspection=inspection, category__slug=slug).count()
        for slug in SERVICE_SIZES
    }
    assert counts == SERVICE_SIZES
    assert (draw.number, draw.seed, draw.sample_count) == (1, 42, 9)
    assert draw.population == {
        "missing-children": 30,
        "strategy-discussions-s47": 20,
        "child-exploitation": 10,
    }
    event = AuditEvent.objects.get(action="sample.drawn")
    assert event.actor == inspector and event.inspection_id == inspection.pk


def test_the_same_seed_on_another_inspection_gives_the_same_references(
    inspection, case_list, inspector, force_b, lead_inspector
):
    from .factories import InspectionFactory

    other = InspectionFactory(force=force_b, lead_inspector=lead_inspector, team=[inspector])
    # Same references, inserted in the opposite order.
    for case in reversed(case_list):
        Case.objects.create(
            inspection=other,
            reference=case.reference,
            category=case.category,
            recorded_on=case.recorded_on,
        )
    for target in (inspection, other):
        services.sample_draw(
            inspection=target, sizes=SERVICE_SIZES, seed=7, reason="", by=inspector
        )
    assert sampled_refs(inspection) == sampled_refs(other)


def test_a_different_seed_gives_a_different_sample_from_the_service(
    inspection, case_list, inspector
):
    services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=1, reason="", by=inspector
    )
    first = sampled_refs(inspection)
    services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=2, reason="Wrong sizes", by=inspector
    )
    assert sampled_refs(inspection) != first


def test_without_a_seed_one_is_chosen_and_recorded(inspection, case_list, inspector):
    draw = services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=None, reason="", by=inspector
    )
    assert draw.seed > 0
    first = sampled_refs(inspection)
    services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=draw.seed, reason="Repeat", by=inspector
    )
    assert sampled_refs(inspection) == first


def test_a_size_bigger_than_the_category_is_an_error(inspection, case_list, inspector):
    with pytest.raises(ValidationError, match="must be 10 or fewer: the list has 10 cases"):
        services.sample_draw(
            inspection=inspection, sizes={"child-exploitation": 11}, seed=3, reason="", by=inspector
        )
    assert not SampleDraw.objects.exists()


def test_a_redraw_needs_a_reason_and_is_kept_on_the_record(inspection, drawn, inspector):
    with pytest.raises(ValidationError, match="Enter why you are drawing the sample again"):
        services.sample_draw(
            inspection=inspection, sizes=SERVICE_SIZES, seed=9, reason=" ", by=inspector
        )
    redraw = services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=9, reason="Sizes were wrong", by=inspector
    )
    assert list(SampleDraw.objects.values_list("number", flat=True)) == [2, 1]
    assert Case.objects.filter(sample_draw=drawn).count() == 0
    assert Case.objects.filter(sample_draw=redraw).count() == 9
    event = AuditEvent.objects.get(action="sample.redrawn")
    assert event.comment == "Sizes were wrong"
    assert event.changes["seed"] == [42, 9]


def test_no_redraw_once_reviews_have_started(inspection, drawn, inspector):
    case = Case.objects.sampled().first()
    services.case_review_save(case=case, answers={"notes": "Started"}, by=inspector)
    with pytest.raises(ValidationError, match="reviews of the current sample have started"):
        services.sample_draw(
            inspection=inspection, sizes=SERVICE_SIZES, seed=9, reason="x", by=inspector
        )


def test_a_share_of_the_sample_is_marked_for_second_review(
    inspection, case_list, inspector, settings
):
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "SECOND_REVIEW_SHARE": 0.25}
    draw = services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=11, reason="", by=inspector
    )
    assert draw.second_review_count == 3
    assert Case.objects.filter(second_review_due=True).count() == 3
    assert not Case.objects.filter(second_review_due=True, sample_draw=None).exists()


def test_redraw_clears_the_old_reviewers(inspection, drawn, inspector):
    case = Case.objects.sampled().first()
    services.cases_assign(
        inspection=inspection, case_ids=[case.pk], reviewer=inspector, by=inspector
    )
    services.sample_draw(
        inspection=inspection, sizes=SERVICE_SIZES, seed=8, reason="r", by=inspector
    )
    assert not Case.objects.exclude(reviewer=None).exists()


def test_assignment_is_audited_and_skips_submitted_reviews(
    inspection, drawn, inspector, lead_inspector
):
    first, second = Case.objects.sampled().order_by("reference")[:2]
    services.cases_assign(
        inspection=inspection, case_ids=[first.pk], reviewer=inspector, by=inspector
    )
    submit_review(first, inspector)
    assigned, skipped = services.cases_assign(
        inspection=inspection,
        case_ids=[first.pk, second.pk],
        reviewer=lead_inspector,
        by=lead_inspector,
    )
    assert (assigned, skipped) == (1, 1)
    first.refresh_from_db()
    assert first.reviewer == inspector
    assert AuditEvent.objects.filter(action="case.assigned").count() == 2


def test_only_the_team_can_be_assigned(inspection, drawn, other_inspector, inspector):
    case = Case.objects.sampled().first()
    with pytest.raises(ValidationError):
        services.cases_assign(
            inspection=inspection, case_ids=[case.pk], reviewer=other_inspector, by=inspector
        )


def test_drawing_the_redraw_form_leaves_the_forms_shared_fields_alone():
    """Each form draws its own copy of the reason field: crispy-forms writes
    into a field's widget as it draws, and web serves several requests at once
    in a process, so a shared widget would carry one person's form into
    another's (found by a review of the threads)."""
    from django.template import Context, Template

    from casefiles.forms import SampleDrawForm

    shared = SampleDrawForm.base_fields["reason"].widget
    before = dict(shared.attrs)
    form = SampleDrawForm(population=[], redraw=True)
    Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))

    assert form.fields["reason"].widget is not shared
    assert shared.attrs == before
