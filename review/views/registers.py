"""The registers of Art. 16 and 17 (overview, records, import, templates to fill in) and the
double-funding check of Art. 16 (the card on the declaration page, the side-by-side comparison with
a judgement per match). Commission staff only."""

from decimal import ROUND_HALF_UP

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from common.forms import MAX_PK
from common.http import query_without_page
from common.views import permission_required
from review import registers
from review.double_funding import (
    JUDGEMENTS,
    JudgementRefused,
    declaration_text,
    double_funding_check,
    double_funding_matches,
    match_judge,
    record_text,
    shared_segments,
)
from review.models import MatchJudgement, Register
from review.views.declaration import console_declaration

PER_PAGE = 50

# --- Forms (input validation only) ---------------------------------------------------------------


class RegisterImportForm(forms.Form):
    register = forms.ChoiceField(
        label=pgettext_lazy("register of records", "Register"), choices=Register.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GB18030) or XLSX, at most 5 MB and 20,000 rows, with a header row naming the columns. "
            "A file with any error imports nothing."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class RecordSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Credit code or name"), required=False, max_length=100)


class MatchJudgementForm(forms.Form):
    judgement = forms.ChoiceField(
        label=gettext_lazy("Judgement"),
        choices=[(value, MatchJudgement(value).label) for value in JUDGEMENTS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Reason for the judgement"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


# --- The registers -------------------------------------------------------------------------------


def _register_or_404(register):
    if register not in Register.values:
        raise Http404
    return Register(register)


@permission_required("console.staff")
def registers_overview(request):
    counts = registers.register_counts()
    return render(
        request,
        "review/registers/overview.html",
        {
            "registers": [(register, counts[register]) for register in Register],
            "imports": registers.register_imports_latest(),
            "console_section": "registers",
        },
    )


@permission_required("console.staff")
def register_records_page(request, register):
    register = _register_or_404(register)
    form = RecordSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(registers.register_records(register, q), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/registers/records.html",
        {
            "register": register,
            "page": page,
            "search_form": form,
            "q": q,
            "query_string": query_without_page(request),
            "console_section": "registers",
        },
    )


@permission_required("console.staff")
def register_import_page(request):
    user = request.user
    report = None
    if request.method == "POST":
        form = RegisterImportForm(request.POST, request.FILES)
        if form.is_valid():
            register = form.cleaned_data["register"]
            report = registers.register_import(register=register, uploaded_file=form.cleaned_data["file"], actor=user)
            if report.ok:
                messages.success(request, _import_message(report))
                return redirect("review:register_records", register=register)
            for error in report.file_errors:
                form.add_error("file", error.message)
            if report.row_errors:
                form.add_error(
                    "file",
                    _(
                        "%(rows)d of %(total)d rows have errors, listed below; nothing was imported. "
                        "Correct them and upload the file again."
                    )
                    % {"rows": report.bad_rows, "total": report.rows},
                )
    else:
        initial = request.GET.get("register")
        form = RegisterImportForm(initial={"register": initial if initial in Register.values else None})
    return render(
        request,
        "review/registers/import.html",
        {"form": form, "report": report, "console_section": "registers"},
    )


def _import_message(report):
    values = {"register": Register(report.register).label, "imported": report.imported, "skipped": report.skipped}
    message = ngettext(
        "%(register)s: %(imported)d record imported.", "%(register)s: %(imported)d records imported.", report.imported
    )
    if report.skipped:
        message += " " + ngettext(
            "%(skipped)d row was in the register already and was skipped.",
            "%(skipped)d rows were in the register already and were skipped.",
            report.skipped,
        )
    return message % values


@permission_required("console.staff")
def register_template(request, register, fmt):
    register = _register_or_404(register)
    if fmt == "xlsx":
        content = registers.register_template_xlsx(register)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = registers.register_template_csv(register)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{register.value}-register-template.{fmt}"'
    return response


# --- Double funding ------------------------------------------------------------------------------


def _comparisons(declaration, forms_by_match=None):
    """One row per match: the match, its judgement form, and both sides cut into shared and other parts."""
    forms_by_match = forms_by_match or {}
    ours = declaration_text(declaration)
    rows = []
    for match in double_funding_matches(declaration):
        theirs = record_text(match.record)
        rows.append(
            {
                "match": match,
                "percent": int((match.similarity * 100).to_integral_value(rounding=ROUND_HALF_UP)),
                "form": forms_by_match.get(match.pk) or MatchJudgementForm(prefix=f"match-{match.pk}"),
                "declaration_title": shared_segments(declaration.title, theirs),
                "declaration_summary": shared_segments(declaration.summary, theirs),
                "record_title": shared_segments(match.record.project_title, ours),
                "record_content": shared_segments(match.record.project_content, ours),
            }
        )
    return rows


def _render_comparison(request, declaration, forms_by_match=None):
    return render(
        request,
        "review/registers/double_funding.html",
        {
            "declaration": declaration,
            "comparisons": _comparisons(declaration, forms_by_match),
            "console_section": "queue",
        },
    )


def _match_id(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number <= MAX_PK:
        raise Http404
    return number


@permission_required("console.staff")
def double_funding_page(request, pk):
    user = request.user
    declaration = console_declaration(request, pk)
    if request.method != "POST":
        return _render_comparison(request, declaration)
    match_id = _match_id(request.POST.get("match"))
    if not declaration.double_funding_matches.filter(pk=match_id).exists():
        raise Http404
    form = MatchJudgementForm(request.POST, prefix=f"match-{match_id}")
    if form.is_valid():
        try:
            match_judge(
                match_id=match_id,
                actor=user,
                judgement=form.cleaned_data["judgement"],
                note=form.cleaned_data["note"],
            )
        except JudgementRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            messages.success(request, _("Judgement recorded."))
            return redirect("review:double_funding", pk=declaration.pk)
    messages.error(request, _("Please correct the fields marked below."))
    return _render_comparison(request, declaration, {match_id: form})


@permission_required("console.staff")
@require_POST
def double_funding_recheck(request, pk):
    declaration = console_declaration(request, pk)
    matches = double_funding_check(declaration)
    if matches:
        messages.warning(
            request,
            _("Double-funding check run: %(count)d possible double funding, %(pending)d to be judged.")
            % {"count": len(matches), "pending": sum(m.judgement == MatchJudgement.PENDING for m in matches)},
        )
    else:
        messages.success(
            request, _("Double-funding check run: no funded project of this unit resembles this declaration.")
        )
    if request.POST.get("next") == "compare":
        return redirect("review:double_funding", pk=declaration.pk)
    return redirect("review:declaration", pk=declaration.pk)


urlpatterns = [
    path("registers/", registers_overview, name="registers"),
    path("registers/import/", register_import_page, name="register_import"),
    path("registers/<slug:register>/", register_records_page, name="register_records"),
    path("registers/<slug:register>/template.csv", register_template, {"fmt": "csv"}, name="register_template_csv"),
    path("registers/<slug:register>/template.xlsx", register_template, {"fmt": "xlsx"}, name="register_template_xlsx"),
    path("<int:pk>/double-funding/", double_funding_page, name="double_funding"),
    path("<int:pk>/double-funding/check/", double_funding_recheck, name="double_funding_check"),
]
