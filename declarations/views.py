"""The applicant site: dashboard, organisation profile, and declarations from draft to submission."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.security import export_record, visible_or_404
from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.http import client_address
from common.limits import TOO_MANY_REQUESTS, limit_reached, per_address
from common.private_files import private_file_response
from common.views import permission_required
from declarations import commitment, document_services, documents, estimator, selectors, services, steps
from declarations.dashboard import dashboard_rows
from declarations.enums import DeclarationAction, DeclarationState, DocumentState, SignatoryCapacity
from declarations.evidence import EVIDENCE
from declarations.forms import (
    AttachmentForm,
    CommitmentForm,
    DeclarationForm,
    FactsForm,
    NewDeclarationForm,
    NoteForm,
    OrganisationForm,
)
from declarations.programmes import PROGRAMMES
from declarations.rules import is_member_of_declaring_organisation
from declarations.validators import evidence_file_name
from declarations.workflow import TransitionRefused, actions_available

ESTIMATES_PER_ADDRESS = per_address("declarations.estimate.address", "ESTIMATE_RATE_PER_ADDRESS")


def _posted(request):
    """The submitted data, even when empty (an empty POST is an invalid form, not a blank page)."""
    return request.POST if request.method == "POST" else None


def _own_declaration(request, pk):
    """The declaration if it belongs to the user's organisation; 404 otherwise, never a hint (one
    of another organisation's is recorded as a denial)."""
    declaration = selectors.declaration_with_parts(pk)
    if declaration is not None and is_member_of_declaring_organisation(request.user, declaration):
        return declaration
    return visible_or_404(request, selectors.declaration_list_for_applicant(request.user), pk=pk)


def _bars(user):
    """Why the user's organisation may not declare now, shown before they start."""
    return services.registers_barring(user.organisation) if user.organisation_id else []


@permission_required("declarations.create_declaration")
def dashboard(request):
    user = request.user
    page = selectors.dashboard_page(user, request.GET.get("page"))
    return render(
        request,
        "declarations/dashboard.html",
        {
            "page": page,
            "rows": dashboard_rows(page),
            "calls": selectors.calls_open_now(),
            "notices": user.notices.all()[:5],
            "bars": _bars(user),
        },
    )


def _organisation_form(request, org):
    initial = {name: getattr(org, name) for name in services.ORGANISATION_FIELDS} | {"organisation_name": org.name}
    return OrganisationForm(_posted(request), initial=initial)


def _organisation_saved(request, form, org):
    """Save a valid profile form through the service; False, with the refusal on the form, otherwise."""
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    data["name"] = data.pop("organisation_name")
    try:
        services.organisation_update(organisation_id=org.pk, actor=request.user, **data)
    except ValidationError as invalid:
        form.add_error(None, invalid)
        return False
    except TransitionRefused as refusal:
        form.add_error(None, str(refusal))
        return False
    messages.success(request, _("The organisation profile was saved."))
    return True


@permission_required("declarations.create_declaration")
def organisation(request):
    org = request.user.organisation
    form = _organisation_form(request, org)
    if request.method == "POST" and _organisation_saved(request, form, org):
        return redirect("declarations:organisation")
    return render(request, "declarations/organisation.html", {"form": form, "organisation": org})


