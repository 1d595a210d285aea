"""The open data's public pages (Art. 3): no sign-in, nothing personal (monitoring.opendata)."""

from django import forms
from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.limits import TOO_MANY_REQUESTS, limit_reached, per_address
from monitoring.opendata import CSV_FIELDS, grants, json_chunks, open_data_years, year_results
from review.exports import Column, _csv_lines, export_filename


class OpenDataYearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Support year"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, *, years, every_year_label=None):
        super().__init__(data)
        choices = [(year, str(year)) for year in years]
        if every_year_label:
            choices.insert(0, ("", every_year_label))
        self.fields["year"].choices = choices


def open_data(request):
    years = open_data_years()
    data = request.GET if "year" in request.GET else {"year": years[0] if years else ""}
    form = OpenDataYearForm(data, years=years)
    valid = form.is_valid()
    year = form.cleaned_data.get("year") if valid else None
    context = {
        "form": form,
        "years": years,
        "results": year_results(year) if year is not None else None,
    }
    return render(request, "monitoring/opendata/page.html", context, status=200 if valid or not years else 400)


def _year_asked(request):
    """The year the download asks for (None: every year), or the form with its error."""
    form = OpenDataYearForm(request.GET, years=open_data_years(), every_year_label="-")
    if not form.is_valid():
        return None, form
    return form.cleaned_data["year"], None


def _refused(request, form):
    context = {"form": form, "years": open_data_years(), "results": None}
    return render(request, "monitoring/opendata/page.html", context, status=400)


CSV_COLUMNS = tuple(Column(header, value) for header, value in CSV_FIELDS)

# Each download reads every award of the years asked: counted per client address
# (settings.OPEN_DATA_DOWNLOAD_RATE_PER_ADDRESS), as the other anonymous work of the site is.
DOWNLOADS_PER_ADDRESS = per_address("monitoring.open_data.address", "OPEN_DATA_DOWNLOAD_RATE_PER_ADDRESS")


def _over_the_limit(request):
    """The open data's page with a message and 429 when this address has downloaded too much
    lately, else None (and the download is counted)."""
    reached = limit_reached(request, [DOWNLOADS_PER_ADDRESS], increment=True)
    if reached is None:
        return None
    _limit, free_at = reached
    messages.error(
        request,
        gettext(
            "Too many downloads were asked for from your network address in a short time. "
            "Please try again after %(when)s."
        )
        % {"when": date_format(free_at, "DATETIME_FORMAT")},
    )
    years = open_data_years()
    form = OpenDataYearForm({"year": years[0] if years else ""}, years=years)
    response = render(
        request,
        "monitoring/opendata/page.html",
        {"form": form, "years": years, "results": year_results(years[0]) if years else None},
        status=TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(max(int((free_at - timezone.now()).total_seconds()), 1))
    return response


def awards_csv(request):
    year, refused = _year_asked(request)
    if refused:
        return _refused(request, refused)
    if limited := _over_the_limit(request):
        return limited
    response = StreamingHttpResponse(
        _csv_lines(CSV_COLUMNS, grants(year), translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename("awards", "csv")}"'
    return response


def awards_json(request):
    year, refused = _year_asked(request)
    if refused:
        return _refused(request, refused)
    if limited := _over_the_limit(request):
        return limited
    response = StreamingHttpResponse(json_chunks(year), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{export_filename("awards", "json")}"'
    return response


opendata_urlpatterns = [
    path("open-data/", open_data, name="open_data"),
    path("open-data/awards.csv", awards_csv, name="open_data_csv"),
    path("open-data/awards.json", awards_json, name="open_data_json"),
]
