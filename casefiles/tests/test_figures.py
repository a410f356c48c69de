"""The figures behind each grade, counted by the database."""

import pytest
from django.template.loader import render_to_string

from casefiles import services
from casefiles.models import Case
from casefiles.selectors import ReviewProgress, percent

from .factories import submit_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(inspection, drawn, inspector, lead_inspector):
    """Nine sampled cases: five submitted, one draft, three not started."""
    cases = list(Case.objects.sampled().select_related("category").order_by("reference"))
    by_category = {}
    for case in cases:
        by_category.setdefault(case.category.slug, []).append(case)
    missing = by_category["missing-children"]
    s47 = by_category["strategy-discussions-s47"]
    submit_review(missing[0], inspector, overall_rating="good", investigation_rating="good")
    submit_review(missing[1], inspector, overall_rating="good", investigation_rating="inadequate")
    submit_review(
        missing[2],
        inspector,
        overall_rating="inadequate",
        investigation_rating="requires_improvement",
        child_voice_recorded="no",
    )
    submit_review(
        s47[0], inspector, overall_rating="requires_improvement", referral_made="not_applicable"
    )
    Case.objects.filter(pk=s47[1].pk).update(second_review_due=True)
    s47[1].refresh_from_db()
    submit_review(s47[1], inspector, overall_rating="good")
    services.case_review_save(case=s47[2], answers={"overall_rating": "inadequate"}, by=inspector)
    return cases


def test_percent_rounds_half_up():
    assert [percent(1, 8), percent(1, 3), percent(2, 3), percent(0, 0)] == [13, 33, 67, 0]


def test_counts_come_from_submitted_reviews_only(inspection, reviewed):
    figures = services.case_review_figures(inspection)
    assert (figures.sampled, figures.submitted, figures.drafts) == (9, 5, 1)
    assert (figures.outstanding, figures.not_started) == (4, 3)
    # The draft's "inadequate" is not counted.
    assert (
        figures.overall.good,
        figures.overall.requires_improvement,
        figures.overall.inadequate,
    ) == (3, 1, 1)
    assert figures.overall.good_percent == 60


def test_topic_figures_by_category(inspection, reviewed):
    investigation = services.figures_by_topic(inspection)["investigation"]
    assert investigation.label == "Investigation"
    assert [row[1] for row in investigation.overall.rows] == [3, 1, 1]
    assert [row[2] for row in investigation.overall.rows] == [60, 20, 20]
    by_category = {row.label: row for row in investigation.by_category}
    missing = by_category["Missing children"]
    assert (missing.good, missing.requires_improvement, missing.inadequate) == (1, 1, 1)
    assert by_category["Strategy discussions and s47 enquiries"].good == 2
    partnership = services.figures_by_topic(inspection)["partnership_working"]
    assert partnership.overall.total == 0 and partnership.not_relevant == 5
    assert "leadership" not in services.figures_by_topic(inspection)


def test_practice_points_count_how_often_each_held(inspection, reviewed):
    points = {p.field: p for p in services.case_review_figures(inspection).practice_points}
    voice = points["child_voice_recorded"]
    assert (voice.yes, voice.no, voice.not_applicable, voice.held_percent) == (4, 1, 0, 80)
    referral = points["referral_made"]
    assert (referral.yes, referral.not_applicable, referral.held_percent) == (4, 1, 100)
    groups = {
        g.label: g for g in services.case_review_figures(inspection).practice_points_by_category
    }
    assert set(groups) == {"Missing children", "Strategy discussions and s47 enquiries"}


def test_a_different_rating_at_second_review_replaces_the_first(
    inspection, reviewed, lead_inspector
):
    from casefiles.models import SecondReview

    services.second_review_complete(
        second_review=SecondReview.objects.get(),
        agrees=False,
        rating="inadequate",
        reason="No strategy discussion.",
        by=lead_inspector,
    )
    figures = services.case_review_figures(inspection)
    assert (figures.overall.good, figures.overall.inadequate) == (2, 2)
    assert (figures.second_reviews_due, figures.second_reviews_done) == (1, 1)
    assert figures.agreement_percent == 0


def test_the_query_count_does_not_grow_with_the_reviews(
    inspection, reviewed, django_assert_num_queries, inspector
):
    with django_assert_num_queries(4):
        services.case_review_figures(inspection)
    for case in Case.objects.sampled().filter(review=None):
        submit_review(case, inspector)
    with django_assert_num_queries(4):
        services.case_review_figures(inspection)


def test_the_topic_partial_renders_one_topic(inspection, reviewed):
    figures = services.figures_by_topic(inspection)["investigation"]
    html = render_to_string("casefiles/_topic_figures.html", {"topic_figures": figures})
    assert "Case file reviews: investigation" in html
    assert "5 of 9 reviews submitted: 4 still outstanding" in html
    assert "60%" in html
    assert "Investigation ratings by case category" in html
    assert render_to_string("casefiles/_topic_figures.html", {"topic_figures": None}).strip() == ""


