"""The expert evaluation (Art. 15 (2)): scoring against the programme's rubric, blind until a
reviewer has submitted, conflicts of interest declared by reviewers, and the ranking.

Three layers, top to bottom:

- the maths, pure functions on Decimals (no database): a reviewer's weighted total, the
  declaration's total taken by mean or median, the spread, the pass marks and the outliers;
- the services, the only writers of scores, opinions, submissions, releases for a conflict and
  `EvaluationSummary`: `assignment_score`, `conflict_declare`, `evaluation_summary_refresh`;
- the selectors: what each console user may see of the evaluations, and the ranking.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import Rank
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import is_commission_staff, is_reviewer
from common import sql
from common.cache import forgotten, kept
from common.messages import message
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from declarations.workflow import ENDED_UNDECIDED_STATES, TransitionRefused, declaration_locked, declaration_transition
from notices.services import notice_create
from review.models import (
    ConflictOfInterest,
    CriterionScore,
    EvaluationSummary,
    ReviewAssignment,
    Rubric,
    ScoreAggregation,
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")
# Used when a programme has no rubric yet, so the outlier flags still mean something.
DEFAULT_OUTLIER_MARGIN = Decimal("15")
# What a submission still lacks; the form says it too, so every problem is shown at once.
SCORE_MISSING = gettext_lazy("Score this criterion before submitting.")
OPINION_MISSING = gettext_lazy("Write your evaluation opinion before submitting.")


# --- The maths ------------------------------------------------------------------------------------
#
# Criteria are anything with `pk`, `weight`, `min_score`, `max_score` and `pass_mark` (Decimals):
# `Criterion` rows, saved or not. Every figure shown is rounded half up to 0.01 once, at the end of
# its own computation; comparisons with pass marks use the figure as shown.


def to_cent(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(criteria, scores):
    """A reviewer's weighted total on 0-100: Σ wᵢ·(sᵢ - minᵢ)/(maxᵢ - minᵢ) · 100 / Σ wᵢ.

    Each score is placed on its criterion's range (0 at the lowest score, 1 at the highest), so a
    criterion scored 0-10 counts as much as one scored 0-30 of the same weight. `scores` maps each
    criterion's pk to its score; every criterion must be scored."""
    criteria = list(criteria)
    if not criteria:
        raise ValueError("A rubric without criteria has no weighted total.")
    weights = sum((c.weight for c in criteria), ZERO)
    placed = sum((c.weight * (scores[c.pk] - c.min_score) / (c.max_score - c.min_score) for c in criteria), ZERO)
    return to_cent(placed * HUNDRED / weights)


def _median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def taken(values, aggregation):
    """Several reviewers' figures taken together as the call says (mean or median), or None for none."""
    values = list(values)
    if not values:
        return None
    if aggregation == ScoreAggregation.MEDIAN:
        return to_cent(_median(values))
    return to_cent(sum(values, ZERO) / len(values))


def spread(values):
    """Highest minus lowest, or None for no values."""
    values = list(values)
    return max(values) - min(values) if values else None


def outliers(totals, margin):
    """The keys of the totals lying more than `margin` from the panel's median.

    `totals` maps a key (an assignment id) to a reviewer's weighted total. One evaluation alone has
    nothing to differ from: no outliers below 2. With exactly 2 the median lies halfway, so each is
    compared with the other instead and both are flagged when they differ by more than the margin:
    nothing says which one is right, so staff read both. From 3 on, the median is one of the
    panel's own totals (or between two), and only the far-off evaluations are flagged."""
    if len(totals) < 2:
        return []
    if len(totals) == 2:
        first, second = totals.values()
        return list(totals) if abs(first - second) > margin else []
    middle = _median(list(totals.values()))
    return [key for key, total in totals.items() if abs(total - middle) > margin]


@dataclass(frozen=True)
class Evaluation:
    """One submitted evaluation as the maths needs it."""

    key: int
    total: Decimal
    scores: dict  # criterion pk -> Decimal


@dataclass(frozen=True)
class CriterionResult:
    criterion: object
    taken: Decimal | None
    met: bool


