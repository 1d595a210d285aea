"""The statistics page of the staff console and its XLSX export (issue 16, item 3)."""

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.security import export_recorded
from common.views import permission_required
from monitoring.statistics import statistics_cached, statistics_years
from monitoring.statistics_exports import statistics_xlsx_response
from monitoring.statistics_forms import StatisticsFilterForm


def _chosen(request):
    """The filter form as asked, and the Statistics it selects (None while it is not valid)."""
    calls, years = statistics_years()
    form = StatisticsFilterForm(request.GET, calls=calls, years=years)
    if not years or not form.is_valid():
        return form, None
    return form, statistics_cached(form.cleaned_data["year"], form.cleaned_data["call"])


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


@permission_required("monitoring.view_statistics")
def statistics_page(request):
    form, stats = _chosen(request)
    context = {
        "form": form,
        "stats": stats,
        "charts": chart_data(stats) if stats else None,
        "query_string": request.GET.urlencode(),
        "console_section": "statistics",
    }
    refused = bool(form.fields["year"].choices) and not form.is_valid()
    return render(request, "monitoring/statistics/page.html", context, status=400 if refused else 200)


@permission_required("monitoring.view_statistics")
@export_recorded("statistics")
def statistics_export(request):
    form, stats = _chosen(request)
    if stats is None:
        context = {"form": form, "stats": None, "charts": None, "console_section": "statistics"}
        return render(request, "monitoring/statistics/page.html", context, status=400)
    return statistics_xlsx_response(stats)


statistics_urlpatterns = [
    path("statistics/", statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics_export, name="statistics_export"),
]
