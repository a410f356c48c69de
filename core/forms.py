"""The one GOV.UK form base every form in the service builds on."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError


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
        if isinstance(self.fields[name], DateInputField):
            return Field(name, context={"legend_size": Size.SMALL})
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return Field.checkboxes(name, legend_size=Size.SMALL)
        return Field(name)


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


class GovukDateField(DateInputField):
    """A GOV.UK date input (day, month, year) with messages that name the date.

    ``what`` completes the sentences: "Enter {what}", "{What} must be a real date".
    """

    def __init__(self, *, what: str, **kwargs):
        super().__init__(**kwargs)
        self.what = what
        message = f"Enter {what}"
        self.error_messages["required"] = message
        self.error_messages["incomplete"] = message
        for field, part in zip(self.fields, ("day", "month", "year"), strict=True):
            field.error_messages["incomplete"] = (
                f"{message[0].upper()}{message[1:]} and include a {part}"
            )
            field.validators[0].message = f"{message[0].upper()}{message[1:]} using numbers"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            if len(year) != 4:
                raise ValueError
            return date(day=int(day), month=int(month), year=int(year))
        except ValueError:
            what = self.what[0].upper() + self.what[1:]
            raise ValidationError(f"{what} must be a real date") from None
