"""The double-funding check of Art. 16: a declaration whose project resembles one the same unit was
already granted municipal funds for, through another channel, is flagged for staff to judge.

Resemblance is pg_trgm's trigram similarity of the declaration's title and summary and the funded
project's title and content. PostgreSQL computes it in the database (migration review/0004 enables
the extension); on SQLite `similarity` below computes the same measure in Python, so both
databases flag the same pairs.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import rules
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Count, F, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from declarations.models import Declaration
from declarations.workflow import UNDER_CONSIDERATION_STATES, TransitionRefused
from review.models import DoubleFundingMatch, FundingRecord, MatchJudgement

# A funded project at least this similar (0 to 1) to the declaration is flagged. pg_trgm's own
# default for its % operator is 0.3 too.
THRESHOLD = Decimal("0.3")

# Declarations still before a decision: a funding import re-checks these.

# pg_trgm's words: runs of letters and digits (any script); everything else separates them.
_WORD = re.compile(r"[^\W_]+")


def _words(text):
    return _WORD.findall((text or "").lower())


def trigrams(text):
    """pg_trgm's trigram set of `text`: each lower-cased word padded with two spaces before and one
    after, cut into every run of three characters."""
    grams = set()
    for word in _words(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a, b):
    """pg_trgm's similarity(a, b): shared trigrams over all trigrams, 0 when neither has any."""
    first, second = trigrams(a), trigrams(b)
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def declaration_text(declaration):
    return f"{declaration.title} {declaration.summary}"


def record_text(record):
    return f"{record.project_title} {record.project_content}"


def _as_similarity(value):
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _similar_records(declaration):
    """(record, similarity) for each funding record of the declaration's unit at or above THRESHOLD."""
    records = FundingRecord.objects.filter(credit_code=declaration.organisation.credit_code).select_related(
        "imported_from"
    )
    text = declaration_text(declaration)
    if connection.vendor == "postgresql":
        content = Concat(F("project_title"), Value(" "), F("project_content"), output_field=TextField())
        records = records.annotate(trigram_similarity=TrigramSimilarity(content, Value(text)))
        return [
            (record, _as_similarity(record.trigram_similarity))
            for record in records.filter(trigram_similarity__gte=float(THRESHOLD))
        ]
    scored = ((record, _as_similarity(similarity(text, record_text(record)))) for record in records)
    return [(record, value) for record, value in scored if value >= THRESHOLD]


@transaction.atomic
def double_funding_check(declaration):
    """Compare the declaration with every funded project of its unit and keep the matches.

    In order: locks the declaration's row (so two checks of it wait for each other); creates a
    `DoubleFundingMatch` for each funding record at or above THRESHOLD, or updates the similarity of
    the one found before, keeping its judgement; deletes a match not yet judged whose record no
    longer reaches THRESHOLD (the declaration was revised), and keeps a judged one. Each row change
    is recorded by simple_history. Returns the declaration's matches, the most similar first."""
    declaration = Declaration.objects.select_for_update().select_related("organisation").get(pk=declaration.pk)
    found = {record.pk: (record, value) for record, value in _similar_records(declaration)}
    existing = {match.record_id: match for match in declaration.double_funding_matches.all()}
    for record_id, match in existing.items():
        if record_id in found:
            value = found[record_id][1]
            if match.similarity != value:
                match.similarity = value
                match.save(update_fields=["similarity"])
        elif match.judgement == MatchJudgement.PENDING:
            match.delete()
    for record_id, (record, value) in found.items():
        if record_id not in existing:
            DoubleFundingMatch.objects.create(declaration=declaration, record=record, similarity=value)
    return double_funding_matches(declaration)


def double_funding_matches(declaration):
    """The declaration's matches with their funded projects, the most similar first."""
    return list(
        DoubleFundingMatch.objects.filter(declaration=declaration)
        .select_related("record__imported_from", "judged_by")
        .order_by("-similarity", "pk")
    )


@dataclass(frozen=True)
class MatchSummary:
    total: int
    pending: int


def double_funding_summary(declaration):
    """How many possible double fundings the declaration has, and how many are still to be judged."""
    counts = DoubleFundingMatch.objects.filter(declaration=declaration).aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(judgement=MatchJudgement.PENDING))
    )
    return MatchSummary(total=counts["total"], pending=counts["pending"])


def declarations_to_check_after_import(register_import_id):
    """The open declarations of the units a funding import named."""
    codes = FundingRecord.objects.filter(imported_from_id=register_import_id).values("credit_code")
    return Declaration.objects.filter(
        state__in=UNDER_CONSIDERATION_STATES, organisation__credit_code__in=codes
    ).order_by("pk")


def double_funding_check_after_import(*, register_import_id):
    """Run the check for each open declaration of the units in a funding import; returns how many
    declarations now have at least one match."""
    flagged = 0
    for declaration in declarations_to_check_after_import(register_import_id):
        if double_funding_check(declaration):
            flagged += 1
    return flagged


JUDGEMENTS = (MatchJudgement.SAME_PROJECT, MatchJudgement.DIFFERENT_PROJECT)


class JudgementRefused(TransitionRefused):
    """A judgement that was not recorded; `field` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@transaction.atomic
def match_judge(*, match_id, actor, judgement, note):
    """Record staff's judgement of a possible double funding: the same project (already funded) or
    a different one, with the reason. Locks the match, sets judgement, note, judged_by and judged_at;
    simple_history keeps the previous judgement with who changed it."""
    if not rules.has_perm("console.staff", actor):
        raise JudgementRefused(_("Only commission staff judge possible double funding."))
    if judgement not in JUDGEMENTS:
        raise JudgementRefused(_("Choose whether it is the same project or a different one."), field="judgement")
    note = (note or "").strip()
    if not note:
        raise JudgementRefused(_("Give the reason for the judgement."), field="note")
    match = DoubleFundingMatch.objects.select_for_update().get(pk=match_id)
    match.judgement = judgement
    match.judgement_note = note
    match.judged_by = actor
    match.judged_at = timezone.now()
    audited(match, actor)
    match.save()
    return match


# --- Highlighting what two texts share, for the side-by-side page --------------------------------


def shared_segments(text, other):
    """`text` cut into (part, shared) pieces: a part is shared when it lies in a run of three
    characters of a word that `other` also has, or is a whole word of `other`. The parts are plain
    text; the template escapes them."""
    other_words = set(_words(other))
    other_grams = {word[i : i + 3] for word in other_words for i in range(len(word) - 2)}
    text = text or ""
    marked = [False] * len(text)
    for found in _WORD.finditer(text):
        start, word = found.start(), found.group()
        lowered = [ch.lower() for ch in word]  # per character, so positions stay those of `text`
        if "".join(lowered) in other_words:
            marked[start : start + len(word)] = [True] * len(word)
            continue
        for i in range(len(word) - 2):
            if "".join(lowered[i : i + 3]) in other_grams:
                marked[start + i : start + i + 3] = [True] * 3
    segments = []
    for ch, shared in zip(text, marked, strict=True):
        if segments and segments[-1][1] == shared:
            segments[-1][0] += ch
        else:
            segments.append([ch, shared])
    return [(part, shared) for part, shared in segments]
