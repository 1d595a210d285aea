"""The transition table walked in full: every action from every state, by every role."""

import pytest

from accounts.enums import Role
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from declarations.workflow import TRANSITIONS, TransitionRefused, actions_available, declaration_transition
from notices.models import Notice
from notices.services import notice_text
from tests.factories import DeclarationFactory

# The role whose users may take each action (declarations/rules.py).
ROLE_FOR = {
    A.SUBMIT: Role.APPLICANT,
    A.WITHDRAW: Role.APPLICANT,
    A.RETURN: Role.STAFF,
    A.ACCEPT: Role.STAFF,
    A.REFUSE: Role.STAFF,
    A.DISQUALIFY: Role.STAFF,
    A.START_REVIEW: Role.STAFF,
    A.COMPLETE_REVIEW: Role.STAFF,
    A.APPROVE: Role.STAFF,
    A.REJECT: Role.STAFF,
    A.PUBLICISE: Role.STAFF,
    A.UPHOLD_OBJECTION: Role.STAFF,
    A.REOPEN_REVIEW: Role.STAFF,
    A.CONFIRM: Role.STAFF,
    A.START_DISBURSEMENT: Role.FINANCE,
    A.COMPLETE_PAYMENT: Role.FINANCE,
    A.STOP: Role.FINANCE,
    A.TERMINATE: Role.STAFF,
    A.RECOVER: Role.STAFF,
}

PAIRS = [(action, state) for action in TRANSITIONS for state in S]


@pytest.fixture
def people(applicant, staff, reviewer, finance, administrator):
    return {
        Role.APPLICANT: applicant,
        Role.STAFF: staff,
        Role.REVIEWER: reviewer,
        Role.FINANCE: finance,
        Role.ADMIN: administrator,
    }


def _declaration_in(state, applicant):
    declaration = DeclarationFactory(organisation=applicant.organisation, created_by=applicant)
    # Arranging only: the state under test is set directly, the transition under test is real.
    Declaration.objects.filter(pk=declaration.pk).update(state=state)
    return Declaration.objects.get(pk=declaration.pk)


def test_transition_table_names_every_action_once():
    assert set(TRANSITIONS) == set(A)
    assert set(ROLE_FOR) == set(A)


@pytest.mark.parametrize(("action", "state"), PAIRS)
def test_declaration_transition_allows_exactly_the_table(action, state, people):
    transition = TRANSITIONS[action]
    actor = people[ROLE_FOR[action]]
    declaration = _declaration_in(state, people[Role.APPLICANT])

    if state in transition.sources:
        result = declaration_transition(declaration_id=declaration.pk, action=action, actor=actor, note="Reason.")
        assert result.state == transition.target
        event = DeclarationEvent.objects.get(declaration=declaration)
        assert (event.action, event.from_state, event.to_state, event.actor, event.note) == (
            action,
            state,
            transition.target,
            actor,
            "Reason.",
        )
    else:
        with pytest.raises(TransitionRefused):
            declaration_transition(declaration_id=declaration.pk, action=action, actor=actor, note="Reason.")
        assert Declaration.objects.get(pk=declaration.pk).state == state
        assert not DeclarationEvent.objects.filter(declaration=declaration).exists()


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_declaration_transition_refuses_every_other_role(action, people):
    transition = TRANSITIONS[action]
    source = sorted(transition.sources)[0]
    for role, actor in people.items():
        if role == ROLE_FOR[action]:
            continue
        declaration = _declaration_in(source, people[Role.APPLICANT])
        with pytest.raises(TransitionRefused, match="not allowed"):
            declaration_transition(declaration_id=declaration.pk, action=action, actor=actor, note="Reason.")
        assert Declaration.objects.get(pk=declaration.pk).state == source
        assert not DeclarationEvent.objects.filter(declaration=declaration).exists()


@pytest.mark.parametrize("action", [A.SUBMIT, A.WITHDRAW])
def test_declaration_transition_refuses_another_organisations_applicant(action, applicant, other_applicant):
    source = sorted(TRANSITIONS[action].sources)[0]
    declaration = _declaration_in(source, applicant)
    with pytest.raises(TransitionRefused, match="not allowed"):
        declaration_transition(declaration_id=declaration.pk, action=action, actor=other_applicant)
    assert Declaration.objects.get(pk=declaration.pk).state == source


@pytest.mark.parametrize("action", [action for action, t in TRANSITIONS.items() if t.note_required])
def test_declaration_transition_requires_a_reason_where_the_table_says(action, people):
    declaration = _declaration_in(sorted(TRANSITIONS[action].sources)[0], people[Role.APPLICANT])
    with pytest.raises(TransitionRefused, match="reason"):
        declaration_transition(declaration_id=declaration.pk, action=action, actor=people[ROLE_FOR[action]], note=" ")


def test_only_system_transitions_run_without_an_actor(applicant):
    for action, transition in TRANSITIONS.items():
        declaration = _declaration_in(sorted(transition.sources)[0], applicant)
        if transition.system:
            assert declaration_transition(declaration_id=declaration.pk, action=action, actor=None).state == (
                transition.target
            )
        else:
            with pytest.raises(TransitionRefused):
                declaration_transition(declaration_id=declaration.pk, action=action, actor=None, note="x")


def test_actions_available_lists_what_the_user_may_do_now(applicant, staff, finance):
    draft = _declaration_in(S.DRAFT, applicant)
    submitted = _declaration_in(S.SUBMITTED, applicant)
    assert actions_available(draft, applicant) == [A.SUBMIT]
    assert actions_available(submitted, applicant) == [A.WITHDRAW]
    assert actions_available(submitted, staff) == [A.RETURN, A.ACCEPT, A.REFUSE, A.DISQUALIFY]
    assert actions_available(submitted, finance) == []


def test_transition_notifies_each_user_of_the_declaring_organisation_in_their_language(applicant, staff):
    colleague = type(applicant).objects.create(
        username="colleague", email="c@example.com", organisation=applicant.organisation, language="zh-hans"
    )
    declaration = _declaration_in(S.SUBMITTED, applicant)
    declaration_transition(declaration_id=declaration.pk, action=A.RETURN, actor=staff, note="Add the proof.")
    notices = {n.recipient.username: n for n in Notice.objects.filter(declaration=declaration)}
    assert set(notices) == {applicant.username, colleague.username}
    assert "Returned for revision" in notices[applicant.username].subject
    subject, body = notice_text(notices[colleague.username])  # in the colleague's language
    assert "退回修改" in subject
    assert "Add the proof." in body


def test_docs_workflow_diagram_draws_exactly_the_table():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text()
    drawn = {
        tuple(part.strip() for part in line.replace("-->", ":").split(":"))
        for line in text.splitlines()
        if "-->" in line and "[*]" not in line
    }
    table = {(str(source), str(t.target), str(action)) for action, t in TRANSITIONS.items() for source in t.sources}
    assert drawn == table
