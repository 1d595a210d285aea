"""The steps of the declaration form, in order, and how far a declaration has come through them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

STEPS = (
    ("organisation", _("Organisation")),
    ("project", _("Project")),
    ("facts", _("Facts")),
    ("attachments", _("Attachments")),
    ("commitment", _("Commitment")),
    ("review", _("Review and submit")),
)
SLUGS = tuple(slug for slug, _label in STEPS)


@dataclass(frozen=True)
class StepState:
    slug: str
    label: str
    number: int
    current: bool
    done: bool


def step_states(current, problems, declaration):
    """The stepper: each step, whether it is the one shown, and whether nothing is left to do there."""
    with_problems = {p.step for p in problems}
    if not declaration.summary:
        with_problems.add("project")
    return [
        StepState(slug, label, number, slug == current, slug != "review" and slug not in with_problems)
        for number, (slug, label) in enumerate(STEPS, start=1)
    ]


def next_step(slug):
    index = SLUGS.index(slug)
    return SLUGS[min(index + 1, len(SLUGS) - 1)]


def previous_step(slug):
    index = SLUGS.index(slug)
    return SLUGS[max(index - 1, 0)] if index else None


def resume_step(problems, declaration):
    """Where an applicant coming back to a draft continues: the first step with something left to do."""
    todo = {p.step for p in problems}
    if not declaration.summary:
        todo.add("project")
    return next((slug for slug in SLUGS if slug in todo), "review")
