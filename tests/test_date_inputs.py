"""Issue 18, defect 3: in Chinese every date and datetime-local default rendered as
2026/12/03 08:30, which Chromium's pickers refuse, so Simulate sent nothing. The
inputs carry ISO values in every language."""

import datetime as dt

import pytest
from django.utils import translation

from calls.forms import CallOutcomeForm
from configuration.forms import AsOfForm, SimulateForm
from supervision.forms import PeriodForm

AT = dt.datetime(2026, 12, 3, 8, 30)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_datetime_local_inputs_carry_an_iso_value(language):
    with translation.override(language):
        simulate = str(SimulateForm(initial={"at": AT})["at"])
        as_of = str(AsOfForm(initial={"at": AT})["at"])
        callback = str(
            CallOutcomeForm(initial={"callback_at": AT}, stage="explain")["callback_at"]
        )
    for html in (simulate, as_of, callback):
        assert 'type="datetime-local"' in html
        assert 'value="2026-12-03T08:30"' in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_date_inputs_carry_an_iso_value(language):
    with translation.override(language):
        html = str(PeriodForm(initial={"start": AT.date()})["start"])
    assert 'type="date"' in html
    assert 'value="2026-12-03"' in html


def test_an_iso_datetime_local_value_is_read_back_in_chinese():
    with translation.override("zh-hans"):
        form = SimulateForm(data={"at": "2026-12-03T08:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["at"].replace(tzinfo=None) == AT
