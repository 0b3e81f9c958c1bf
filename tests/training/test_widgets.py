"""The browser's date picker reads only ISO dates: every date field the platform shows writes
its value that way, in every language (a date written 05/11/2026 left the picker empty, and a
trainer in Spanish could not save a cohort: "This field is required")."""

from datetime import date

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

from certificates.pool import PoolFilter
from certificates.pool_views import LogFilter
from cohorts.forms import CohortForm, SessionForm
from training.audit_views import AuditFilter
from training.widgets import DatePicker


class _Form(forms.Form):
    day = forms.DateField(widget=DatePicker())


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_date_is_written_and_read_as_the_picker_does_in_every_language(language):
    with translation.override(language):
        html = str(_Form(initial={"day": date(2026, 11, 5)})["day"])
        assert 'type="date"' in html
        assert 'value="2026-11-05"' in html, html
        form = _Form({"day": "2026-11-05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2026, 11, 5)


@pytest.mark.parametrize(
    "form_class", [CohortForm, SessionForm, PoolFilter, LogFilter, AuditFilter]
)
def test_the_platforms_date_fields_use_the_picker(form_class):
    dated = [
        name for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField)
    ]  # fmt: skip
    assert dated, form_class
    for name in dated:
        assert isinstance(form_class.base_fields[name].widget, DatePicker), name
