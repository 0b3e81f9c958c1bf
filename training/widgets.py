"""Form widgets the platform's forms share."""

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is always written 2027-03-14, whatever the language
    of the page: a date written the language's way (14/03/2027) leaves the picker empty, and the
    form then says the field is required (every DATE_INPUT_FORMATS also reads ISO dates)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
