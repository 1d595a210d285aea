"""The acceptance checklist (formal review): what staff confirm before a declaration is accepted.

Formal completeness first, then every condition of the programme that is not a number (registered
in Beijing, high-tech field, core technology or own IP, filings...), which the applicant declared
as a yes/no fact and staff confirm against the evidence.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from declarations.programmes import PROGRAMMES, Kind

FORMAL_ITEMS = (
    (
        "form_complete",
        _("The declaration form is complete and the organisation's details match its business licence."),
    ),
    ("evidence_complete", _("Every required evidence file is present, legible and supports the facts declared.")),
    (
        "commitment_signed",
        _("The good-faith commitment (Art. 19) is signed by the legal representative or an authorised contact."),
    ),
)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    # For a declared condition: what the applicant declared (True/False); None for a formal item.
    declared: bool | None = None
    help_text: str = ""

    @property
    def is_condition(self):
        return self.declared is not None


def checklist_for(declaration):
    """The items staff tick to accept `declaration`, formal items first."""
    items = [ChecklistItem(key, label) for key, label in FORMAL_ITEMS]
    for fact in PROGRAMMES[declaration.programme.code].facts:
        if fact.kind == Kind.BOOLEAN:
            items.append(
                ChecklistItem(
                    f"condition:{fact.name}",
                    fact.label,
                    declared=bool(declaration.facts.get(fact.name)),
                    help_text=fact.help_text,
                )
            )
    return items


def checklist_record(declaration, ticked):
    """The checklist as stored: every item's key with whether it was ticked."""
    ticked = set(ticked)
    return {item.key: item.key in ticked for item in checklist_for(declaration)}


def checklist_unticked(declaration, ticked):
    ticked = set(ticked)
    return [item for item in checklist_for(declaration) if item.key not in ticked]