@permission_required("declarations.create_declaration")
def declaration_new(request):
    user = request.user
    calls = selectors.calls_open_now()
    form = NewDeclarationForm(_posted(request), calls=calls)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.declaration_create(
                actor=user,
                call=form.cleaned_data["call"],
                programme=form.cleaned_data["programme"],
                title=form.cleaned_data["title"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Draft created. Each step is saved when you continue; come back at any time."))
            return redirect("declarations:step", pk=declaration.pk, step="organisation")
    return render(
        request,
        "declarations/new.html",
        {"form": form, "calls": calls, "bars": _bars(user)},
    )


@permission_required("declarations.create_declaration")
def declaration_detail(request, pk):
    declaration = _own_declaration(request, pk)
    spec = PROGRAMMES[declaration.programme.code]
    facts = [(fact, declaration.facts.get(fact.name)) for fact in spec.facts]
    return render(
        request,
        "declarations/detail.html",
        {
            "declaration": declaration,
            "money": selectors.declaration_money(declaration),
            "facts": facts,
            "award": selectors.declaration_award_summary(declaration),
            "events": selectors.declaration_events(declaration),
            "rounds": selectors.declaration_rounds(declaration),
            "attachments": selectors.declaration_evidence(declaration),
            "commitment": selectors.declaration_standing_commitment(declaration),
            "actions": actions_available(declaration, request.user),
            "problems": services.declaration_submission_problems(declaration) if declaration.is_editable else [],
            "note_form": NoteForm(),
        },
    )


@permission_required("declarations.create_declaration")
def declaration_edit(request, pk):
    """Resume a draft where something is left to do."""
    declaration = _own_declaration(request, pk)
    if not declaration.is_editable:
        messages.info(request, _("A submitted declaration can no longer be changed."))
        return redirect("declarations:detail", pk=pk)
    problems = services.declaration_submission_problems(declaration)
    return redirect("declarations:step", pk=pk, step=steps.resume_step(problems, declaration))


def _editable(request, pk):
    """The declaration if the user may change it now, or a redirect to its read-only page."""
    declaration = _own_declaration(request, pk)
    if not declaration.is_editable:
        messages.info(request, _("A submitted declaration can no longer be changed."))
        return declaration, redirect("declarations:detail", pk=pk)
    return declaration, None


def _after_save(request, declaration, step):
    """Where a saved step goes: the step the applicant chose in the stepper, the next, or back."""
    target = request.POST.get("goto")
    if target not in steps.SLUGS:
        target = step if "stay" in request.POST else steps.next_step(step)
    return redirect("declarations:step", pk=declaration.pk, step=target)


def _step_page(request, declaration, step, context):
    problems = services.declaration_submission_problems(declaration)
    return render(
        request,
        f"declarations/steps/{step}.html",
        {
            "declaration": declaration,
            "step": step,
            "steps": steps.step_states(step, problems, declaration),
            # On a step with a form, the stepper's buttons save the step before they leave it.
            "stepper_saves": step != "review",
            "previous": steps.previous_step(step),
            "problems": problems,
            "step_problems": [p for p in problems if p.step == step],
            "returns": declaration.events.filter(action=DeclarationAction.RETURN).order_by("-created_at"),
            **context,
        },
    )


@permission_required("declarations.create_declaration")
def step_organisation(request, pk):
    declaration, leave = _editable(request, pk)
    if leave:
        return leave
    form = _organisation_form(request, declaration.organisation)
    if request.method == "POST":
        if _organisation_saved(request, form, declaration.organisation):
            return _after_save(request, declaration, "organisation")
        _not_saved(request)
    return _step_page(request, declaration, "organisation", {"form": form})


@permission_required("declarations.create_declaration")
def step_project(request, pk):
    declaration, leave = _editable(request, pk)
    if leave:
        return leave
    form = DeclarationForm(_posted(request), instance=declaration)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.declaration_update(
                    declaration_id=declaration.pk,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                )
            except TransitionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("declarations:detail", pk=pk)
            messages.success(request, _("Your draft was saved."))
            return _after_save(request, declaration, "project")
        _not_saved(request)
    return _step_page(request, declaration, "project", {"form": form})


@permission_required("declarations.create_declaration")
def step_facts(request, pk):
    declaration, leave = _editable(request, pk)
    if leave:
        return leave
    form = FactsForm(_posted(request), programme_code=declaration.programme.code, facts=declaration.facts)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.declaration_update(declaration_id=declaration.pk, actor=request.user, facts=form.facts())
            except TransitionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("declarations:detail", pk=pk)
            messages.success(request, _("Your draft was saved."))
            return _after_save(request, declaration, "facts")
        _not_saved(request)
    award = selectors.declaration_award_summary(declaration, form.typed_facts() if form.is_bound else None)
    return _step_page(request, declaration, "facts", {"form": form, "award": award})


@permission_required("declarations.create_declaration")
@require_POST
def precheck(request, pk):
    """The award engine's estimate for the facts as typed, not saved: the pre-check beside the form."""
    declaration = _own_declaration(request, pk)
    form = FactsForm(request.POST, programme_code=declaration.programme.code, facts=declaration.facts)
    award = selectors.declaration_award_summary(declaration, form.typed_facts())
    return render(request, "declarations/steps/_precheck.html", {"award": award, "declaration": declaration})


def _attachment_forms(declaration, evidence, posted):
    """One upload form per kind of evidence, each with its own control (the kind is implied); the
    posted one, bound and with its messages, in its kind's place."""
    code = declaration.programme.code

    def form_for(kind):
        if posted.data.get("evidence") == kind.code:
            return posted
        return AttachmentForm(programme_code=code, evidence=kind)

    return [
        {
            "evidence": kind,
            "files": files,
            "missing": kind.required and not files,
            "form": form_for(kind),
        }
        for kind, files in evidence
    ]


def _attach_each(request, declaration, form):
    """Keep each accepted file through the service; a file the service refuses is added to the
    form's refusals, and the others stay kept."""
    for uploaded in form.cleaned_data["file"]:
        try:
            attachment = services.attachment_add(
                declaration_id=declaration.pk,
                actor=request.user,
                evidence=form.cleaned_data["evidence"],
                uploaded_file=uploaded,
            )
        except ValidationError as refusal:
            form.refuse(uploaded, refusal.messages)
        except TransitionRefused as refusal:
            form.refuse(uploaded, [str(refusal)])
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": attachment.original_name})


def _next_missing_anchor(declaration):
    """Where the page goes after an upload: the next required kind of evidence without a file, or,
    when none is missing, the way on to the next step."""
    missing = [kind for kind, files in selectors.declaration_evidence(declaration) if kind.required and not files]
    return f"#item-{missing[0].code}" if missing else "#attachments-done"


@permission_required("declarations.create_declaration")
def step_attachments(request, pk):
    declaration, leave = _editable(request, pk)
    if leave:
        return leave
    if request.method == "POST" and "goto" in request.POST and not request.FILES:
        return _after_save(request, declaration, "attachments")
    code = declaration.programme.code
    kinds = {kind.code: kind for kind in EVIDENCE[code]}
    form = AttachmentForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        programme_code=code,
        evidence=kinds.get(request.POST.get("evidence", "")) if request.method == "POST" else None,
    )
    if request.method == "POST":
        if form.is_valid():
            _attach_each(request, declaration, form)
            if not form.refused:
                url = reverse("declarations:step", kwargs={"pk": pk, "step": "attachments"})
                return redirect(url + _next_missing_anchor(declaration))
            form.add_error("file", form.refused)
            messages.error(
                request,
                ngettext(
                    "%(count)d file was not attached; the message at its control says why.",
                    "%(count)d files were not attached; the messages at their control say why.",
                    len(form.refused),
                )
                % {"count": len(form.refused)},
            )
        else:
            messages.error(request, _("The file was not attached; the message below says why."))
    evidence = selectors.declaration_evidence(declaration)
    return _step_page(
        request,
        declaration,
        "attachments",
        {
            "form": form,
            "items": _attachment_forms(declaration, evidence, form),
            # A refusal for a kind of evidence the page has no control for (a forged post) is shown above.
            "unplaced_errors": form.is_bound and form.errors and form.data.get("evidence") not in kinds,
            "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        },
    )


@permission_required("declarations.create_declaration")
@require_POST
def attachment_remove(request, pk, attachment_pk):
    declaration = _own_declaration(request, pk)
    attachment = get_object_or_404(declaration.attachments, pk=attachment_pk)
    try:
        services.attachment_remove(attachment_id=attachment.pk, actor=request.user)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": attachment.original_name})
    return redirect("declarations:step", pk=pk, step="attachments")


@permission_required("declarations.create_declaration")
def step_commitment(request, pk):
    declaration, leave = _editable(request, pk)
    if leave:
        return leave
    org = declaration.organisation
    initial = {"signatory_capacity": SignatoryCapacity.LEGAL_REPRESENTATIVE, "signatory_name": org.legal_representative}
    form = CommitmentForm(_posted(request), initial=initial)
    if request.method == "POST":
        if "goto" in request.POST and "accept" not in request.POST:
            return _after_save(request, declaration, "commitment")
        if form.is_valid():
            try:
                services.commitment_sign(
                    declaration_id=declaration.pk,
                    actor=request.user,
                    signatory_name=form.cleaned_data["signatory_name"],
                    signatory_capacity=form.cleaned_data["signatory_capacity"],
                    ip_address=client_address(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except services.CommitmentRefused as refusal:
                form.add_error(refusal.field, str(refusal))
            except TransitionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("declarations:detail", pk=pk)
            else:
                messages.success(request, _("The good-faith commitment was signed."))
                return _after_save(request, declaration, "commitment")
        _not_saved(request)
    standing = selectors.declaration_standing_commitment(declaration)
    return _step_page(
        request,
        declaration,
        "commitment",
        {
            "form": form,
            "text": commitment.commitment_text(),
            "version": commitment.CURRENT_VERSION,
            "standing": standing,
            "covers": standing is not None and services.commitment_covers(standing, declaration),
            "voided": declaration.commitments.filter(voided_at__isnull=False).first(),
        },
    )


@permission_required("declarations.create_declaration")
def step_review(request, pk):
    declaration, leave = _editable(request, pk)
    if leave:
        return leave
    spec = PROGRAMMES[declaration.programme.code]
    return _step_page(
        request,
        declaration,
        "review",
        {
            "facts": [(fact, declaration.facts.get(fact.name)) for fact in spec.facts],
            "award": selectors.declaration_award_summary(declaration),
            "attachments": selectors.declaration_evidence(declaration),
            "commitment": selectors.declaration_standing_commitment(declaration),
        },
    )


STEP_VIEWS = {
    "organisation": step_organisation,
    "project": step_project,
    "facts": step_facts,
    "attachments": step_attachments,
    "commitment": step_commitment,
    "review": step_review,
}


def declaration_step(request, pk, step):
    if step not in STEP_VIEWS:
        raise Http404
    return STEP_VIEWS[step](request, pk)


def _not_saved(request):
    messages.error(request, _("Please correct the fields marked below. Nothing on this step was saved yet."))


def _submit_confirmation(request, declaration):
    """What submitting will do, before it is done: the declaration as it will be sent."""
    confirmation = Confirmation(
        title=_("Submit the declaration"),
        consequences=[
            _("It goes to the commission and can no longer be changed, unless staff return it for revision."),
            _("It receives its declaration number, and the commission starts the acceptance check."),
            _("You can withdraw it until the commission decides."),
        ],
        facts=[
            (_("Project"), declaration.title),
            (_("Programme"), f"{declaration.programme.code} {declaration.programme.title}"),
            (_("Organisation"), declaration.organisation.name),
            (_("Call"), declaration.call.title),
        ],
        button=_("Submit declaration"),
        action_url=reverse("declarations:submit", args=[declaration.pk]),
        cancel_url=reverse("declarations:step", args=[declaration.pk, "review"]),
    )
    return confirmation_page(request, confirmation, base="base.html")


@permission_required("declarations.create_declaration")
@require_http_methods(["GET", "POST"])
def declaration_submit(request, pk):
    """GET (or a POST without the confirmation) shows what submitting will do; the confirmed POST
    submits and shows what happens next."""
    declaration = _own_declaration(request, pk)
    if not is_confirmed(request):
        if not declaration.is_editable:
            return redirect("declarations:detail", pk=pk)
        return _submit_confirmation(request, declaration)
    try:
        declaration = services.declaration_submit(declaration_id=declaration.pk, actor=request.user)
    except services.SubmissionRefused:
        messages.error(request, _("The declaration was not submitted. Please fix what is listed below first."))
        return redirect("declarations:step", pk=pk, step="review")
    except TransitionRefused as refusal:
        declaration.refresh_from_db()
        if declaration.number and not declaration.is_editable and declaration.state != DeclarationState.WITHDRAWN:
            # A second click, or the same submission from another tab: it went through already.
            messages.info(request, _("Declaration %(number)s was already submitted.") % {"number": declaration.number})
        else:
            messages.error(request, str(refusal))
    else:
        messages.success(request, _("Declaration %(number)s was submitted.") % {"number": declaration.number})
        return redirect("declarations:submitted", pk=pk)
    return redirect("declarations:detail", pk=pk)


@permission_required("declarations.create_declaration")
@require_GET
def declaration_submitted(request, pk):
    """After submission: the declaration's number, what happens next and when."""
    declaration = _own_declaration(request, pk)
    if declaration.is_editable or not declaration.number:
        return redirect("declarations:detail", pk=pk)
    call = declaration.call
    return render(
        request,
        "declarations/submitted.html",
        {
            "declaration": declaration,
            "call": call,
            "call_open": call.closes_at > timezone.now(),
            "title": _("Declaration submitted"),
        },
    )


def _withdraw_confirmation(request, declaration, note):
    facts = [(_("Declaration"), f"{declaration.number} {declaration.title}")]
    if note.strip():
        facts.append((_("Reason"), note))
    confirmation = Confirmation(
        title=_("Withdraw the declaration"),
        consequences=[
            _("The declaration is withdrawn: it leaves the evaluation and cannot be submitted again."),
            _("To apply again under an open call, start a new declaration."),
        ],
        facts=facts,
        button=_("Withdraw"),
        action_url=reverse("declarations:withdraw", args=[declaration.pk]),
        cancel_url=reverse("declarations:detail", args=[declaration.pk]),
        danger=True,
    )
    return confirmation_page(request, confirmation, base="base.html")


@permission_required("declarations.create_declaration")
@require_POST
def declaration_withdraw(request, pk):
    """A POST without the confirmation shows what withdrawing will do; the confirmed one withdraws."""
    declaration = _own_declaration(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        # Nothing is withdrawn on a reason that cannot be kept as typed.
        messages.error(request, " ".join(form.errors["note"]))
        return redirect("declarations:detail", pk=pk)
    if not is_confirmed(request):
        return _withdraw_confirmation(request, declaration, form.cleaned_data["note"])
    try:
        services.declaration_withdraw(declaration_id=declaration.pk, actor=request.user, note=form.cleaned_data["note"])
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The declaration was withdrawn."))
    return redirect("declarations:detail", pk=pk)


def _visible_declaration(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    return visible_or_404(request, selectors.declarations_visible_to(request.user), pk=pk)


def attachment_download(request, pk, attachment_pk):
    """An evidence file, to those who may see its declaration; 404 to everyone else. Always a
    download, never shown in the browser: a file is judged by its content, but a browser's own
    viewer is one more program it reaches."""
    declaration = _visible_declaration(request, pk)
    attachment = get_object_or_404(declaration.attachments, pk=attachment_pk)
    return private_file_response(
        attachment.file,
        content_type=attachment.content_type,
        # Named again from the checked type: a name kept before names were normalised is made safe.
        filename=evidence_file_name(attachment.original_name, attachment.content_type),
    )


def _current_document(request, pk):
    """The visible, numbered declaration and the document of what its PDF shows now, in the reader's
    language (asked for, and so queued, if it does not exist yet); 404 as the declaration itself."""
    declaration = _visible_declaration(request, pk)
    if not declaration.number:
        raise Http404
    document = document_services.declaration_document_request(
        declaration_id=declaration.pk,
        content_hash=documents.declaration_content_hash(declaration),
        language=get_language(),
    )
    return declaration, document


def declaration_pdf(request, pk):
    """The submitted declaration with its commitment, as a PDF: the stored document of its current
    content when it is ready; until then a page that waits for it (queued or being rendered by a
    worker) or says it failed and offers a retry."""
    declaration, document = _current_document(request, pk)
    if document.state == DocumentState.READY:
        export_record(request, name="declaration_pdf", obj=declaration)
        return private_file_response(
            document.file, filename=f"{declaration.number}.pdf", content_type="application/pdf"
        )
    return render(
        request,
        "declarations/pdf_preparing.html",
        {"declaration": declaration, "document": document, "failed": document.state == DocumentState.FAILED},
        status=202,
    )


@require_GET
def declaration_pdf_status(request, pk, document_pk):
    """How far one of the declaration's documents is, as JSON, for the page that waits for it. It
    reads the document's row only: whether the document is still the current one is decided by the
    PDF's own URL, where the waiting page goes when this says ready (or failed)."""
    declaration = _visible_declaration(request, pk)
    document = get_object_or_404(declaration.documents, pk=document_pk)
    state = DocumentState(document.state)
    response = JsonResponse(
        {
            "state": state.value,
            "label": str(state.label),
            "progress": document.progress,
            "ready": state == DocumentState.READY,
            "failed": state == DocumentState.FAILED,
            "url": reverse("declarations:pdf", args=[declaration.pk]),
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def declaration_pdf_retry(request, pk):
    """Queue a failed PDF of the declaration's current content again, and wait for it."""
    _declaration, document = _current_document(request, pk)
    document_services.declaration_document_retry(document_id=document.pk)
    return redirect("declarations:pdf", pk=pk)


def estimate(request):
    """The public award estimator: choose a programme, type its facts, read the engine's estimate.

    Everything travels in GET parameters, so an estimate can be bookmarked and shared. Each estimate
    is counted per client address (settings.ESTIMATE_RATE_PER_ADDRESS); past the limit the form comes
    back with what was typed, a message and HTTP 429, and nothing is estimated."""
    chooser = estimator.ProgrammeChoiceForm(request.GET or None)
    programme = form = result = None
    status = 200
    if chooser.is_valid():
        programme = chooser.chosen
        form = estimator.estimate_form(request.GET, programme.code)
        if form.is_bound and form.is_valid():
            reached = limit_reached(request, [ESTIMATES_PER_ADDRESS], increment=True)
            if reached is None:
                result = form.estimate()
            else:
                form.add_error(
                    None,
                    _(
                        "Too many estimates were asked for from your network address in a short time. What you "
                        "typed is kept below. Please try again after %(when)s."
                    )
                    % {"when": date_format(reached[1], "DATETIME_FORMAT")},
                )
                status = TOO_MANY_REQUESTS
    return render(
        request,
        "declarations/estimate.html",
        {"chooser": chooser, "programme": programme, "form": form, "result": result, "shown": estimator.SHOWN},
        status=status,
    )
