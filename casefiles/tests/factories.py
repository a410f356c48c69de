import csv
import importlib
import io
from datetime import date, timedelta

import factory
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from casefiles import services
from casefiles.models import Case, CaseCategory
from inspections.models import Inspection

CATEGORY_SLUGS = [
    "police-protection-s46",
    "strategy-discussions-s47",
    "missing-children",
    "child-exploitation",
    "online-child-sexual-abuse",
    "domestic-abuse-children-present",
    "children-in-custody",
    "sudden-unexpected-child-deaths",
]


def ensure_categories() -> None:
    """Reload the seeded categories after a transactional test flushed them."""
    if not CaseCategory.objects.exists():
        importlib.import_module("casefiles.migrations.0002_seed_case_categories").load(apps, None)


def category(slug: str) -> CaseCategory:
    ensure_categories()
    return CaseCategory.objects.get(slug=slug)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    stage = Inspection.Stage.FIELDWORK
    fieldwork_start = date(2026, 10, 5)
    fieldwork_end = date(2026, 10, 16)

    @factory.post_generation
    def team(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create and extracted:
            obj.team.set(extracted)


def add_cases(inspection: Inspection, counts: dict[str, int], prefix: str = "REF") -> list[Case]:
    """counts: category slug -> how many cases, references PREFIX-slug-0001..."""
    ensure_categories()
    categories = {c.slug: c for c in CaseCategory.objects.all()}
    cases = [
        Case(
            inspection=inspection,
            reference=f"{prefix}-{slug[:6]}-{n:04d}",
            category=categories[slug],
            recorded_on=date(2026, 1, 1) + timedelta(days=n % 200),
            area="North" if n % 2 else "South",
        )
        for slug, count in counts.items()
        for n in range(1, count + 1)
    ]
    return Case.objects.bulk_create(cases)


def csv_upload(
    rows: list[list[str]],
    header: list[str] | None = None,
    name: str = "cases.csv",
    encoding: str = "utf-8",
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or ["case_reference", "category", "date_recorded", "area"])
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def good_rows(n: int = 6) -> list[list[str]]:
    slugs = ["Missing children", "strategy-discussions-s47", "Online child sexual abuse"]
    return [
        [f"GMP/{i:05d}", slugs[i % 3], f"{1 + i % 28}/0{1 + i % 9}/2025", "Salford"]
        for i in range(n)
    ]


# Excel's plain "CSV" on Windows is cp1252, not UTF-8.
CP1252_FILE = (
    "case_reference,category,date_recorded\nA,Missing children,1/1/2025\n"
    "B,Missing children,1/1/2025,Crew\xe9\n"
).encode("cp1252")

COMPLETE_ANSWERS = {
    "overall_rating": "good",
    "initial_response_rating": "good",
    "initial_response_observation": "Officers attended quickly and spoke to the child.",
    "risk_assessment_referral_rating": "requires_improvement",
    "risk_assessment_referral_observation": "The risk assessment was late.",
    "investigation_rating": "good",
    "investigation_observation": "Thorough and timely.",
    "partnership_working_rating": "not_relevant",
    "partnership_working_observation": "",
    "child_voice_recorded": "yes",
    "risk_assessed_promptly": "no",
    "strategy_discussion_held": "yes",
    "referral_made": "yes",
    "supervision_evident": "not_applicable",
    "notes": "",
}


def submit_review(case: Case, by, **answers) -> None:
    services.case_review_save(case=case, answers={**COMPLETE_ANSWERS, **answers}, by=by)
    case.refresh_from_db()
    services.case_review_submit(review=case.review, by=by)