def test_an_inspection_with_no_sample_has_empty_figures(inspection):
    figures = services.case_review_figures(inspection)
    assert (figures.sampled, figures.submitted, figures.agreement_percent) == (0, 0, None)
    assert len(figures.topics) == 4


def test_topics_come_in_the_methodologys_order(inspection, reviewed):
    # The five topics are always in this order (leadership, partnership
    # working, initial response, risk assessment and referral, investigation);
    # case file reviews assess all but leadership. Partnership working was last.
    from casefiles.forms import CaseReviewForm
    from inspections.reports import case_review_annex

    expected = ["Partnership working", "Initial response", "Risk assessment and referral"]
    expected.append("Investigation")
    figures = services.case_review_figures(inspection)
    assert [topic.label for topic in figures.topics] == expected
    # The report's annex leaves out a topic no review found relevant (here,
    # partnership working), and keeps the others in the same order.
    annex = [row["label"] for row in case_review_annex(inspection)["topics"]]
    assert annex == expected[1:]
    ratings = [name for name in CaseReviewForm().fields if name.endswith("_rating")]
    assert ratings[1:] == [
        "partnership_working_rating",
        "initial_response_rating",
        "risk_assessment_referral_rating",
        "investigation_rating",
    ]


def test_the_task_list_item_shows_progress(inspection, reviewed):
    figures = services.case_review_figures(inspection)
    assert figures.status == ("In progress", "light-blue")
    html = render_to_string(
        "casefiles/_task_list_item.html", {"inspection": inspection, "case_figures": figures}
    )
    assert "5 of 9 reviews submitted" in html and "In progress" in html
    assert f"/inspections/{inspection.pk}/case-files/" in html


def test_status_is_not_started_without_a_sample(inspection):
    assert services.case_review_figures(inspection).status == ("Not started", "grey")


# The cheaper reads for the inspection page and the grading page -------------


def _same_progress(inspection):
    from casefiles.selectors import review_progress

    full = services.case_review_figures(inspection)
    progress = review_progress(inspection)
    fields = ["sampled", "submitted", "drafts", "outstanding", "status"]
    fields += ["second_reviews_due", "second_reviews_done", "second_reviews_agreed"]
    assert [getattr(progress, f) for f in fields] == [getattr(full, f) for f in fields]
    return progress


def test_review_progress_without_a_sample(inspection):
    assert _same_progress(inspection).status == ("Not started", "grey")


def test_review_progress_agrees_through_second_review(
    inspection, reviewed, lead_inspector, django_assert_num_queries
):
    from casefiles.models import SecondReview
    from casefiles.selectors import review_progress

    assert _same_progress(inspection).status == ("In progress", "light-blue")
    assert _same_progress(inspection).second_reviews_due == 1
    services.second_review_complete(
        second_review=SecondReview.objects.get(),
        agrees=True,
        rating="",
        reason="",
        by=lead_inspector,
    )
    assert _same_progress(inspection).second_reviews_agreed == 1
    with django_assert_num_queries(1):
        review_progress(inspection)


def test_topic_figures_is_figures_by_topic_for_one_topic(
    inspection, reviewed, django_assert_num_queries
):
    from casefiles.selectors import topic_figures
    from inspections.models import Topic

    every = services.figures_by_topic(inspection)
    for topic in Topic.values:
        assert topic_figures(inspection, topic) == every.get(topic)
    with django_assert_num_queries(2):
        topic_figures(inspection, "investigation")
    with django_assert_num_queries(0):
        assert topic_figures(inspection, "leadership") is None


@pytest.mark.parametrize(
    ("due", "done", "waiting", "closed", "lines"),
    [
        (0, 0, 0, False, ["None due"]),
        (3, 1, 0, False, ["1 of 3 done so far"]),
        (3, 3, 0, True, ["3 of 3 done"]),
        (
            4,
            2,
            2,
            False,
            [
                "2 of 2 done so far",
                "2 more wait for the next lead inspector, "
                "as the lead inspector wrote their first reviews",
            ],
        ),
        (
            1,
            0,
            1,
            False,
            ["1 waits for the next lead inspector, as the lead inspector wrote its first review"],
        ),
        (
            2,
            0,
            2,
            True,
            ["2 were not done, as the lead inspector wrote their first reviews"],
        ),
    ],
)
def test_second_reviews_are_said_in_one_set_of_words(due, done, waiting, closed, lines):
    """The case files overview and the second review list both say this."""
    progress = ReviewProgress(
        sampled=9,
        submitted=9,
        drafts=0,
        second_reviews_due=due,
        second_reviews_done=done,
        second_reviews_waiting=waiting,
    )
    assert progress.second_reviews_in_words(closed=closed) == lines
