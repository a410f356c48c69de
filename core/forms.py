"""The one GOV.UK form base every form in the service builds on."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms


class GovukFormMixin:
    """Adds a crispy-forms-gds helper: fields in order, then one submit button.

    Set ``submit_label`` to say what the button does ("Save grade"), and
    ``layout_fields`` to lay fields out with Field.radios() and friends.
    """

    submit_label = "Continue"
    submit_name = "submit"
    layout_fields: list | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        fields = self.layout_fields or [self.default_layout(name) for name in self.fields]
        self.helper.layout = Layout(*fields, Button(self.submit_name, self.submit_label))

    def default_layout(self, name: str):
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect):
            return Field.radios(name, legend_size=Size.SMALL)
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return Field.checkboxes(name, legend_size=Size.SMALL)
        return Field(name)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass
