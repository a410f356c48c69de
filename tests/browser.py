"""Helpers for browser tests: sign in through the real form, and run axe."""

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD, totp_code, totp_device

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
CODE_LABEL = "Enter the 6-digit code from your authenticator app"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


def assert_accessible(page: Page) -> None:
    """Fail on any WCAG 2.2 A or AA violation axe finds on the page, or any
    content outside a landmark.

    axe is injected with evaluate(), because the CSP rightly blocks the
    inline script tag that add_script_tag() would write.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations",
        WCAG_22_AA,
    )
    # Best practice, not WCAG: everything in a landmark, for screen reader users
    # who move by landmarks (the phase banner was not). Back links stay before
    # <main>, where the Design System puts them, so "Skip to main content" skips them.
    violations += page.evaluate(
        "async () => (await axe.run({exclude: [['.govuk-back-link']]},"
        " {runOnly: {type: 'rule', values: ['region']}})).violations"
    )
    violations = _without_govuk_reveal_state(violations)
    summary = [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in violations
    ]
    assert not violations, f"axe found {len(violations)} violations on {page.url}:\n" + "\n".join(
        summary
    )


def _is_govuk_reveal_state(node: dict) -> bool:
    """aria-expanded, and nothing else, on a GOV.UK radio or checkbox that
    reveals a question. GOV.UK Frontend sets it on purpose, knowing ARIA 1.2
    does not list it for those roles: screen readers announce it, and its
    research found it helps (a known issue it keeps: alphagov/govuk-frontend
    #979, and w3c/aria#1404 to allow it)."""
    values = [value for check in node["all"] + node["any"] for value in check["data"]["values"]]
    return (
        bool(values)
        and all(value.startswith("aria-expanded=") for value in values)
        and ("govuk-radios__input" in node["html"] or "govuk-checkboxes__input" in node["html"])
        and "aria-controls=" in node["html"]
    )


def _without_govuk_reveal_state(violations: list[dict]) -> list[dict]:
    """The violations, but for GOV.UK's reveal state (_is_govuk_reveal_state):
    any other attribute not allowed, on that input or another, still fails."""
    kept = []
    for violation in violations:
        if violation["id"] == "aria-allowed-attr":
            nodes = [node for node in violation["nodes"] if not _is_govuk_reveal_state(node)]
            if not nodes:
                continue
            violation = {**violation, "nodes": nodes}
        kept.append(violation)
    return kept


def sign_in(page: Page, base_url: str, user, password: str = TEST_PASSWORD) -> None:
    """Sign in with email and password, then the code from the person's authenticator app.

    Gives them an authenticator app first if they have none.
    """
    device = totp_device(user)
    page.goto(f"{base_url}/account/sign-in/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label(CODE_LABEL)
    expect(code).to_be_visible()
    assert_accessible(page)
    code.fill(totp_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/account/two-factor/" not in url)
    expect(page.get_by_text(f"Signed in as {user.full_name}")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def visit(page: Page, heading: str) -> None:
    """The page now open has this heading and passes axe. With SCREENSHOT_DIR
    set, a picture of it is kept there, to look at."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    keep(page, heading)


def keep(page: Page, name: str) -> None:
    """With SCREENSHOT_DIR set, keep a picture of the page there, to look at."""
    if SCREENSHOTS:
        name = f"{len(list(SCREENSHOTS.glob('*.png'))):02d}-{name[:30]}.png"
        page.screenshot(path=SCREENSHOTS / name.replace("/", "-"), full_page=True)
