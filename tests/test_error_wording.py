"""Error messages for an option say "Select …", in GOV.UK's words for radios,
checkboxes and selects. Found by a content review: the inspector's forms had
moved to "Select …" while the admin's (scheduling an inspection, changing the
lead inspector, user accounts) and core.forms's message for a forged option
("Choose X from the list") still said "Choose …", so one service spoke two
ways for the same thing."""

import ast
import copy
import importlib
import re
from pathlib import Path

from django import forms
from django.conf import settings

from core.forms import govuk_messages

ROOT = Path(settings.BASE_DIR)
APPS = ["accounts", "actionplans", "casefiles", "core", "dashboard", "forces", "inspections"]

# Words that are not about an option on the page: a password or a date is
# typed, an email's reader follows a link, and Excel's menu is Excel's.
NOT_AN_OPTION = [
    r"[Cc]hoose (your|their|a|a new) password",
    r"Choose one that is harder to guess",
    r"Choose something else",
    r"choose ‘Forgotten your password\?’",
    r"In Excel, choose Save as",
    r"notice: choose $",  # a date: "choose 3 May 2026 or later"
]
# Where "choose" offers, rather than asks: an empty option ("Choose a force")
# and hint text.
NOT_A_MESSAGE = {"empty_label", "help_text"}


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        for module in ("forms", "admin"):
            if (ROOT / app / f"{module}.py").exists():
                importlib.import_module(f"{app}.{module}")
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.append(sub)
    return found


def test_every_forms_messages_for_an_option_say_select():
    """As the forms give them, with core.forms's own words for Django's."""
    choosing = []
    for form in _project_forms():
        for name, declared in form.base_fields.items():
            field = copy.deepcopy(declared)
            govuk_messages(field)
            for key, message in field.error_messages.items():
                if re.match(r"\s*choose\b", str(message), re.I):
                    choosing.append(f"{form.__module__}.{form.__name__}.{name} {key}: {message}")
    assert not choosing, "\n".join(choosing)


def _strings(tree: ast.AST):
    """Each string in the code with its line, leaving out docstrings, the
    empty option of a list and hints. An f-string's fixed parts are strings
    too, so "Choose {what} from the list" is found."""
    skip = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.keyword) and node.arg in NOT_A_MESSAGE:
            skip.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "":
                skip.update(id(n) for n in ast.walk(node))  # ("", "Choose a topic")
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def test_no_message_in_the_code_asks_people_to_choose_an_option():
    """The services' refusals too ("Choose an active lead inspector"), which
    no form declares. A new "choose" that is not about an option goes in
    NOT_AN_OPTION, with why."""
    choosing = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                continue
            for line, text in _strings(ast.parse(path.read_text(), str(path))):
                if not re.search(r"\bchoose\b", text, re.I):
                    continue
                if any(re.search(allowed, text) for allowed in NOT_AN_OPTION):
                    continue
                choosing.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not choosing, "\n".join(choosing)
