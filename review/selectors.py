"""Reads for the staff console: what each console user may see."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, Value
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_console_user
from common import sql
from common.cache import added, forgotten, kept
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.selectors import declarations_visible_to, sees_every_declaration_past_draft
from review.models import CreditRecord, DoubleFundingMatch, EvaluationSummary, MatchJudgement, ReviewAssignment


def declaration_list_for_console(user):
    """What a console user may see, past its draft: staff and finance every declaration, a reviewer
    those assigned to them. The `console.view_declaration` rule as a queryset (tests/test_visibility.py)."""
    if not is_console_user(user):
        return Declaration.objects.none()
    return declarations_visible_to(user).exclude(state=S.DRAFT).select_related("organisation", "programme", "call")


# A possible double funding still counts while pending or once judged the same project.
OPEN_JUDGEMENTS = (MatchJudgement.PENDING, MatchJudgement.SAME_PROJECT)


class QueueFlagSource(NamedTuple):
    """A flag of the queue whose register lives in an app above review: `expression(day)` is the
    boolean expression over a declaration's row that shows it on a page (one Exists, in the page's
    one query), `flagged_ids(day)` a queryset of the ids of the declarations it flags (values()),
    which the queue's filter reads."""

    expression: Callable
    flagged_ids: Callable


# The flags of review.filters.Flag whose register lives above review (monitoring's grades of
# performance reports, Art. 18), by annotation: review imports none of them; the app registers its
# source with register_queue_flag() in its AppConfig.ready(). Until it does, the flag is never set.
QUEUE_FLAG_SOURCES: dict[str, QueueFlagSource | None] = {"performance_failed": None}


def register_queue_flag(field, *, expression, flagged_ids):
    if field not in QUEUE_FLAG_SOURCES:
        raise ValueError(f"The queue has no flag held by {field!r}: add it to review.filters.Flag.")
    QUEUE_FLAG_SOURCES[field] = QueueFlagSource(expression, flagged_ids)
    _QUEUE_ROWS.forget()


# What queue_expressions() adds to a row, in its order: the evaluation summary's columns (by the
# summary's own field), then the flags.
QUEUE_SUMMARY_COLUMNS = {
    "total_score": "total",
    "score_spread": "spread",
    "evaluations_submitted": "evaluations",
    "reviewers_assigned": "assigned",
}
QUEUE_FLAG_COLUMNS = ("credit_in_force", "possible_double_funding", "scores_outlying", "pass_marks_missed")


def queue_expressions(day=None):
    """What the queue shows besides the declaration's own fields: the evaluation summary's
    `total_score`, `score_spread`, `evaluations_submitted` and `reviewers_assigned` (None before any
    evaluation is summarised), and the flags (review.filters.Flag.FIELDS): a credit record in force
    on `day` (today by default) for the organisation's code, a double-funding match pending or
    judged the same project, outlying scores, pass marks missed, and those of QUEUE_FLAG_SOURCES (a
    performance report of the unit graded a fail)."""
    day = day or timezone.localdate()
    credit = CreditRecord.objects.in_force_on(day).filter(credit_code=OuterRef("organisation__credit_code"))
    matches = DoubleFundingMatch.objects.filter(declaration=OuterRef("pk"), judgement__in=OPEN_JUDGEMENTS)
    return {
        **{name: F(f"evaluation_summary__{column}") for name, column in QUEUE_SUMMARY_COLUMNS.items()},
        "credit_in_force": Exists(credit),
        "possible_double_funding": Exists(matches),
        "scores_outlying": Q(evaluation_summary__has_outliers=True),
        "pass_marks_missed": Q(evaluation_summary__passed=False),
        **{
            field: Value(False, output_field=BooleanField()) if source is None else source.expression(day)
            for field, source in QUEUE_FLAG_SOURCES.items()
        },
    }


