"""The statistics page of the staff console and its XLSX export (issue 16, item 3)."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.security import export_recorded
from common.views import permission_required
from monitoring.statistics import statistics_years
from monitoring.statistics_exports import statistics_xlsx_response
from monitoring.statistics_forms import StatisticsFilterForm
from monitoring.statistics_snapshots import statistics_shown


def _chosen(request):
    """The filter form as asked, and the Statistics it selects (None while it is not valid, or not
    counted yet)."""
    calls, years = statistics_years()
    form = StatisticsFilterForm(request.GET, calls=calls, years=years)
    if not years or not form.is_valid():
        return form, None
    return form, statistics_shown(form.cleaned_data["year"], form.cleaned_data["call"])


def _amount(value):
    return None if value is None else float(value)


def chart_data(stats):
    """What static/js/statistics.js draws, for json_script: labels translated here, numbers plain."""
    rows = stats.programmes
    return {
        "amounts": {
            "labels": [row.programme.code for row in rows],
            "series": [
                {"label": _("Requested (yuan)"), "data": [_amount(row.requested) for row in rows]},
                {"label": _("Approved (yuan)"), "data": [_amount(row.approved) for row in rows]},
                {"label": _("Paid (yuan)"), "data": [_amount(row.paid) for row in rows]},
                {"label": _("Repaid (yuan)"), "data": [_amount(row.repaid) for row in rows]},
            ],
        },
        "funnel": {
            "labels": [str(label) for label, _count in stats.funnel],
            "series": [{"label": _("Declarations"), "data": [count for _label, count in stats.funnel]}],
        },
        "months": {
            "labels": [month.month.strftime("%Y-%m") for month in stats.months],
            "series": [
                {"label": _("Declarations received"), "data": [month.received for month in stats.months]},
                {"label": _("Paid (yuan)"), "data": [_amount(month.paid) for month in stats.months], "money": True},
            ],
        },
    }


# How long a reader is asked to wait for the first count of a year's figures.
COUNTING_RETRY_AFTER = 5


def _page(request, form, stats):
    """The page: the figures; or, the filters refused, their errors (400); or, not counted yet, that
    they are being counted (202, Retry-After)."""
    refused = bool(form.fields["year"].choices) and not form.is_valid()
    counting = not refused and stats is None and bool(form.fields["year"].choices)
    context = {
        "form": form,
        "stats": stats,
        "counting": counting,
        "charts": chart_data(stats) if stats else None,
        "query_string": request.GET.urlencode(),
        "console_section": "statistics",
    }
    response = render(
        request, "monitoring/statistics/page.html", context, status=400 if refused else 202 if counting else 200
    )
    if counting:
        response["Retry-After"] = str(COUNTING_RETRY_AFTER)
    return response


@permission_required("monitoring.view_statistics")
def statistics_page(request):
    form, stats = _chosen(request)
    return _page(request, form, stats)


@permission_required("monitoring.view_statistics")
@export_recorded("statistics")
def statistics_export(request):
    """The figures the page shows (as of when they were counted) as XLSX."""
    form, stats = _chosen(request)
    if stats is None:
        return _page(request, form, stats)
    return statistics_xlsx_response(stats)


statistics_urlpatterns = [
    path("statistics/", statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics_export, name="statistics_export"),
]
