"""An organisation's page in the staff console: the Art. 17 check of the unit today, its records in
the register of unit status, and the form that records a change of its registration status."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from common.views import permission_required
from declarations.models import Organisation
from review.forms import UnitStatusForm
from review.recheck import unit_recheck
from review.unit_status import unit_status_record, unit_status_records_of

PER_PAGE = 50


def _page(request, organisation, form, status=200):
    return render(
        request,
        "review/organisation.html",
        {
            "organisation": organisation,
            "findings": unit_recheck(organisation),
            "checked_on": timezone.localdate(),
            "page": Paginator(unit_status_records_of(organisation), PER_PAGE).get_page(request.GET.get("page")),
            "form": form,
            "console_section": "registers",
        },
        status=status,
    )


@permission_required("console.staff")
def organisation_page(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if request.method != "POST":
        return _page(request, organisation, UnitStatusForm())
    form = UnitStatusForm(request.POST)
    if form.is_valid():
        try:
            record = unit_status_record(organisation_id=organisation.pk, actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(
                request, _("Recorded in the register of unit status: %(record)s.") % {"record": record.describe()}
            )
            return redirect("review:organisation", pk=organisation.pk)
    messages.error(request, _("Please correct the fields marked below."))
    return _page(request, organisation, form)


urlpatterns = [path("organisations/<int:pk>/", organisation_page, name="organisation")]