@dataclass(frozen=True)
class EvaluationResult:
    """The submitted evaluations of one declaration taken together."""

    aggregation: str
    evaluations: int
    total: Decimal | None
    spread: Decimal | None
    criteria: tuple = ()  # CriterionResult, in the rubric's order
    criteria_missed: tuple = ()  # criterion pks
    outliers: tuple = ()  # evaluation keys
    pass_mark: Decimal | None = None
    # None while nothing is submitted, or without a rubric to judge by.
    passed: bool | None = None

    @property
    def aggregation_label(self):
        return ScoreAggregation(self.aggregation).label

    @property
    def total_met(self):
        return self.total is not None and self.pass_mark is not None and self.total >= self.pass_mark


def evaluation_result(*, criteria, pass_mark, outlier_margin, evaluations, aggregation):
    """Take the submitted `evaluations` (Evaluation) together under a rubric.

    - total: the reviewers' weighted totals taken by `aggregation` (mean or median);
    - spread: highest total minus lowest;
    - each criterion's score taken the same way, met when it reaches the criterion's pass mark; a
      criterion no submitted evaluation scored (added to the rubric later) is not met;
    - passed: the total reaches `pass_mark` and no criterion is missed (None without a pass mark);
    - outliers: see `outliers`.
    """
    evaluations = list(evaluations)
    totals = [e.total for e in evaluations]
    results = []
    for criterion in criteria:
        score = taken((e.scores[criterion.pk] for e in evaluations if criterion.pk in e.scores), aggregation)
        results.append(CriterionResult(criterion, score, score is not None and score >= criterion.pass_mark))
    missed = tuple(r.criterion.pk for r in results if not r.met)
    total = taken(totals, aggregation)
    passed = None
    if evaluations and pass_mark is not None:
        passed = total >= pass_mark and not missed
    return EvaluationResult(
        aggregation=aggregation,
        evaluations=len(evaluations),
        total=total,
        spread=spread(totals),
        criteria=tuple(results) if evaluations else (),
        criteria_missed=missed if evaluations else (),
        outliers=tuple(outliers({e.key: e.total for e in evaluations}, outlier_margin)),
        pass_mark=pass_mark,
        passed=passed,
    )


# --- Reading what the maths needs -----------------------------------------------------------------


# A programme's rubric with its criteria, kept in the cache between two changes: every console page
# of a declaration and every evaluation saved reads it (two queries, about a tenth of the page), and
# it changes only in the administration (rubric_changed, connected in ReviewConfig.ready).
RUBRIC_KEY = "review:rubric:{programme}"
RUBRIC_TIMEOUT = 3600


def programme_rubric(programme_id):
    """The programme's rubric with its criteria in order (`rubric.criteria.all()` is loaded), or None."""
    return kept(
        RUBRIC_KEY.format(programme=programme_id),
        RUBRIC_TIMEOUT,
        lambda: Rubric.objects.filter(programme_id=programme_id).prefetch_related("criteria").first(),
    )


def rubric_changed(sender, **kwargs):
    """A rubric or a criterion was written or deleted: every programme's rubric is read afresh (a
    criterion's rubric may be gone already while a rubric is deleted)."""
    forgotten(*(RUBRIC_KEY.format(programme=pk) for pk in Programme.objects.values_list("pk", flat=True)))


def _criteria(rubric):
    return list(rubric.criteria.all()) if rubric is not None else []


def _as_evaluation(assignment):
    return Evaluation(key=assignment.pk, total=assignment.score, scores=assignment.saved_scores)


# A declaration's active assignments with their reviewers, and the criterion scores of those, read on
# each console page of a declaration and at each save of scores: built once (common.sql.Prepared).
# Through the ORM's select_related and prefetch they took 1.8 ms of the reviewer's page.
_ACTIVE_ASSIGNMENTS_OF = sql.Prepared(
    lambda declaration: ReviewAssignment.objects.filter(
        declaration_id=declaration, released_at__isnull=True
    ).select_related("reviewer"),
    related=("reviewer",),
    declaration=sql.STAND_IN_ID,
)
_CRITERION_SCORES_OF = sql.prepared_by_ids(CriterionScore, "assignment", ("assignment", "criterion", "score"))


