"""Go Back from a page as a browser does: follow its back link, or press
its Back button (a submit button tied to a form by its form attribute,
posting that form's inputs and the button's own name)."""

from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.back: dict | None = None
        self.forms: dict[str, dict] = {}
        self._form: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if "govuk-back-link" in (attrs.get("class") or "").split() and self.back is None:
            self.back = {"tag": tag, **attrs}
        if tag == "form":
            self._form = attrs.get("id") or ""
            self.forms[self._form] = {}
        elif tag == "input" and self._form is not None and attrs.get("name"):
            self.forms[self._form][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def go_back(client, page: str, address: str):
    """The response to going Back from `page`, drawn at `address`."""
    parsed = _Page()
    parsed.feed(page)
    back = parsed.back
    assert back is not None, "the page has no Back"
    if back["tag"] == "a":
        return client.get(back["href"])
    assert back["tag"] == "button" and back.get("form") in parsed.forms
    data = {**parsed.forms[back["form"]], back["name"]: back.get("value", "")}
    data.pop("csrfmiddlewaretoken", None)
    return client.post(address, data)
