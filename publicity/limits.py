"""The limits of the public objection pages, on the shared limiter (common.limits)."""

from common.limits import Limit, per_address

OBJECTIONS_PER_ADDRESS = per_address("publicity.objection.address", "PUBLICITY_OBJECTION_RATE_PER_ADDRESS")
FAILED_LOOKUPS_PER_ADDRESS = per_address("publicity.lookup.address", "PUBLICITY_LOOKUP_RATE")


def objections_per_entry(entry):
    return Limit(
        "publicity.objection.entry", lambda group, request: str(entry.pk), "PUBLICITY_OBJECTION_RATE_PER_ENTRY"
    )
