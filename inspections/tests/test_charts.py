"""Server-drawn SVG: well formed, titled, and every figure written as text."""

from datetime import date
from xml.etree import ElementTree

from inspections import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, in a test


def texts(root) -> list[str]:
    return [node.text for node in root.iter(f"{SVG}text")]


def test_stacked_bars_write_every_count_and_total():
    svg = charts.stacked_bars(
        title="Reviews <by> category",
        description="Figures & more",
        rows=[
            (
                "Missing children",
                [
                    charts.Segment("Good", 12, charts.GREEN),
                    charts.Segment("Inadequate", 3, charts.RED),
                ],
            ),
            (
                "Custody",
                [
                    charts.Segment("Good", 0, charts.GREEN),
                    charts.Segment("Inadequate", 5, charts.RED),
                ],
            ),
        ],
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Reviews <by> category"
    assert root.find(f"{SVG}desc").text == "Figures & more"
    words = texts(root)
    assert {"Missing children", "Custody", "Good", "Inadequate", "12", "3", "15", "5"} <= set(words)


def test_grade_columns_write_the_grade_above_each_column():
    root = parse(
        charts.grade_columns(
            title="Leadership",
            description="Grades",
            points=[("Jan 2020", "good", "Good"), ("Mar 2024", "", "Not graded")],
        )
    )
    assert {"Good", "Not graded", "Jan 2020", "Mar 2024"} <= set(texts(root))


def test_requires_improvement_is_shortened_to_fit_its_column():
    wide = texts(
        parse(
            charts.grade_columns(
                title="T",
                description="D",
                points=[("a", "requires_improvement", "Requires improvement")],
            )
        )
    )
    four = [("a", "requires_improvement", "Requires improvement")] * 4
    narrow = texts(parse(charts.grade_columns(title="T", description="D", points=four)))
    assert "Req. improvement" in wide
    assert narrow.count("Req. impr.") == 4


def test_timeline_draws_a_bar_per_visit_and_names_the_months():
    root = parse(
        charts.timeline(
            title="Visits",
            description="Visits",
            start=date(2026, 11, 25),
            end=date(2027, 2, 24),
            spans=[charts.Span("Gwent", date(2027, 2, 8), date(2027, 2, 12), "Fieldwork")],
        )
    )
    words = texts(root)
    assert {"Gwent", "Fieldwork", "Dec 2026", "Jan 2027", "Feb 2027"} <= set(words)


def test_same_title_gives_the_same_svg():
    one = charts.grade_columns(title="T", description="D", points=[("a", "good", "Good")])
    two = charts.grade_columns(title="T", description="D", points=[("a", "good", "Good")])
    assert one == two
