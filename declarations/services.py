"""Every write to organisations, calls and declarations, except `state` (see workflow.py)."""

import hashlib
import json
from dataclasses import dataclass

import rules
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from common import sql
from common.typography import join_list, join_sentences
from declarations import commitment, selectors
from declarations.awards import FactsInvalid, assess_raw
from declarations.enums import DeclarationAction, SignatoryCapacity
from declarations.evidence import EVIDENCE
from declarations.models import Attachment, Commitment, Declaration, DeclarationNumberSequence, Organisation
from declarations.programmes import PROGRAMMES, Kind
from declarations.validators import evidence_file_name, evidence_file_type, normalise_credit_code
from declarations.workflow import EDITABLE_STATES, OPEN_STATES, TransitionRefused, declaration_transition

ORGANISATION_FIELDS = (
    "name",
    "organisation_type",
    "district",
    "registered_capital",
    "established_on",
    "annual_revenue",
    "legal_representative",
)


def organisation_create(*, credit_code, **fields):
    organisation = Organisation(credit_code=normalise_credit_code(credit_code), **fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, organisation_id, actor, **fields):
    """Change the profile (not the credit code, which identifies the organisation).

    When anything changed, in the same transaction: the commitments of its editable declarations
    are voided, then each function settings.ORGANISATION_PROFILE_CHANGED names is called with the
    organisation, its values `before` and the actor (review records a move out of Beijing)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if actor.organisation_id != organisation.pk:
        raise TransitionRefused(_("You are not allowed to do this."))
    before = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}
    for name in ORGANISATION_FIELDS:
        if name in fields:
            setattr(organisation, name, fields[name])
    organisation.full_clean()
    organisation.save()
    if any(getattr(organisation, name) != value for name, value in before.items()):
        for declaration in organisation.declarations.filter(state__in=EDITABLE_STATES):
            _void_commitments(declaration, _("the organisation profile changed"))
        for path in settings.ORGANISATION_PROFILE_CHANGED:
            import_string(path)(organisation, before=before, actor=actor)
    return organisation


def _check_not_barred(organisation):
    bars = registers_barring(organisation)
    if bars:
        raise TransitionRefused(join_sentences(bars))


def declaration_create(*, actor, call, programme, title, summary="", facts=None):
    """Start a draft declaration for the actor's organisation under an open call."""
    if not rules.has_perm("declarations.create_declaration", actor):
        raise TransitionRefused(_("Only applicants declare projects."))
    _check_not_barred(actor.organisation)
    closed = call_closed_reason(call)
    if closed:
        raise TransitionRefused(closed)
    if not call.programmes.filter(pk=programme.pk).exists():
        raise TransitionRefused(_("This programme is not part of this call."))
    declaration = Declaration.objects.create(
        organisation_id=actor.organisation_id,
        call=call,
        programme=programme,
        title=title,
        summary=summary,
        facts=facts or {},
        created_by=actor,
    )
    award_cap_refresh(declaration_id=declaration.pk)
    return declaration


@transaction.atomic
def declaration_update(*, declaration_id, actor, **fields):
    """Save the applicant's edits while the declaration is a draft or returned for revision."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration_id)
    if not rules.has_perm("declarations.edit_declaration", actor, declaration):
        raise TransitionRefused(_("You are not allowed to do this."))
    if not declaration.is_editable:
        raise TransitionRefused(_("A submitted declaration can no longer be changed."))
    changed = [
        name for name in ("title", "summary", "facts") if name in fields and fields[name] != getattr(declaration, name)
    ]
    if not changed:
        return declaration
    for name in changed:
        setattr(declaration, name, fields[name])
    declaration.save()
    _void_commitments(declaration, _("the declaration was changed"))
    award_cap_refresh(declaration_id=declaration.pk)
    return declaration


def _editable_declaration(declaration_id, actor):
    """The declaration's row, locked, if `actor` may change it now; TransitionRefused otherwise."""
    declaration = Declaration.objects.select_for_update(of=("self",)).select_related("programme").get(pk=declaration_id)
    if not rules.has_perm("declarations.edit_declaration", actor, declaration):
        raise TransitionRefused(_("You are not allowed to do this."))
    if not declaration.is_editable:
        raise TransitionRefused(_("A submitted declaration can no longer be changed."))
    return declaration