def with_queue_columns(declarations):
    """`declarations` (a queryset of the queue, filtered and sorted) each with what
    queue_expressions() names, for the exports, which show every column of every row. Their long
    texts are left out."""
    return declarations.defer("summary", "facts", "award_assessment").annotate(**queue_expressions())


# What a row of the queue's table shows of a declaration, besides queue_expressions().
QUEUE_ROW_FIELDS = (
    "pk",
    "number",
    "title",
    "state",
    "award_cap",
    "approved_amount",
    "submitted_at",
    "organisation__name",
    "programme__code",
)


def _queue_rows(day, ids):
    return Declaration.objects.order_by().values(*QUEUE_ROW_FIELDS, **queue_expressions(day)).filter(pk__any_of=ids)


def _queue_row_fields():
    """The model field that converts each column of a queue row (common.sql.Prepared), read off
    QUEUE_ROW_FIELDS and QUEUE_SUMMARY_COLUMNS; the flags' columns as they come (made booleans by
    declaration_queue_rows)."""

    def field(path):
        *relations, name = path.split("__")
        model: Any = Declaration
        for relation in relations:
            model = model._meta.get_field(relation).related_model
        return model._meta.pk if name == "pk" else model._meta.get_field(name)

    summary = EvaluationSummary._meta
    return (
        *(field(path) for path in QUEUE_ROW_FIELDS),
        *(summary.get_field(column) for column in QUEUE_SUMMARY_COLUMNS.values()),
        *(None for _flag in (*QUEUE_FLAG_COLUMNS, *QUEUE_FLAG_SOURCES)),
    )


# A page of the queue's rows, asked on every page of the queue: built once (common.sql.Prepared),
# since resolving its joins and its Exists took the ORM longer than PostgreSQL takes to read the
# page's rows by their ids.
_QUEUE_ROWS = sql.Prepared(_queue_rows, fields=_queue_row_fields(), day=sql.STAND_IN_DAY, ids=sql.STAND_IN_IDS)


def declaration_queue_rows(ids):
    """The rows of a page of the queue: for the declarations `ids` (already filtered, sorted and
    sliced), in that order, a dict of QUEUE_ROW_FIELDS and queue_expressions(). One query, for one
    page: the flags are computed for the rows shown, not for every row the filtered list sorts."""
    if not ids:
        return []
    names = (*QUEUE_ROW_FIELDS, *QUEUE_SUMMARY_COLUMNS, *QUEUE_FLAG_COLUMNS, *QUEUE_FLAG_SOURCES)
    head = len(names) - len(QUEUE_FLAG_COLUMNS) - len(QUEUE_FLAG_SOURCES)
    by_pk = {}
    for values in _QUEUE_ROWS.rows(day=timezone.localdate(), ids=ids):
        row = dict(zip(names[:head], values[:head], strict=True))
        row.update(zip(names[head:], (None if v is None else bool(v) for v in values[head:]), strict=True))
        by_pk[row["pk"]] = row
    return [by_pk[pk] for pk in ids if pk in by_pk]


class _QueueData:
    """What django-tables2 asks of a list's data besides a slice: its model, count(), and order_by(),
    which gives a queryset in another order."""

    model = Declaration

    def __init__(self, declarations):
        self.declarations = declarations

    def count(self):
        return self.declarations.count()

    def order_by(self, *ordering):
        return self.declarations.order_by(*ordering)


