"""The register of unit status (Art. 17) outside its file imports (review.registers): a change of
registration recorded by commission staff for one organisation, and the move out of Beijing an
organisation's own profile records."""

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message
from declarations.enums import District
from declarations.models import Organisation
from declarations.workflow import TransitionRefused
from review.models import UnitStatus, UnitStatusRecord


@transaction.atomic
def unit_status_record(*, organisation_id, actor, status, effective_on, source, note=""):
    """Record a change of the organisation's registration status (commission staff): a
    UnitStatusRecord for its credit code, with its name, who recorded it and when. From the day it
    takes effect the Art. 17 check (review.recheck) finds it."""
    if not rules.has_perm("console.staff", actor):
        raise TransitionRefused(_("Only commission staff record a unit's registration status."))
    organisation = Organisation.objects.get(pk=organisation_id)
    record = UnitStatusRecord(
        credit_code=organisation.credit_code,
        name=organisation.name,
        status=UnitStatus(status),
        effective_on=effective_on,
        source=source,
        note=note,
        recorded_by=actor,
    )
    record.full_clean()
    audited(record, actor).save()
    return record


def unit_status_after_profile_change(organisation, *, before, actor):
    """A profile changed (declarations.services.organisation_update, through
    settings.ORGANISATION_PROFILE_CHANGED): when its registered district went from a district of
    Beijing to outside Beijing, record the move out of Beijing, effective today, by the actor.
    Returns the new record, or None."""
    if before.get("district") == District.OUTSIDE_BEIJING or organisation.registered_in_beijing:
        return None
    source = message("review.status_source.profile", before=before["district"], after=organisation.district)
    record = UnitStatusRecord(
        credit_code=organisation.credit_code,
        name=organisation.name,
        status=UnitStatus.MOVED_OUT,
        effective_on=timezone.localdate(),
        source=source,
        recorded_by=actor,
    )
    audited(record, actor).save()
    return record


def unit_status_records_of(organisation):
    """The organisation's records in the register of unit status, latest effective first, with the
    import or the person that recorded each."""
    return UnitStatusRecord.objects.filter(credit_code=organisation.credit_code).select_related(
        "imported_from", "recorded_by"
    )