@transaction.atomic
def attachment_add(*, declaration_id, actor, evidence, uploaded_file):
    """Keep one evidence file of the declaration, typed by its content (validators.evidence_file_type)."""
    declaration = _editable_declaration(declaration_id, actor)
    if evidence not in {e.code for e in EVIDENCE[declaration.programme.code]}:
        raise TransitionRefused(_("This kind of evidence is not part of this programme."))
    content_type = evidence_file_type(uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    attachment = Attachment(
        declaration=declaration,
        evidence=evidence,
        original_name=evidence_file_name(uploaded_file.name, content_type),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save("evidence", uploaded_file, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    _void_commitments(declaration, _("an evidence file was added"))
    return attachment


@transaction.atomic
def attachment_remove(*, attachment_id, actor):
    attachment = Attachment.objects.select_related("declaration").get(pk=attachment_id)
    declaration = _editable_declaration(attachment.declaration_id, actor)
    stored = attachment.file.name
    attachment.delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(stored))
    _void_commitments(declaration, _("an evidence file was removed"))


def _void_commitments(declaration, reason):
    Commitment.objects.filter(declaration=declaration, voided_at__isnull=True).update(
        voided_at=timezone.now(), void_reason=str(reason)[:200]
    )


def _commitment_hash(declaration, *, version, text, signatory_name, signatory_capacity, attachments=None):
    if attachments is None:
        attachments = declaration.attachments.all()
    content = commitment.declaration_content(declaration, attachments)
    return commitment.content_hash(
        version=version,
        text=text,
        signatory_name=signatory_name,
        signatory_capacity=signatory_capacity,
        content=content,
    )


def commitment_covers(signed, declaration, attachments=None):
    """Whether a signed commitment still covers the declaration as it is now (with `attachments`,
    its files when read already)."""
    return signed.voided_at is None and signed.content_hash == _commitment_hash(
        declaration,
        version=signed.version,
        text=signed.text,
        signatory_name=signed.signatory_name,
        signatory_capacity=signed.signatory_capacity,
        attachments=attachments,
    )


class CommitmentRefused(TransitionRefused):
    """The signatory cannot sign as they say; `field` is the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@transaction.atomic
def commitment_sign(*, declaration_id, actor, signatory_name, signatory_capacity, ip_address=None, user_agent=""):
    """Record the applicant's acceptance of the current commitment letter (Art. 19) for the
    declaration as it is now; a commitment signed before is replaced."""
    declaration = _editable_declaration(declaration_id, actor)
    signatory_name = " ".join((signatory_name or "").split())
    if not signatory_name:
        raise CommitmentRefused(_("Please give the signatory's name."), "signatory_name")
    legal_representative = declaration.organisation.legal_representative.strip()
    if signatory_capacity == SignatoryCapacity.LEGAL_REPRESENTATIVE:
        if not legal_representative:
            raise CommitmentRefused(
                _("The organisation profile names no legal representative: add one, or sign as an authorised contact."),
                "signatory_capacity",
            )
        if signatory_name != " ".join(legal_representative.split()):
            raise CommitmentRefused(
                _("The organisation's legal representative is %(name)s; sign in that name or as an authorised contact.")
                % {"name": legal_representative},
                "signatory_name",
            )
    elif signatory_capacity != SignatoryCapacity.AUTHORISED_CONTACT:
        raise CommitmentRefused(_("Choose whether you sign as legal representative or authorised contact."))
    version = commitment.CURRENT_VERSION
    text = commitment.commitment_text(version)
    _void_commitments(declaration, _("signed again"))
    return Commitment.objects.create(
        declaration=declaration,
        version=version,
        text=text,
        language=translation.get_language() or "",
        signatory_name=signatory_name,
        signatory_capacity=signatory_capacity,
        signed_by=actor,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
        content_hash=_commitment_hash(
            declaration,
            version=version,
            text=text,
            signatory_name=signatory_name,
            signatory_capacity=signatory_capacity,
        ),
    )


def call_dates(call):
    """When the call opens and closes, in Beijing time and the locale's short format."""
    return {
        "opens": date_format(timezone.localtime(call.opens_at), "SHORT_DATETIME_FORMAT"),
        "closes": date_format(timezone.localtime(call.closes_at), "SHORT_DATETIME_FORMAT"),
    }


def _next_number(declaration):
    """ZGC-<support year>-<programme>-<six digits>, from a per-year, per-programme counter taken in
    one statement: the counter's row is created or incremented, and stays locked until the
    transaction ends, so no two declarations get the same number."""
    quote = connection.ops.quote_name
    seq = sql.table(DeclarationNumberSequence)
    year_column, code_column, last = (
        quote(f.column) for f in sql.fields_of(DeclarationNumberSequence, "year", "programme_code", "last")
    )
    year, code = declaration.call.year, declaration.programme.code
    statement = (
        f"INSERT INTO {seq} ({year_column}, {code_column}, {last}) VALUES (%s, %s, 1) "  # nosec B608 # names from the model, values bound
        f"ON CONFLICT ({year_column}, {code_column}) DO UPDATE SET {last} = {seq}.{last} + 1 RETURNING {last}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [year, code])
        (number,) = cursor.fetchone()
    return f"ZGC-{year}-{code}-{number:06d}"


@dataclass(frozen=True)
class Problem:
    """One reason a declaration cannot be submitted yet, and the step of the form that fixes it."""

    step: str
    text: str


class SubmissionRefused(TransitionRefused):
    def __init__(self, problems):
        super().__init__(join_sentences(p.text for p in problems))
        self.problems = problems


def registers_barring(organisation):
    """Why registers kept by the apps above this one bar the unit from declaring now: the credit
    register of Art. 17 (review's) and the bars after a recovery of Art. 21 (disbursement's).
    settings.DECLARATION_BARS names a function of each: the settings wire the layers, so this app
    imports none of them. The dashboard and the new-declaration page show them before the
    applicant starts; creating a draft and submitting are refused with them."""
    return [text for path in settings.DECLARATION_BARS for text in import_string(path)(organisation)]


def declaration_submission_problems(declaration, moment=None):
    """Every reason the declaration cannot be submitted now, all at once: the bar of Art. 21, the
    call's dates, missing facts, a failed threshold, missing evidence, the commitment of Art. 19 and
    the credit records of Art. 17."""
    problems = []
    # The evidence check and the commitment's hash read the same files: once.
    attachments = selectors.declaration_attachments(declaration)
    for text in registers_barring(declaration.organisation):
        problems.append(Problem("organisation", text))
    call_problem = call_closed_reason(declaration.call, moment)
    if call_problem:
        problems.append(Problem("review", call_problem))
    missing = declaration_missing_facts(declaration)
    if missing:
        problems.append(Problem("facts", _("Please complete these facts: %(facts)s.") % {"facts": join_list(missing)}))
    else:
        award = selectors.declaration_award_summary(declaration)
        for text, _fact in award.reasons:
            problems.append(Problem("facts", _("Not eligible: %(reason)s") % {"reason": text}))
    absent = declaration_missing_evidence(declaration, attachments)
    if absent:
        problems.append(
            Problem(
                "attachments",
                _("Please attach this evidence: %(evidence)s.") % {"evidence": join_list(absent)},
            )
        )
    standing, voided = selectors.declaration_latest_commitment(declaration)
    if voided is not None:
        problems.append(
            Problem(
                "commitment",
                _("The commitment signed before was voided because %(reason)s: please sign it again.")
                % {"reason": voided.void_reason},
            )
        )
    elif standing is None:
        problems.append(Problem("commitment", _("Please sign the good-faith commitment letter (Art. 19).")))
    elif not commitment_covers(standing, declaration, attachments):
        problems.append(
            Problem("commitment", _("The declaration changed after the commitment was signed: please sign it again."))
        )
    return problems


def call_closed_reason(call, moment=None):
    """Why the call takes no declarations at `moment` (Beijing time), with its dates; None while open."""
    moment = moment or timezone.now()
    if moment < call.opens_at:
        return _("The call is not open yet: declarations are accepted from %(opens)s to %(closes)s (Beijing time).") % (
            call_dates(call)
        )
    if moment >= call.closes_at:
        return _(
            "The call is closed for declarations: it was open from %(opens)s to %(closes)s (Beijing time)."
        ) % call_dates(call)
    return None


def declaration_missing_facts(declaration):
    spec = PROGRAMMES[declaration.programme.code]
    return [
        str(fact.label)
        for fact in spec.facts
        if fact.required and fact.kind != Kind.BOOLEAN and declaration.facts.get(fact.name) in (None, "")
    ]


def declaration_missing_evidence(declaration, attachments=None):
    """The labels of the required evidence kinds that have no file yet (among `attachments`, the
    declaration's files when read already)."""
    if attachments is None:
        attachments = declaration.attachments.all()
    present = {attachment.evidence for attachment in attachments}
    return [e.label for e in EVIDENCE[declaration.programme.code] if e.required and e.code not in present]


def declaration_submit(*, declaration_id, actor):
    """Submit, or resubmit after a return: refuse with every problem at once (see
    declaration_submission_problems), give the declaration its number the first time, and move it
    to `submitted`. A second click finds it submitted already and is refused by the state check,
    changing nothing."""

    def prepare(declaration):
        problems = declaration_submission_problems(declaration)
        if problems:
            raise SubmissionRefused(problems)
        changes = {"submitted_at": timezone.now()}
        if not declaration.number:
            changes["number"] = _next_number(declaration)
        return changes

    return declaration_transition(
        declaration_id=declaration_id, action=DeclarationAction.SUBMIT, actor=actor, prepare=prepare
    )


def declaration_withdraw(*, declaration_id, actor, note=""):
    return declaration_transition(
        declaration_id=declaration_id, action=DeclarationAction.WITHDRAW, actor=actor, note=note
    )


def _assessment_record(row, history):
    """The award cap and stored assessment of one row; no cap while facts the award needs are missing."""
    try:
        assessment = assess_raw(row.programme, row.facts, history)
    except FactsInvalid as invalid:
        return None, {"programme": row.programme, "missing_or_invalid": sorted(invalid.errors)}
    return assessment.award, assessment.record(breakdown=False)


def award_caps_recompute(*, declarations=None):
    """Recompute the award cap of every open declaration in `declarations` (all open ones by default)
    with the history decided so far, and write the caps that changed.

    Three queries whatever the number of declarations: the rows, their history, and one write
    (`_award_caps_write`). Returns the number of declarations whose cap or assessment changed."""
    queryset = Declaration.objects.all() if declarations is None else declarations
    queryset = queryset.filter(state__in=OPEN_STATES).order_by()
    rows, stored = [], {}
    for *values, award_cap, award_assessment in queryset.values_list(
        *selectors.AWARD_ROW_FIELDS, "award_cap", "award_assessment"
    ):
        row = selectors.AwardRow(*values)
        rows.append(row)
        stored[row.pk] = (award_cap, award_assessment)
    histories = selectors.award_histories(rows)
    changed = []
    for row in rows:
        result = _assessment_record(row, histories[row.pk])
        if result != stored[row.pk]:
            changed.append((row.pk, *result))
    _award_caps_write(changed)
    return len(changed)


def _award_caps_write(changed):
    """One statement for any number of rows, which travel as one JSON parameter (PostgreSQL's
    jsonb_to_recordset, SQLite's json_each); Django's bulk_update, a CASE per row in batches,
    only on other databases."""
    if not changed:
        return
    table = Declaration._meta.db_table
    rows = json.dumps([{"id": pk, "cap": None if cap is None else str(cap), "rec": rec} for pk, cap, rec in changed])
    statements = {
        "postgresql": f"UPDATE {table} AS d SET award_cap = v.cap, award_assessment = v.rec "  # nosec B608 # the table name is the model's; the values travel as a parameter
        "FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, cap numeric, rec jsonb) WHERE d.id = v.id",
        "sqlite": f"UPDATE {table} SET award_cap = json_extract(v.value, '$.cap'), "  # nosec B608 # the table name is the model's; the values travel as a parameter
        "award_assessment = json(json_extract(v.value, '$.rec')) "
        f"FROM json_each(%s) AS v WHERE {table}.id = json_extract(v.value, '$.id')",
    }
    if connection.vendor in statements:
        with connection.cursor() as cursor:
            cursor.execute(statements[connection.vendor], [rows])
        return
    Declaration.objects.bulk_update(
        [Declaration(pk=pk, award_cap=cap, award_assessment=record) for pk, cap, record in changed],
        ["award_cap", "award_assessment"],
        batch_size=500,
    )


def award_cap_refresh(*, declaration_id):
    """Recompute one declaration's own award cap, after its facts were saved."""
    return award_caps_recompute(declarations=Declaration.objects.filter(pk=declaration_id))


def award_caps_recompute_affected_by(*, declaration_id):
    """Recompute the caps of the open declarations whose history `declaration_id` is part of: the
    same programme and organisation, or for Art. 11 (3) 2 any institution's (the borrowing
    enterprise is the key)."""
    changed = Declaration.objects.select_related("programme").get(pk=declaration_id)
    affected = Declaration.objects.filter(programme_id=changed.programme_id)
    if changed.programme.code != "ART11B":
        affected = affected.filter(organisation_id=changed.organisation_id)
    return award_caps_recompute(declarations=affected)