class RankedByTotalScore(_QueueData):
    """`declarations` ranked by their evaluation's total, the highest first when `descending`, those
    without a total last either way, then the newest first (the order of QueueTable's total score),
    read a slice at a time, for the whole queue. In one query PostgreSQL joins every declaration to
    its summary and sorts them all to rank a page (4 ms at 13,000 declarations): here the scored
    declarations are read in the order of the summary's index of (total, declaration) (review
    migration 0016), 0.3 ms, then those without a total newest first by their key, the first part
    counted only when a slice begins past it. A filtered list is ranked in one query, which
    PostgreSQL plans for what the filter leaves: walking the index, it would read every scored
    declaration for a filter that keeps none of them. A slice is a list of declarations, their ids
    alone read."""

    def __init__(self, declarations, *, descending):
        super().__init__(declarations.order_by())
        self.read = self.declarations.select_related(None).only("pk")
        total = F("evaluation_summary__total")
        self.scored = self.read.filter(evaluation_summary__total__isnull=False).order_by(
            total.desc() if descending else total.asc(), "-pk"
        )

    @cached_property
    def unscored(self):
        """Built only for a slice past the scored declarations: most pages are within them."""
        with_total = EvaluationSummary.objects.filter(declaration=OuterRef("pk"), total__isnull=False)
        return self.read.filter(~Exists(with_total)).order_by("-pk")

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None or key.stop is None:
            raise TypeError("RankedByTotalScore reads a slice with an end and no step.")
        start, stop = key.start or 0, key.stop
        if stop <= start:
            return []
        page = list(self.scored[start:stop])
        if len(page) == stop - start:
            return page
        # Past the scored declarations: where the unscored ones begin in the slice is known from the
        # scored ones read, unless the slice holds none of them.
        skip = 0 if page else start - self.scored.count()
        return page + list(self.unscored[skip : skip + stop - start - len(page)])


class ReadAtOnce(_QueueData):
    """`declarations` (a queryset, filtered and sorted) as django-tables2 reads a list, the first
    `most` + 1 read in one query, their ids alone: when that is all of them, the count is how many
    and a page a slice of them. For a search, which finds a few hundred declarations at most:
    counting them, then reading a page, had PostgreSQL find them twice by the trigram indexes (0.8
    ms each at 13,000). When there are more, the database counts them, and a page past the first
    ones is read from it, as for any list."""

    def __init__(self, declarations, *, most):
        super().__init__(declarations)
        self.most = most

    @cached_property
    def first(self):
        """The ids of the first `most` + 1 declarations, in order: a page of them is made into
        declarations, not every one read."""
        return list(self.declarations.values_list("pk", flat=True)[: self.most + 1])

    def count(self):
        return len(self.first) if len(self.first) <= self.most else super().count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self.declarations[key]
        if len(self.first) <= self.most or (key.stop is not None and 0 <= key.stop <= len(self.first)):
            return [Declaration.from_db(self.declarations.db, ["id"], (pk,)) for pk in self.first[key]]
        return self.declarations[key]


def reviewers_with_load(declaration=None):
    """Active expert reviewers with the number of evaluations they have open; for a declaration,
    without those in a conflict of interest with its organisation (its own people, or declared)
    and those already assigned."""
    reviewers = (
        User.objects.filter(role=Role.REVIEWER, is_active=True)
        .annotate(
            open_evaluations=Count(
                "review_assignments",
                filter=Q(review_assignments__submitted_at__isnull=True, review_assignments__released_at__isnull=True),
            )
        )
        .order_by("open_evaluations", "username")
    )
    if declaration is not None:
        reviewers = (
            reviewers.exclude(organisation_id=declaration.organisation_id)
            .exclude(review_assignments__declaration=declaration)
            .exclude(conflicts__organisation_id=declaration.organisation_id)
        )
    return reviewers


def acceptance_checks(declaration):
    """Each round's formal review of `declaration`, with who checked it."""
    return list(declaration.acceptance_checks.select_related("checked_by"))


# Acceptance (the formal review) is a check of completeness: a declaration that has waited longer
# than this since its submission is shown to staff as overdue work.
ACCEPTANCE_WAIT_DAYS = 10


def acceptance_overdue_q(now=None):
    """Declarations submitted more than ACCEPTANCE_WAIT_DAYS ago and still awaiting acceptance."""
    now = now or timezone.now()
    return Q(state=S.SUBMITTED, submitted_at__lt=now - timedelta(days=ACCEPTANCE_WAIT_DAYS))


