"""Every write to organisations, calls and declarations, except `state` (see workflow.py)."""

import json

import rules
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations import selectors
from declarations.awards import FactsInvalid, assess_raw
from declarations.enums import DeclarationAction
from declarations.models import Declaration, DeclarationNumberSequence, Organisation
from declarations.validators import normalise_credit_code
from declarations.workflow import TransitionRefused, declaration_transition

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
    """Change the profile (not the credit code, which identifies the organisation)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if actor.organisation_id != organisation.pk:
        raise PermissionError("not a member of this organisation")
    for name in ORGANISATION_FIELDS:
        if name in fields:
            setattr(organisation, name, fields[name])
    organisation.full_clean()
    organisation.save()
    return organisation


def organisation_barred_until(organisation):
    """Art. 21: the last day of the longest bar from applying after a recovery, or None."""
    today = timezone.localdate()
    bars = organisation.declarations.filter(recoveries__barred_until__gte=today)
    return bars.aggregate(until=Max("recoveries__barred_until"))["until"]


def _check_not_barred(organisation):
    until = organisation_barred_until(organisation)
    if until:
        raise TransitionRefused(
            _("Your organisation is barred from applying until %(date)s after funds were recovered (Art. 21).")
            % {"date": until.isoformat()}
        )


def declaration_create(*, actor, call, programme, title, summary="", facts=None):
    """Start a draft declaration for the actor's organisation under an open call."""
    if not rules.has_perm("declarations.create_declaration", actor):
        raise TransitionRefused(_("Only applicants declare projects."))
    _check_not_barred(actor.organisation)
    if not call.is_open():
        raise TransitionRefused(
            _("This call is not open: declarations are accepted from %(opens)s to %(closes)s.") % call_dates(call)
        )
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
    for name in ("title", "summary", "facts"):
        if name in fields:
            setattr(declaration, name, fields[name])
    declaration.save()
    award_cap_refresh(declaration_id=declaration.pk)
    return declaration


def call_dates(call):
    local = timezone.localtime
    return {
        "opens": local(call.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes": local(call.closes_at).strftime("%Y-%m-%d %H:%M"),
    }


def _next_number(declaration):
    """ZGC-<support year>-<programme>-<six digits>, from a locked per-year, per-programme counter."""
    sequence, _created = DeclarationNumberSequence.objects.select_for_update().get_or_create(
        year=declaration.call.year, programme_code=declaration.programme.code
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"ZGC-{declaration.call.year}-{declaration.programme.code}-{sequence.last:06d}"


def _check_submittable(declaration):
    _check_not_barred(declaration.organisation)
    if not declaration.call.is_open():
        raise TransitionRefused(
            _("The call is closed for declarations: it was open from %(opens)s to %(closes)s (Beijing time).")
            % call_dates(declaration.call)
        )
    missing = declaration_missing_facts(declaration)
    if missing:
        raise TransitionRefused(
            _("Please complete these facts before submitting: %(facts)s.") % {"facts": ", ".join(missing)}
        )


def declaration_missing_facts(declaration):
    from declarations.programmes import PROGRAMMES, Kind

    spec = PROGRAMMES[declaration.programme.code]
    return [
        str(fact.label)
        for fact in spec.facts
        if fact.required and fact.kind != Kind.BOOLEAN and declaration.facts.get(fact.name) in (None, "")
    ]


def declaration_submit(*, declaration_id, actor):
    """Submit, or resubmit after a return: refuse outside the call's dates or with facts missing,
    give the declaration its number the first time, and move it to `submitted`. A second click
    finds it submitted already and is refused by the state check, changing nothing."""

    def prepare(declaration):
        _check_submittable(declaration)
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
    queryset = queryset.filter(state__in=selectors.OPEN_STATES).order_by()
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
        "postgresql": f"UPDATE {table} AS d SET award_cap = v.cap, award_assessment = v.rec "
        "FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, cap numeric, rec jsonb) WHERE d.id = v.id",
        "sqlite": f"UPDATE {table} SET award_cap = json_extract(v.value, '$.cap'), "
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
