"""The GOV.UK warning text tag, and that templates use it."""

from pathlib import Path

from django.conf import settings
from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def test_it_draws_the_warning_text_around_the_words():
    html = render("{% warning_text %}  You cannot undo this.  {% endwarning_text %}")
    assert html == (
        '<div class="govuk-warning-text">'
        '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>'
        '<strong class="govuk-warning-text__text">'
        '<span class="govuk-visually-hidden">Warning</span>You cannot undo this.</strong></div>'
    )


def test_what_a_user_typed_is_escaped_once():
    html = render("{% warning_text %}{{ name }} & co{% endwarning_text %}", name="<b>Ann</b>")
    assert "&lt;b&gt;Ann&lt;/b&gt; & co</strong>" in html


def test_no_template_writes_the_warning_text_markup_by_hand():
    templates = Path(settings.BASE_DIR) / "templates"
    by_hand = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if 'class="govuk-warning-text"' in path.read_text()
    ]
    assert by_hand == []