def acceptance_overdue_count(now=None):
    """How many declarations wait too long for acceptance. One query."""
    return Declaration.objects.filter(acceptance_overdue_q(now)).count()


# --- the expert reviewer's work: to score, in progress, done --------------------------------------


class ReviewerTab(NamedTuple):
    key: str
    label: object  # a lazy translation
    condition: Callable  # () -> Q over the reviewer's active assignments


REVIEWER_TABS = (
    ReviewerTab("to_score", _("To score"), lambda: Q(submitted_at__isnull=True, started=False)),
    ReviewerTab("in_progress", _("In progress"), lambda: Q(submitted_at__isnull=True, started=True)),
    ReviewerTab("done", _("Done"), lambda: Q(submitted_at__isnull=False)),
)
REVIEWER_TAB_KEYS = tuple(tab.key for tab in REVIEWER_TABS)


def _active_assignments(reviewer_id):
    return ReviewAssignment.objects.filter(reviewer_id=reviewer_id, released_at__isnull=True)


# A reviewer's tab counts are kept in the cache between two changes to their assignments; the
# timeout bounds a count a request read just before a change and wrote just after it.
TAB_COUNTS_KEY = "review:tab-counts:{reviewer}"
TAB_COUNTS_TIMEOUT = 60


# The counts, read again after each save of a reviewer's scores (which forgets them): built once
# (common.sql.Prepared), since building the aggregate took the ORM longer than PostgreSQL takes to
# count a reviewer's assignments; one row, grouped by the reviewer, or none when they have none.
_TAB_COUNTS_OF = sql.Prepared(
    lambda reviewer: (
        _active_assignments(reviewer)
        .values("reviewer_id")
        .annotate(**{tab.key: Count("pk", filter=tab.condition()) for tab in REVIEWER_TABS})
        .values_list(*REVIEWER_TAB_KEYS)
        .order_by()
    ),
    fields=tuple(None for _tab in REVIEWER_TABS),
    reviewer=sql.STAND_IN_ID,
)


def _tab_counts_read(user):
    found = _TAB_COUNTS_OF.rows(reviewer=user.pk)
    return dict(zip(REVIEWER_TAB_KEYS, found[0] if found else (0,) * len(REVIEWER_TAB_KEYS), strict=True))


def reviewer_tab_counts(user):
    """{tab key: the number of the reviewer's active assignments in it}: from the cache, or in one
    query from the index `assignment_reviewer_tabs` (2 ms at 9,000 assignments on PostgreSQL, on each
    page of the queue). Reviewers are assigned to accepted declarations only, and no declaration goes
    back to its draft: the declarations, which the queue's list reads past their draft, need not be
    read."""
    return kept(TAB_COUNTS_KEY.format(reviewer=user.pk), TAB_COUNTS_TIMEOUT, lambda: _tab_counts_read(user))


# What places an assignment in a tab and in a reviewer's counts.
TAB_FIELDS = ("reviewer_id", "released_at", "submitted_at", "started")


def _tab_place(values):
    return values["reviewer_id"], values["released_at"] is None, values["submitted_at"] is None, values["started"]


def reviewer_tab_counts_changed(sender, instance, **kwargs):
    """An assignment was written or deleted: its reviewer's counts are read afresh, and its former
    reviewer's. Not for an assignment saved in the same tab of the same reviewer as it was loaded
    (ReviewAssignment.loaded): a draft of scores saved again, which under bench/load.py made nearly
    every view of a reviewer's queue count the tabs again."""
    loaded = getattr(instance, "loaded", {})
    before = {name: loaded[name] for name in TAB_FIELDS} if all(name in loaded for name in TAB_FIELDS) else None
    saved_in_place = (
        kwargs.get("signal") is post_save
        and not kwargs.get("created")
        and before is not None
        and _tab_place(before) == _tab_place({name: getattr(instance, name) for name in TAB_FIELDS})
    )
    if saved_in_place:
        return
    reviewers = {instance.reviewer_id, before["reviewer_id"] if before else instance.reviewer_id}
    forgotten(*(TAB_COUNTS_KEY.format(reviewer=reviewer) for reviewer in reviewers))