def _active_assignments(declaration):
    """The declaration's assignments not released, in order, each with its reviewer and with
    `saved_scores`, its criterion scores by criterion pk."""
    assignments = _ACTIVE_ASSIGNMENTS_OF.rows(declaration=declaration.pk)
    saved = {assignment.pk: {} for assignment in assignments}
    if saved:
        for assignment_id, criterion_id, score in _CRITERION_SCORES_OF.rows(ids=list(saved)):
            saved[assignment_id][criterion_id] = score
    for assignment in assignments:
        assignment.saved_scores = saved[assignment.pk]
    return assignments


def result_of(declaration, rubric, assignments):
    """The maths over the submitted ones of `assignments` (all of them active)."""
    submitted = [a for a in assignments if a.is_submitted and a.score is not None]
    return evaluation_result(
        criteria=_criteria(rubric),
        pass_mark=rubric.pass_mark if rubric is not None else None,
        outlier_margin=rubric.outlier_margin if rubric is not None else DEFAULT_OUTLIER_MARGIN,
        evaluations=[_as_evaluation(a) for a in submitted],
        aggregation=declaration.call.score_aggregation,
    )


# --- Services -------------------------------------------------------------------------------------


class EvaluationRefused(TransitionRefused):
    """Scores or an opinion an evaluation cannot take. `errors` maps a criterion's pk, or "opinion",
    to the message for that field; nothing was saved."""

    def __init__(self, errors):
        super().__init__(_("Please correct the scores marked below."))
        self.errors = errors


def evaluation_summary_refresh(declaration, *, rubric=None):
    """Write the declaration's `EvaluationSummary` from its active assignments: how many are assigned
    and submitted, the total by the call's aggregation, the spread, the pass marks and the outliers.
    `rubric`: the programme's, when the caller has read it already (programme_rubric).

    Call it inside the transaction that changed the assignments, with the declaration locked."""
    if not Declaration.call.is_cached(declaration):
        declaration = Declaration.objects.select_related("call").get(pk=declaration.pk)
    if rubric is None:
        rubric = programme_rubric(declaration.programme_id)
    assignments = _active_assignments(declaration)
    result = result_of(declaration, rubric, assignments)
    written = summary_values(result, assigned=len(assignments))
    # One UPDATE where a summary exists (every save of a draft), not update_or_create's savepoint,
    # locking read and update; the declaration's lock keeps a second writer from creating it too.
    summary = EvaluationSummary(declaration=declaration, **written)
    if not EvaluationSummary.objects.filter(declaration=declaration).update(**written, updated_at=timezone.now()):
        summary.save(force_insert=True)
    return summary


def summary_values(result, *, assigned):
    """The columns of an EvaluationSummary for `result` (evaluation_result) over `assigned` active
    assignments."""
    return {
        "aggregation": result.aggregation,
        "total": result.total,
        "spread": result.spread,
        "evaluations": result.evaluations,
        "assigned": assigned,
        "passed": result.passed,
        "criteria_missed": list(result.criteria_missed),
        "outliers": list(result.outliers),
        "has_outliers": bool(result.outliers),
    }


def _locked_own_open_assignment(assignment_id, actor):
    """Lock the assignment's declaration, then the assignment (in that order everywhere, so two
    reviewers submitting at once wait for each other and the later one sees the earlier one's
    submission). Refuses unless it is the actor's own assignment, still active and not submitted."""
    declaration_id = ReviewAssignment.objects.filter(pk=assignment_id).values_list("declaration_id", flat=True).first()
    if declaration_id is None:
        raise TransitionRefused(_("This evaluation is not assigned to you."))
    declaration = declaration_locked(declaration_id)
    assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment_id)
    if not is_reviewer(actor) or assignment.reviewer_id != actor.pk or assignment.released_at is not None:
        raise TransitionRefused(_("This evaluation is not assigned to you."))
    if assignment.is_submitted:
        raise TransitionRefused(_("This evaluation was submitted already and can no longer be changed."))
    assignment.declaration = declaration
    return assignment


def _checked_scores(criteria, scores):
    """The scores to store ({criterion pk: Decimal or None}) and the errors, by field."""
    by_pk = {c.pk: c for c in criteria}
    if set(scores) - set(by_pk):
        raise TransitionRefused(_("A score was given for a criterion of another rubric."))
    errors, checked = {}, {}
    for pk, score in scores.items():
        criterion = by_pk[pk]
        if score is None:
            checked[pk] = None
            continue
        if not isinstance(score, Decimal) or not score.is_finite():
            errors[pk] = _("Enter a number.")
        elif not criterion.min_score <= score <= criterion.max_score:
            errors[pk] = score_range_message(criterion)
        elif score != score.quantize(CENT):
            errors[pk] = _("Enter a score with at most two decimals.")
        else:
            # + 0 turns a typed "-0" into 0.
            checked[pk] = score.quantize(CENT) + 0
    return checked, errors


