"""The evaluation queue: the declarations a console user works through, filtered, sorted and paged;
the staff's bulk actions on a selection of them; the exports of the list and of the decisions."""

import rules
from django import forms
from django.contrib import messages
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.security import export_recorded
from common import forms as fields
from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.forms import BootstrapForm
from common.messages import join_list
from common.views import permission_required
from review import selectors, services
from review.exports import (
    DECISION_COLUMNS,
    DECLARATION_COLUMNS,
    FORMATS,
    decision_queryset,
    export_response,
)
from review.filters import SEARCH_READ_AT_ONCE, DecisionFilter, PageSizeForm, queue_filter_for
from review.models import Decision
from review.services import BulkAction
from review.tables import QueueTable, columns_hidden_from

# The most declarations one bulk action takes: one page at its largest.
BULK_LIMIT = 100
# An assignment takes two steps: the declarations ticked in the queue, then the reviewers, chosen
# on a page of their own that lists each one's load.
REVIEWERS_STAGE = "reviewers"


class BulkActionForm(BootstrapForm):
    """The staff's bulk action on the declarations ticked in the queue. The action is the button
    pressed; each action asks for what it needs."""

    declarations = fields.ModelMultipleChoiceField(
        label=gettext_lazy("Declarations"),
        queryset=None,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": gettext_lazy("Select at least one declaration in the list.")},
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=BulkAction.CHOICES)
    reviewers = fields.ModelMultipleChoiceField(
        label=gettext_lazy("Expert reviewers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("A reviewer with a conflict of interest is refused for that declaration only."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the formal completeness and the conditions of every selected declaration"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Comments"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
    # The queue's filters, to show the same list again.
    query = forms.CharField(widget=forms.HiddenInput, max_length=2000, required=False)
    # Set by the page that lists the reviewers (the second step of an assignment).
    stage = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # The queue's empty form lists neither the declarations (they are ticked in the table)
            # nor the reviewers (the second step lists them, bound): only a posted form reads them.
            return
        self.fields["declarations"].queryset = selectors.declaration_list_for_console(user).order_by("number", "pk")
        self.fields["reviewers"].queryset = selectors.reviewers_with_load()
        self.fields["reviewers"].label_from_instance = lambda r: (
            _("%(name)s (%(count)d open)") % {"name": r, "count": r.open_evaluations}
        )

    def clean_declarations(self):
        declarations = self.cleaned_data["declarations"]
        if len(declarations) > BULK_LIMIT:
            raise forms.ValidationError(
                _("Select at most %(limit)d declarations at a time.") % {"limit": BULK_LIMIT}, code="too_many"
            )
        return declarations

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        reviewers_missing = not cleaned.get("reviewers") and not self.has_error("reviewers")
        if action == BulkAction.ASSIGN and self.choosing_reviewers and reviewers_missing:
            self.add_error("reviewers", _("Choose at least one expert reviewer."))
        if action == BulkAction.ACCEPT and not cleaned.get("confirm"):
            self.add_error("confirm", _("Confirm that you have checked every selected declaration."))
        return cleaned

    @property
    def choosing_reviewers(self):
        """Posted from the page that lists the reviewers, the second step of an assignment."""
        return self.data.get("stage") == REVIEWERS_STAGE

    def selected_ids(self):
        """The declaration ids that were ticked, valid or not, to tick them again."""
        return {int(pk) for pk in self.data.getlist("declarations") if pk.isdigit() and len(pk) < 19}


# --- views --------------------------------------------------------------------------------------


class CountedPaginator(Paginator):
    """A paginator told how many rows there are: the reviewer's tab counts hold the count of an
    unfiltered tab already, and counting the tab again would probe every declaration."""

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


def _paginate(table, per_page, number, count=None):
    """Page `number` of the table; the first page for text that is not a page number, the last for
    a number past the end. `count`, when known, spares the paginator its count."""
    options = {"paginator_class": CountedPaginator, "count": count} if count is not None else {}
    try:
        table.paginate(per_page=per_page, page=number or 1, **options)
    except PageNotAnInteger:
        table.paginate(per_page=per_page, page=1, **options)
    except EmptyPage:
        table.paginate(per_page=per_page, page=table.paginator.num_pages, **options)


def _without(params, *keys):
    params = params.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def _tab_query(params, tab):
    params = params.copy()
    params.pop("page", None)
    params["tab"] = tab
    return params.urlencode()


def render_queue(request, user, params, *, bulk_form=None, status=200):
    """The queue page for `params` (the filters, the sort, the page): only the declarations the
    user may see; the bulk actions for commission staff; the exports for staff and finance."""
    filterset = queue_filter_for(user, params)
    size_form = PageSizeForm(params)
    is_staff = rules.has_perm("console.staff", user)
    if is_staff and bulk_form is None:
        bulk_form = BulkActionForm(user=user, initial={"query": _without(params, "page")})
    declarations, reviewer_tabs, tab, known_count = filterset.declarations, None, "", None
    if rules.has_perm("review.evaluate", user):
        tab = params.get("tab") if params.get("tab") in selectors.REVIEWER_TAB_KEYS else selectors.REVIEWER_TAB_KEYS[0]
        declarations = selectors.declarations_in_reviewer_tab(declarations, user, tab)
        counts = selectors.reviewer_tab_counts(user)
        if filterset.is_valid() and not any(filterset.form.cleaned_data.get(name) for name in filterset.filters):
            known_count = counts[tab]
        reviewer_tabs = [
            {
                "key": t.key,
                "label": t.label,
                "count": counts[t.key],
                "current": t.key == tab,
                "query": _tab_query(params, t.key),
            }
            for t in selectors.REVIEWER_TABS
        ]
    elif filterset.is_valid() and not any(filterset.form.cleaned_data.get(name) for name in filterset.filters):
        known_count = selectors.console_queue_count(user)
    table = QueueTable(
        # The table sorts and pages the declarations reading their ids alone; it reads what it
        # shows for the declarations of its page only (QueueTable.page_rows).
        declarations.select_related(None).only("pk"),
        exclude=columns_hidden_from(user),
        selected=bulk_form.selected_ids() if bulk_form is not None and bulk_form.is_bound else (),
        params=request.GET,
        whole_queue=known_count is not None,
    )
    table.order_by = params.getlist(table.prefixed_order_by_field)
    if filterset.is_valid() and filterset.form.cleaned_data.get("q"):
        # A search finds few declarations: they are counted and paged by one read.
        table.read_at_once(SEARCH_READ_AT_ONCE)
    _paginate(table, size_form.per_page_value, params.get(table.prefixed_page_field), known_count)
    context = {
        "title": _("My evaluations") if rules.has_perm("review.evaluate", user) else _("Declarations"),
        "filter_form": filterset.form,
        "reviewer_tabs": reviewer_tabs,
        "reviewer_tab": tab,
        "show_scores": "score_min" in filterset.filters,
        "size_form": size_form,
        "table": table,
        # The declarations on this page, as other list pages give them (their ids alone are read).
        "page": Page([row.record for row in table.page.object_list], table.page.number, table.paginator),
        "bulk_form": bulk_form,
        "may_export": rules.has_perm("console.export", user),
        "export_query": _without(params, "page", "per_page"),
        "decisions_query": QueryDict(mutable=True),
        "console_section": "queue",
    }
    for key in ("call", "programme"):
        if params.get(key):
            context["decisions_query"][key] = params[key]
    context["decisions_query"] = context["decisions_query"].urlencode()
    return render(request, "review/queue.html", context, status=status)


@permission_required("console.enter")
def queue(request):
    user = request.user
    return render_queue(request, user, request.GET)


@permission_required("console.staff")
@require_POST
def bulk(request):
    """Run a bulk action on the ticked declarations. An assignment first shows the expert reviewers
    with their load to choose from. A form error shows the page it came from again, with it."""
    user = request.user
    form = BulkActionForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, _("Please correct the fields marked below."))
        if "reviewers" in form.errors and "declarations" in form.cleaned_data:
            return _render_reviewer_choice(request, form)
        return render_queue(request, user, QueryDict(form.cleaned_data.get("query", "")), bulk_form=form)
    data = form.cleaned_data
    if data["action"] == BulkAction.ASSIGN and not data["reviewers"]:
        return _render_reviewer_choice(request, form)
    if not is_confirmed(request):
        return confirmation_page(request, _bulk_confirmation(data), extra={"console_section": "queue"})
    outcomes = services.declarations_bulk_apply(
        action=data["action"],
        declarations=data["declarations"],
        actor=user,
        reviewers=data["reviewers"],
        note=data["note"],
    )
    return render(
        request,
        "review/queue/bulk_result.html",
        {
            "action_label": dict(BulkAction.CHOICES)[data["action"]],
            "outcomes": outcomes,
            "counts": {status: sum(1 for o in outcomes if o.status == status) for status in services.BULK_OUTCOMES},
            "query": data["query"],
            "console_section": "queue",
        },
    )


def _bulk_confirmation(data):
    """What the bulk action in the valid form's `data` will do to the declarations ticked."""
    declarations = list(data["declarations"])
    count = len(declarations)
    action = data["action"]
    if action == BulkAction.ASSIGN:
        lines = [
            ngettext(
                "%(names)s are assigned to the declaration below; each is told.",
                "%(names)s are assigned to each of the %(count)d declarations below; each is told.",
                count,
            )
            % {"names": join_list(data["reviewers"]), "count": count},
            _("An assignment cannot be taken back: a reviewer leaves only by declaring a conflict of interest."),
            _("An accepted declaration starts its expert evaluation."),
        ]
    elif action == BulkAction.ACCEPT:
        lines = [
            ngettext(
                "The declaration below is accepted: it passed the formal review and goes on to expert evaluation.",
                "Each of the %(count)d declarations below is accepted: it passed the formal review and goes on "
                "to expert evaluation.",
                count,
            )
            % {"count": count},
            _("The unit is checked again under Art. 17 first: a record found disqualifies the declaration instead."),
            _("The applicants are told, and can no longer change their declarations."),
        ]
    else:
        lines = [
            ngettext(
                "The declaration below is decided as its evaluation meeting proposed: supported with the proposed "
                "amount, or not supported.",
                "Each of the %(count)d declarations below is decided as its evaluation meeting proposed: supported "
                "with the proposed amount, or not supported.",
                count,
            )
            % {"count": count},
            _("The applicants are told; supported projects are then listed for publicity."),
        ]
    lines.append(_("Each is done on its own: one that may not be done now is left unchanged, with the reason."))
    facts = [
        (
            _("Declarations"),
            "\n".join(f"{d.number or '—'} {d.title} ({d.organisation.name})" for d in declarations),
        )
    ]
    if data.get("note"):
        facts.append((_("Comments"), data["note"]))
    back = reverse("review:queue") + (f"?{data['query']}" if data.get("query") else "")
    return Confirmation(
        title=dict(BulkAction.CHOICES)[action],
        consequences=lines,
        facts=facts,
        action_url=reverse("review:bulk"),
        cancel_url=back,
    )


def _render_reviewer_choice(request, form):
    return render(
        request,
        "review/queue/bulk_assign.html",
        {
            "bulk_form": form,
            "declarations": form.cleaned_data["declarations"],
            "query": form.cleaned_data.get("query", ""),
            "stage": REVIEWERS_STAGE,
            "console_section": "queue",
        },
    )


def _exporter(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    return request.user


@permission_required("console.export")
@export_recorded("declarations")
def export_declarations(request, fmt):
    """The queue's declarations as filtered and sorted, every page of them."""
    user = _exporter(request, fmt)
    filterset = queue_filter_for(user, request.GET)
    if not filterset.is_valid():
        messages.error(request, _("Please correct the filters before exporting."))
        return render_queue(request, user, request.GET, status=400)
    table = QueueTable(filterset.qs, order_by=request.GET.getlist("sort"))
    declarations = selectors.with_queue_columns(table.data.data)
    return export_response(fmt, DECLARATION_COLUMNS, declarations, stem="declarations", sheet_title=_("Declarations"))


@permission_required("console.export")
@export_recorded("decisions")
def export_decisions(request, fmt):
    """The decisions, filtered by the queue's call and programme."""
    user = _exporter(request, fmt)
    filterset = DecisionFilter(request.GET, queryset=Decision.objects.all())
    if not filterset.is_valid():
        messages.error(request, _("Please correct the filters before exporting."))
        return render_queue(request, user, request.GET, status=400)
    return export_response(
        fmt, DECISION_COLUMNS, decision_queryset(filterset.decisions), stem="decisions", sheet_title=_("Decisions")
    )


urlpatterns = [
    path("", queue, name="queue"),
    path("bulk/", bulk, name="bulk"),
    path("export/declarations.<slug:fmt>", export_declarations, name="export_declarations"),
    path("export/decisions.<slug:fmt>", export_decisions, name="export_decisions"),
]