# The number of declarations past their draft (every one staff, finance and administrators see in
# the console's queue), kept in the cache: one more for each declaration that leaves its draft (a
# submission, all day long), read afresh when one is made past its draft or deleted past it. Drafts
# are saved all day, and a declaration moves between the states past its draft: neither changes it.
QUEUE_COUNT_KEY = "review:queue-count"
QUEUE_COUNT_TIMEOUT = 300


def console_queue_count(user):
    """How many declarations the unfiltered queue of `user` lists, from the cache, when `user` sees
    every declaration past its draft (staff, finance, administrators: declarations_visible_to);
    None for anyone else, whose queue is counted by its own query."""
    if not sees_every_declaration_past_draft(user):
        return None
    return kept(QUEUE_COUNT_KEY, QUEUE_COUNT_TIMEOUT, Declaration.objects.exclude(state=S.DRAFT).count)


def console_queue_count_changed(sender, instance, **kwargs):
    """A declaration was made past its draft (not by the workflow: a fixture, an import) or deleted
    past it: the count is read afresh."""
    if instance.state == S.DRAFT or (kwargs.get("signal") is post_save and not kwargs.get("created")):
        return
    forgotten(QUEUE_COUNT_KEY)


def console_queue_count_moved(sender, instance, created, **kwargs):
    """A declaration left its draft (or went back to it), as its event records: declarations.workflow,
    the only writer of a declaration's state, writes one for each change. The count kept is one more
    (or less), after the commit. Forgetting it had staff's next page count every declaration again:
    under bench/load.py, with submissions all along, most pages of the unfiltered queue did."""
    step = (instance.from_state == S.DRAFT) - (instance.to_state == S.DRAFT)
    if created and step:
        added(QUEUE_COUNT_KEY, step)


def declarations_in_reviewer_tab(declarations, user, tab):
    """`declarations` (the reviewer's queue) narrowed to those whose assignment is in `tab`: an
    Exists over the assignment, so the queue's count and page read no join."""
    condition = next(t.condition() for t in REVIEWER_TABS if t.key == tab)
    return declarations.filter(Exists(_active_assignments(user.pk).filter(condition, declaration=OuterRef("pk"))))


def _waiting_to_score(reviewer_id):
    """The reviewer's assignments to score or in progress while the declaration is under evaluation,
    the one assigned first first."""
    return ReviewAssignment.objects.filter(
        reviewer_id=reviewer_id, released_at__isnull=True, submitted_at__isnull=True, declaration__state=S.UNDER_REVIEW
    ).order_by("assigned_at", "pk")


# The next declaration to score after the one shown, asked on every console page of a declaration a
# reviewer is assigned: built once (common.sql.Prepared), since building it took the ORM longer than
# PostgreSQL takes to answer it from the reviewer's index.
_NEXT_TO_SCORE_AFTER = sql.Prepared(
    lambda reviewer, after: _waiting_to_score(reviewer).exclude(declaration_id=after).values_list("declaration_id")[:1],
    fields=sql.fields_of(ReviewAssignment, "declaration"),
    reviewer=sql.STAND_IN_ID,
    after=sql.STAND_IN_OTHER_ID,
)


def next_to_score(user, *, after=None):
    """The declaration the reviewer should score next: of the assignments to score or in progress
    while the declaration is under evaluation, the one assigned first, other than `after`; None
    when nothing is left."""
    if after is None:
        return _waiting_to_score(user.pk).values_list("declaration_id", flat=True).first()
    found = _NEXT_TO_SCORE_AFTER.rows(reviewer=user.pk, after=after.pk)
    return found[0][0] if found else None