def plain(value):
    """A score as people write it: 30 for 30.00, 7.5 for 7.50."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def score_range_message(criterion):
    return _("Enter a score from %(lowest)s to %(highest)s.") % {
        "lowest": plain(criterion.min_score),
        "highest": plain(criterion.max_score),
    }


@transaction.atomic
def assignment_score(*, assignment_id, actor, scores, opinion, submit, rubric=None):
    """Save an expert reviewer's evaluation as a draft, or submit it (then it is final).

    `scores` maps criterion pks of the programme's rubric to a Decimal, or None to clear one;
    criteria left out keep what was saved. `rubric`: the programme's (programme_rubric), when the
    caller has read it for its form. In one transaction, in this order:
    1. lock the declaration, then the assignment;
    2. refuse (TransitionRefused, nothing saved) unless it is the actor's own active, unsubmitted
       assignment on a declaration under review; refuse (EvaluationRefused, with a message per
       field) a score outside its criterion's range or with more than two decimals and, on
       submission, an unscored criterion or an empty opinion;
    3. write the criterion scores, the opinion and the weighted total (once every criterion is
       scored), and on submission the time;
    4. refresh the declaration's EvaluationSummary;
    5. on submission, when no active assignment is left unsubmitted, complete the review through
       `declaration_transition` (COMPLETE_REVIEW), which writes its DeclarationEvent.
    Returns the assignment.
    """
    assignment = _locked_own_open_assignment(assignment_id, actor)
    declaration = assignment.declaration
    if declaration.state != S.UNDER_REVIEW:
        raise TransitionRefused(_("This declaration is not under evaluation."))
    if rubric is None or rubric.programme_id != declaration.programme_id:
        rubric = programme_rubric(declaration.programme_id)
    criteria = _criteria(rubric)
    if not criteria:
        raise TransitionRefused(_("This programme has no rubric yet; please ask the administrator to set one up."))
    checked, errors = _checked_scores(criteria, scores)
    opinion = opinion or ""
    if len(opinion) > 5000:
        errors["opinion"] = _("Keep the opinion to 5000 characters or fewer.")

    stored = {s.criterion_id: s for s in assignment.criterion_scores.all()}
    final = {pk: s.score for pk, s in stored.items()}
    final.update(checked)
    final = {pk: score for pk, score in final.items() if score is not None}
    if submit:
        for criterion in criteria:
            if criterion.pk not in final and criterion.pk not in errors:
                errors[criterion.pk] = str(SCORE_MISSING)
        if not opinion.strip() and "opinion" not in errors:
            errors["opinion"] = str(OPINION_MISSING)
    if errors:
        raise EvaluationRefused(errors)

    _criterion_scores_write(assignment, stored, checked)
    complete = all(c.pk in final for c in criteria)
    assignment.score = weighted_total(criteria, final) if complete else None
    assignment.opinion = opinion
    assignment.started = bool(opinion or final)
    if submit:
        assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["score", "opinion", "started", "submitted_at"])

    evaluation_summary_refresh(declaration, rubric=rubric)
    if submit and not _unsubmitted(declaration):
        declaration_transition(declaration_id=declaration.pk, action=A.COMPLETE_REVIEW, actor=actor)
    return assignment


def _criterion_scores_write(assignment, stored, checked):
    """Store the `checked` scores ({criterion pk: Decimal or None}) over the `stored` CriterionScores
    ({criterion pk: row}): a query each for the cleared, the changed and the new ones, whatever their
    number (a reviewer's draft changes every criterion at once)."""
    cleared = [stored[pk].pk for pk, score in checked.items() if score is None and pk in stored]
    changed = []
    for pk, score in checked.items():
        if score is not None and pk in stored and stored[pk].score != score:
            stored[pk].score = score
            changed.append(stored[pk])
    new = [
        CriterionScore(assignment=assignment, criterion_id=pk, score=score)
        for pk, score in checked.items()
        if score is not None and pk not in stored
    ]
    if cleared:
        CriterionScore.objects.filter(pk__in=cleared).delete()
    if changed:
        CriterionScore.objects.bulk_update(changed, ["score"])
    if new:
        CriterionScore.objects.bulk_create(new)


def _unsubmitted(declaration):
    """Whether an active assignment of the declaration is still unsubmitted."""
    return ReviewAssignment.objects.filter(
        declaration=declaration, released_at__isnull=True, submitted_at__isnull=True
    ).exists()


@transaction.atomic
def conflict_declare(*, assignment_id, actor, reason):
    """An expert reviewer declares a conflict of interest with the declaring organisation, on their
    own active, unsubmitted assignment, and is released from it.

    In one transaction, in this order:
    1. lock the declaration, then the assignment; refuse (TransitionRefused) unless it is the
       actor's own active, unsubmitted assignment, or without a reason;
    2. record the `ConflictOfInterest` (reviewer, organisation, declaration, reason), which keeps
       the reviewer from being assigned the organisation's declarations again;
    3. when the declaration is under review and every other active assignment (at least one) is
       submitted, complete the review through `declaration_transition` (COMPLETE_REVIEW). This comes
       before the release because the reviewer's permission to complete it rests on the assignment;
    4. release the assignment (released_at, release_reason): the reviewer no longer sees the
       declaration, and the draft no longer counts;
    5. refresh the declaration's EvaluationSummary;
    6. write a notice to the staff member who assigned the reviewer, in their language.
    Returns the ConflictOfInterest.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Please give the reason for the conflict of interest."))
    if len(reason) > 2000:
        raise TransitionRefused(_("Keep the reason to 2000 characters or fewer."))
    assignment = _locked_own_open_assignment(assignment_id, actor)
    declaration = assignment.declaration
    conflict = ConflictOfInterest.objects.create(
        reviewer=actor, organisation=declaration.organisation, declaration=declaration, reason=reason
    )
    others_active = ReviewAssignment.objects.filter(declaration=declaration, released_at__isnull=True).exclude(
        pk=assignment.pk
    )
    completes = (
        declaration.state == S.UNDER_REVIEW
        and others_active.exists()
        and not others_active.filter(submitted_at__isnull=True).exists()
    )
    if completes:
        declaration_transition(
            declaration_id=declaration.pk,
            action=A.COMPLETE_REVIEW,
            actor=actor,
            note=message("review.conflict.released"),
        )
    assignment.released_at = timezone.now()
    assignment.release_reason = reason
    assignment.save(update_fields=["released_at", "release_reason"])
    evaluation_summary_refresh(declaration)

    staff_member = assignment.assigned_by
    number = declaration.number or declaration.title
    body = [
        message(
            "review.conflict.body",
            reviewer=actor.get_full_name() or actor.username,
            organisation=declaration.organisation.name,
            number=number,
            reason=reason,
        )
    ]
    if completes:
        body.append(message("review.conflict.complete"))
    elif declaration.state == S.UNDER_REVIEW:
        body.append(message("review.conflict.reassign"))
    notice_create(
        recipient=staff_member,
        subject=message("review.conflict.subject", number=number),
        body=message("paragraphs", paragraphs=body),
        declaration=declaration,
    )
    return conflict


# --- Selectors ------------------------------------------------------------------------------------


def evaluations_visible_to(user, declaration):
    """Scoring is blind. Staff see every active evaluation (drafts too); an expert reviewer sees only
    their own until they have submitted it, then the others' submitted ones as well; nobody else
    sees any. Each comes with its reviewer and its criterion scores loaded."""
    if not (is_commission_staff(user) or is_reviewer(user)):
        return []
    assignments = _active_assignments(declaration)
    if is_commission_staff(user):
        return assignments
    own = next((a for a in assignments if a.reviewer_id == user.pk), None)
    if own is None:
        return []
    if not own.is_submitted:
        return [own]
    return [a for a in assignments if a is own or a.is_submitted]


def own_open_assignment(user, declaration):
    """The user's active assignment on the declaration, or None."""
    return ReviewAssignment.objects.filter(declaration=declaration, reviewer=user, released_at__isnull=True).first()


def criterion_terms(criterion):
    """A criterion's range, weight and pass mark in one line: "0-30, weight 30, pass mark 18"."""
    return _("%(lowest)s-%(highest)s, weight %(weight)s, pass mark %(pass_mark)s") % {
        "lowest": plain(criterion.min_score),
        "highest": plain(criterion.max_score),
        "weight": plain(criterion.weight),
        "pass_mark": plain(criterion.pass_mark),
    }


@dataclass
class EvaluationColumn:
    """One evaluation in the panel's table, under the label the user may read."""

    assignment: object
    label: str
    own: bool = False
    outlier: bool = False


@dataclass
class CriterionLine:
    """One criterion in the panel's table: its score in each column, and (staff) the taken score."""

    criterion: object
    terms: str
    scores: list
    result: CriterionResult | None = None


@dataclass
class EvaluationPanel:
    """What the declaration page shows of the evaluation to one console user."""

    rubric: object
    criteria: list
    columns: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    own: object = None  # the user's own active assignment
    result: EvaluationResult | None = None  # staff only
    conflicts: list = field(default_factory=list)  # staff only
    for_staff: bool = False

    @property
    def own_submitted(self):
        return self.own is not None and self.own.is_submitted

    @property
    def others(self):
        return [column for column in self.columns if not column.own]


def evaluation_panel(user, declaration):
    """The evaluation as `user` may see it on the declaration page, or None when they see nothing of
    it. Staff get every active evaluation under the reviewer's name, each criterion's taken score
    against its pass mark, the total, the spread, the outliers and the conflicts declared. An
    assigned reviewer gets their own evaluation and, once it is submitted, the others' submitted
    ones under anonymous labels."""
    for_staff = bool(is_commission_staff(user))
    if not (for_staff or is_reviewer(user)):
        return None
    visible = evaluations_visible_to(user, declaration)
    conflicts = []
    if for_staff:
        conflicts = list(
            ConflictOfInterest.objects.filter(declaration=declaration)
            .select_related("reviewer")
            .order_by("declared_at")
        )
    if not visible and not conflicts:
        return None
    rubric = programme_rubric(declaration.programme_id)
    criteria = _criteria(rubric)
    result = result_of(declaration, rubric, visible) if for_staff else None
    flagged = set(result.outliers) if result else set()
    taken_by_pk = {r.criterion.pk: r for r in result.criteria} if result else {}
    columns, scores, number = [], [], 0
    for assignment in visible:
        own = assignment.reviewer_id == user.pk
        if for_staff:
            label = assignment.reviewer.get_full_name() or assignment.reviewer.username
        elif own:
            label = _("You")
        else:
            number += 1
            label = _("Expert reviewer %(number)d") % {"number": number}
        columns.append(EvaluationColumn(assignment=assignment, label=label, own=own, outlier=assignment.pk in flagged))
        scores.append(assignment.saved_scores)
    lines = [
        CriterionLine(
            criterion=criterion,
            terms=criterion_terms(criterion),
            scores=[by_criterion.get(criterion.pk) for by_criterion in scores],
            result=taken_by_pk.get(criterion.pk),
        )
        for criterion in criteria
    ]
    return EvaluationPanel(
        rubric=rubric,
        criteria=criteria,
        columns=columns,
        lines=lines,
        own=next((a for a in visible if a.reviewer_id == user.pk), None),
        result=result,
        conflicts=conflicts,
        for_staff=for_staff,
    )


def evaluation_ranking(*, call=None, programme=None):
    """Evaluated declarations by total, highest first, each with its `rank` (ties share a rank, the
    next rank skips: 1, 2, 2, 4) among those of the same filter. Withdrawn, disqualified and not
    accepted declarations have no place."""
    summaries = (
        EvaluationSummary.objects.filter(evaluations__gt=0, total__isnull=False)
        .exclude(declaration__state__in=ENDED_UNDECIDED_STATES)
        .select_related("declaration__organisation", "declaration__programme", "declaration__call")
    )
    if call is not None:
        summaries = summaries.filter(declaration__call=call)
    if programme is not None:
        summaries = summaries.filter(declaration__programme=programme)
    return summaries.annotate(rank=Window(Rank(), order_by=F("total").desc())).order_by(
        "-total", "declaration__number", "pk"
    )
