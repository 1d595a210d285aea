"""Text the system writes, stored as a message key with parameters and rendered in the reader's
language when it is shown or sent (issue 17): a notice e-mailed to an English-speaking user, or a
history note read by a Chinese-speaking one, never reads in the language active when it was written.

- `MESSAGES` is the registry: key -> a lazily translated format string and the kinds of its
  parameters. A kind says how a parameter is stored and rendered: a date by the locale's format,
  an amount with separators, a list joined with 、 or ", ", a state label by its code (resolved
  when rendered), a title held in both languages, another message.
- `message(key, **params)` builds a `Message` to store; `str(message)` renders it in the active
  language (wrap it in `translation.override` to render for someone else).
- `MessageField` stores a `Message` (as JSON) or free text typed by a person (as typed) in one text
  column, and reads back a `Message` or the text: templates, exports and e-mails use `str()`.
- `message_from_text` recognises text written before, in Chinese or English, as a key with its
  parameters (the data migrations' tool); text that matches nothing stays as it is.

A leaf: it imports no app. State labels are resolved by the dotted path of their TextChoices,
imported when rendered.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import formats, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from common.money import yuan
from common.typography import join_clauses, join_list

# The kinds of parameter.
TEXT = "text"  # shown as stored: free text typed by a person, a number, a code, a proper name
DATE = "date"
DATETIME = "datetime"
MONEY = "money"
LIST = "list"  # of texts
TITLE = "title"  # {"zh-hans": ..., "en": ...}: a title held in both languages (a call's, a batch's)
MESSAGE = "message"  # another message, or free text


@dataclass(frozen=True)
class Choice:
    """A state label or another choice: stored as its value, rendered by the TextChoices at `path`."""

    path: str


@dataclass(frozen=True)
class Definition:
    text: object  # a lazily translated format string with %(name)s placeholders
    params: dict = field(default_factory=dict)  # name -> kind
    # Recognised in old text only when asked for by key: a message that is nothing but a label
    # (a default indicator's name) would otherwise claim any text that happens to equal one.
    only_when_asked: bool = False


PARAGRAPHS = "paragraphs"  # a list of messages (or free texts), one paragraph each
CLAUSES = "clauses"  # a list of messages (or free texts), clauses of one sentence ("；" / "; ")

MESSAGES: dict[str, Definition] = {}


def register(key, text, *, only_when_asked=False, **params):
    """Add (or replace) a message in the registry; returns the key."""
    MESSAGES[key] = Definition(text, params, only_when_asked)
    return key


def _chinese(language=None):
    return (language or translation.get_language() or "").lower().startswith("zh")


def bilingual(zh, en, language=None):
    """Of a text held in both languages, the reader's (the other when it is empty): the active
    language's, or `language`'s when a caller choosing for many texts has read it once."""
    return (zh or en or "") if _chinese(language) else (en or zh or "")


def format_money(value):
    return yuan(Decimal(value))


_STR_METHODS = frozenset(name for name in dir(str) if not name.startswith("_"))


class Message:
    """A message of the registry with its stored parameters; `str()` renders it in the active
    language. A message whose key is "" is free text (`text`), kept as typed."""

    __slots__ = ("key", "params", "text")

    def __init__(self, key, params=None, text=""):
        self.key, self.params, self.text = key, params or {}, text

    def __str__(self):
        if not self.key:
            return self.text
        definition = MESSAGES.get(self.key)
        if definition is None:  # a key since removed: its parameters are all that is left
            return self.text or " ".join(str(value) for value in self.params.values())
        rendered = {name: _render(definition.params.get(name, TEXT), value) for name, value in self.params.items()}
        return str(definition.text) % rendered

    def __bool__(self):
        return bool(self.key or self.text)

    def __getattr__(self, name):
        # str's methods (startswith, splitlines...) on the rendered text.
        if name.startswith("_") or name not in _STR_METHODS:
            raise AttributeError(name)
        return getattr(str(self), name)

    # Read as text (in the active language) wherever text is expected: compared with a str,
    # searched, measured, concatenated.
    def __eq__(self, other):
        if isinstance(other, Message):
            return self.as_json() == other.as_json()
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __contains__(self, text):
        return str(text) in str(self)

    def __len__(self):
        return len(str(self))

    def __add__(self, other):
        return str(self) + str(other)

    def __radd__(self, other):
        return str(other) + str(self)

    __hash__ = None

    def __repr__(self):
        return f"Message({self.as_json()})"

    def as_json(self):
        return {"msg": self.key, "text": self.text} if not self.key else {"msg": self.key, "params": self.params}

    def in_language(self, language):
        with translation.override(language):
            return str(self)


def _encode(kind, value):
    """A parameter as JSON stores it."""
    if value is None:
        return ""
    if isinstance(kind, Choice):
        return str(getattr(value, "value", value))
    if kind == DATE:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    if kind == DATETIME:
        return value.isoformat() if isinstance(value, datetime.datetime) else str(value)
    if kind == MONEY:
        return str(value)
    if kind == LIST:
        return [str(item) for item in value]
    if kind == TITLE:
        return dict(value) if isinstance(value, dict) else str(value)
    if kind == MESSAGE:
        return value.as_json() if isinstance(value, Message) else str(value)
    if kind in (PARAGRAPHS, CLAUSES):
        return [item.as_json() if isinstance(item, Message) else literal(item).as_json() for item in value]
    return value if isinstance(value, int | float) else str(value)


def _render(kind, value):
    """A stored parameter in the active language."""
    if isinstance(kind, Choice):
        try:
            choices = import_string(kind.path)
            return str(choices[value] if isinstance(choices, dict) else choices(value).label)
        except (ImportError, KeyError, ValueError):
            return str(value)
    if kind == DATE:
        date = parse_date(value) if isinstance(value, str) else None
        return formats.date_format(date, "DATE_FORMAT") if date else str(value)
    if kind == DATETIME:
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            return str(value)
        from django.utils import timezone  # noqa: PLC0415 -- keeps the module's imports to what it needs at load

        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "DATETIME_FORMAT")
    if kind == MONEY:
        try:
            return format_money(value)
        except (InvalidOperation, TypeError, ValueError):
            return str(value)
    if kind == LIST:
        return join_list(value if isinstance(value, list) else [value])
    if kind == TITLE:
        if isinstance(value, dict):
            return value.get("zh-hans" if _chinese() else "en") or next((v for v in value.values() if v), "")
        return str(value)
    if kind == MESSAGE:
        return str(from_json(value)) if isinstance(value, dict) else str(value)
    if kind == PARAGRAPHS:
        return "\n\n".join(str(from_json(item)) for item in value if item)
    if kind == CLAUSES:
        return join_clauses(str(from_json(item)) for item in value if item)
    return str(value)


def message(key, **params):
    """The message `key` with its parameters, ready to store (each encoded by its kind)."""
    definition = MESSAGES[key]
    return Message(key, {name: _encode(definition.params.get(name, TEXT), value) for name, value in params.items()})


def literal(text):
    """Free text, kept as typed."""
    return Message("", text=str(text or ""))


def title(zh, en):
    """A title held in both languages (a TITLE parameter)."""
    return {"zh-hans": zh or en or "", "en": en or zh or ""}


def from_json(data):
    if isinstance(data, dict) and "msg" in data:
        return Message(data["msg"] or "", data.get("params") or {}, data.get("text") or "")
    return literal(data)


_MARKER = '{"msg":'


def to_db(value):
    """What a MessageField stores: a message as JSON, free text as typed (unless it would read as
    JSON, then as a literal message)."""
    if value is None:
        return None
    if isinstance(value, Message):
        if not value.key and not value.text.startswith(_MARKER):
            return value.text
        return json.dumps(value.as_json(), ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_MARKER):
        return json.dumps(literal(text).as_json(), ensure_ascii=False)
    return text


def from_db(value):
    """A Message, or free text as a plain str."""
    if isinstance(value, str) and value.startswith(_MARKER):
        try:
            return from_json(json.loads(value))
        except ValueError:
            return value
    return value


class MessageField(models.TextField):
    """A text column holding a `Message` (rendered in the reader's language by `str()`) or free
    text (read back as the str it was)."""

    def from_db_value(self, value, expression, connection):
        return from_db(value)

    def to_python(self, value):
        if isinstance(value, Message):
            return value
        return from_db(super().to_python(value))

    def get_prep_value(self, value):
        return to_db(value) if isinstance(value, Message) or value is not None else value

    def value_to_string(self, obj):
        return to_db(self.value_from_object(obj)) or ""

    def save_form_data(self, instance, data):
        """A form (the admin's) shows a stored message as its text in the active language: posted
        back unchanged, the message stays, rather than becoming that text in the editor's language.
        Blanks are compared normalised (a text area posts \\r\\n, a form strips). Text that differs
        is saved as typed."""
        current = getattr(instance, self.attname, None)
        if isinstance(current, Message) and current.key and isinstance(data, str) and _same_text(data, str(current)):
            return
        super().save_form_data(instance, data)


def _same_text(first, second):
    return " ".join(first.split()) == " ".join(second.split())


def note_stripped(note):
    """A note as stored: free text without surrounding blanks, a message as it is."""
    return note if isinstance(note, Message) else (note or "").strip()


def message_text(value):
    """A text column that may hold a stored message (a history's change reason, kept in a plain text
    column) as the reader's language reads it: the message rendered, other text as it is."""
    return render(from_db(value))


def render(value, language=None):
    """A stored value (Message or text) as text, in `language` or the active one."""
    if language:
        with translation.override(language):
            return str(value or "")
    return str(value or "")


# --- recognising text written before keys existed ------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


_PATTERNS: dict = {}


def _pattern(text):
    if text not in _PATTERNS:
        _PATTERNS[text] = _compile(text)
    return _PATTERNS[text]


def _compile(text):
    parts, names, last = [], [], 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[last : match.start()]))
        name = match.group(1)
        parts.append(f"(?P<{name}>.*?)" if name not in names else f"(?P={name})")
        names.append(name)
        last = match.end()
    parts.append(re.escape(text[last:]))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _decode(kind, text, language):
    """The stored form of a parameter read from old text in `language`, or None if it cannot be."""
    if isinstance(kind, Choice):
        choices = import_string(kind.path)
        labels = choices.items() if isinstance(choices, dict) else ((member, member.label) for member in choices)
        with translation.override(language):
            for value, label in labels:
                if str(label) == text or str(label).lower() == text:
                    return str(getattr(value, "value", value))
        return None
    if kind == DATE:
        date = _old_date(text.strip())
        return date.isoformat() if date else None
    if kind == MONEY:
        try:
            return str(Decimal(text.replace(",", "").strip()))
        except InvalidOperation:
            return None
    if kind == LIST:
        return [item for item in re.split(r", |、|，", text) if item]
    if kind == MESSAGE:
        return to_db_json(message_from_text(text))
    if kind == CLAUSES:
        return _clauses_from_text(text, language)
    if kind == TITLE:
        return text
    return text


def to_db_json(value):
    return value.as_json()


# How text wrote a day: ISO (the English short format), the Chinese short format 2026/12/09, the
# Chinese long format 2026年12月9日, and the English long one (Dec. 9, 2026; June 15, 2026).
_NUMERIC_DATE = re.compile(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?\Z")
_ENGLISH_DATE = re.compile(r"([A-Z][a-z]+)\.? (\d{1,2}), (\d{4})\Z")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _old_date(text):
    numeric, english = _NUMERIC_DATE.match(text), _ENGLISH_DATE.match(text)
    try:
        if numeric:
            return datetime.date(*(int(part) for part in numeric.groups()))
        if english and english.group(1)[:3].lower() in _MONTHS:
            month = _MONTHS.index(english.group(1)[:3].lower()) + 1
            return datetime.date(int(english.group(3)), month, int(english.group(2)))
    except ValueError:
        return None
    return None


def _clauses_from_text(text, language):
    """The clauses of `text` (joined with "；" or "; "), each a message, or None unless every clause
    reads as one. A clause may itself hold the separator (a source typed with a semicolon): the
    shortest clauses that let the rest read as messages too are taken."""
    separator = "；" if _chinese(language) else "; "
    pieces = text.split(separator)

    def clauses_from(start):
        if start == len(pieces):
            return []
        for end in range(start + 1, len(pieces) + 1):
            recognised = message_from_text(separator.join(pieces[start:end]), languages=(language,))
            if recognised.key:
                rest = clauses_from(end)
                if rest is not None:
                    return [recognised.as_json(), *rest]
        return None

    return clauses_from(0) if text else None


def message_from_text(text, keys=None, languages=("zh-hans", "en")):
    """A Message for `text` when it reads as one of the registry's messages (`keys`, or all) in one
    of `languages`; otherwise `text` as a literal."""
    if not text or text.startswith(_MARKER):
        return from_db(text) if text else literal("")
    for language in languages:
        for key in keys or [key for key, definition in MESSAGES.items() if not definition.only_when_asked]:
            definition = MESSAGES[key]
            with translation.override(language):
                match = _pattern(str(definition.text)).match(text)
            if not match:
                continue
            params = {}
            for name, value in match.groupdict().items():
                decoded = _decode(definition.params.get(name, TEXT), value, language)
                if decoded is None:
                    break
                params[name] = decoded
            else:
                return Message(key, params)
    return literal(text)


def paragraphs_from_text(text, keys=None):
    """Like message_from_text for a text of paragraphs (a notice's body): each paragraph recognised
    on its own, those that match nothing kept as typed."""
    paragraphs = [message_from_text(paragraph, keys) for paragraph in (text or "").split("\n\n")]
    if not any(paragraph.key for paragraph in paragraphs):
        return literal(text)
    if len(paragraphs) == 1:
        return paragraphs[0]
    return Message("paragraphs", {"paragraphs": [paragraph.as_json() for paragraph in paragraphs]})


def texts_to_messages(model, schema_editor, fields, keys=None):
    """The data migrations' step: rewrite each row of `model` whose text in `fields` ({field:
    "message" or "paragraphs"}) reads as a message of `keys`, written before messages were stored,
    as that message; and, in a message stored already, a part kept as text (a note quoted in a
    notice) that reads as one. Text that matches nothing stays as it is. A field other than a
    MessageField (a history's change reason) gets the message as a MessageField stores it.
    Returns the number of rows rewritten."""
    plain = {name for name in fields if not isinstance(model._meta.get_field(name), MessageField)}

    def rewrite(name, value):
        if isinstance(value, str) and value.startswith(_MARKER):
            value = from_db(value)
        if isinstance(value, Message):
            recognised = _recognised_within(value, keys) if value.key else None
        elif not isinstance(value, str) or not value:
            return None
        elif fields[name] == "paragraphs":
            recognised = paragraphs_from_text(value, keys)
        else:
            recognised = message_from_text(value, keys)
        if recognised is None or not recognised.key:
            return None
        return to_db(recognised) if name in plain else recognised

    return rows_rewritten(model, schema_editor, list(fields), rewrite)


def rows_rewritten(model, schema_editor, fields, rewrite):
    """Rewrite `fields` of every row of `model` with `rewrite(field, value)` (None: unchanged). The
    audit tables' trigger, which refuses every UPDATE, is held off for the rewrite (the same text, in
    the form it now has). Returns the number of rows rewritten."""
    connection = schema_editor.connection
    table = connection.ops.quote_name(model._meta.db_table)
    guarded = connection.vendor == "postgresql"
    if guarded:
        # ALTER TABLE is refused while the transaction holds deferred checks of rows it wrote (a
        # table rewritten before in the same migration): run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    rewritten = 0
    for pk, *values in model.objects.values_list("pk", *fields).iterator():
        changes = {}
        for name, value in zip(fields, values, strict=True):
            changed = rewrite(name, value)
            if changed is not None:
                changes[name] = changed
        if changes:
            model.objects.filter(pk=pk).update(**changes)
            rewritten += 1
    if guarded:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")
    return rewritten


def _recognised_within(stored, keys):
    """`stored` (a message) with the parts it keeps as text (a MESSAGE parameter, a paragraph, a
    clause) recognised as messages of `keys` where they read as one, or None if none does."""
    definition = MESSAGES.get(stored.key)
    if definition is None:
        return None
    params, changed = dict(stored.params), False
    for name, value in stored.params.items():
        kind = definition.params.get(name, TEXT)
        if kind == MESSAGE:
            part = _recognised_part(value, keys)
            if part is not None:
                params[name], changed = part, True
        elif kind in (PARAGRAPHS, CLAUSES) and isinstance(value, list):
            parts = [_recognised_part(item, keys) for item in value]
            if any(part is not None for part in parts):
                params[name] = [item if part is None else part for item, part in zip(value, parts, strict=True)]
                changed = True
    return Message(stored.key, params) if changed else None


def _recognised_part(value, keys):
    part = from_json(value) if isinstance(value, dict) else literal(value)
    if part.key:
        within = _recognised_within(part, keys)
        return within.as_json() if within is not None else None
    recognised = message_from_text(part.text, keys)
    return recognised.as_json() if recognised.key else None


# --- the registry ----------------------------------------------------------------------------------
# The format strings are the msgids the code used before, so the catalogue's translations serve, and
# the data migrations recognise old rows by them. A choice names where its labels are.

APPLICANT_STATE = Choice("declarations.enums.APPLICANT_LABELS")
REPORT_KIND = Choice("monitoring.enums.ReportKind")

register("paragraphs", "%(paragraphs)s", only_when_asked=True, paragraphs=PARAGRAPHS)

# Notices to the applicant about their declaration.
register("declaration.state.subject", _("Declaration “%(title)s”: %(state)s"), state=APPLICANT_STATE)
register(
    "declaration.state.body",
    _("The state of your declaration “%(title)s” (%(programme)s) is now: %(state)s."),
    state=APPLICANT_STATE,
)
register("declaration.number", _("Declaration number: %(number)s"))
register("declaration.comments", _("Comments: %(note)s"), note=MESSAGE)

# Notices to staff.
register("declaration.submitted.subject", _("New declaration submitted: %(number)s"))
register(
    "declaration.submitted.body",
    _(
        "%(organisation)s submitted declaration %(number)s, “%(title)s” (%(programme)s), on %(date)s. "
        "Check it for acceptance in the staff console."
    ),
    date=DATETIME,
)
register("objection.received.subject", _("New objection %(receipt)s to %(number)s"))
register(
    "objection.received.body",
    _(
        "An objection (receipt number %(receipt)s) to declaration %(number)s, “%(title)s”, in the batch "
        "“%(batch)s”, arrived on %(date)s. The project is not confirmed until the objection is handled."
    ),
    batch=TITLE,
    date=DATETIME,
)
register("review.assigned.subject", _("New declaration to evaluate: %(title)s"))
register("review.assigned.body", _("You have been assigned declaration %(number)s to evaluate."))
register("review.conflict.subject", _("Conflict of interest declared on %(number)s"))
register(
    "review.conflict.body",
    _(
        "%(reviewer)s declared a conflict of interest with %(organisation)s and was released from "
        "declaration %(number)s. Reason: %(reason)s"
    ),
)
register("review.conflict.complete", _("Every other evaluation was submitted, so the evaluation is complete."))
register("review.conflict.reassign", _("Assign another expert reviewer if the declaration needs one."))
register(
    "monitoring.report.due_soon.subject",
    _("%(report)s of %(declaration)s due on %(due_on)s"),
    report=REPORT_KIND,
    due_on=DATE,
)
register(
    "monitoring.report.due_soon.body",
    _(
        "The %(report)s on the performance targets of “%(title)s” (%(declaration)s) is due on "
        "%(due_on)s (Art. 18). Fill it in and submit it on the declaration's page."
    ),
    report=REPORT_KIND,
    due_on=DATE,
)
register("monitoring.report.overdue.subject", _("%(report)s of %(declaration)s is overdue"), report=REPORT_KIND)
register(
    "monitoring.report.overdue.body",
    _(
        "The %(report)s on the performance targets of “%(title)s” (%(declaration)s) was due on "
        "%(due_on)s and has not been submitted. Submit it on the declaration's page as soon as you can."
    ),
    report=REPORT_KIND,
    due_on=DATE,
)
register("recovery.overdue.subject", _("Recovery case %(number)s is overdue"))
register(
    "recovery.overdue.body",
    _(
        "Recovery case %(number)s of %(organisation)s (declaration %(declaration)s) was to be repaid by "
        "%(due_on)s. %(left)s yuan of the %(due)s yuan to recover is still due. Record what was received, "
        "or refer the case for enforcement."
    ),
    due_on=DATE,
    left=MONEY,
    due=MONEY,
)
register("calendar.gap.subject", _("The working days of %(year)s are not entered yet"))
register(
    "calendar.gap.body",
    _(
        "The State Council's holiday schedule for %(year)s has not been entered in the platform. Until "
        "it is, every publicity period that would reach %(year)s is refused, never guessed. The "
        "administrator enters the holidays and make-up working days of %(year)s on the page "
        "%(address)s and then marks the year's schedule complete."
    ),
)

# History notes written by the system.
register("review.conflict.released", _("The last open evaluation was released for a conflict of interest."))
register("review.meeting.proposed", _("As proposed by the evaluation meeting of %(date)s."), date=DATE)
register("disbursement.payment.first", _("Payment %(reference)s"))
register("disbursement.payment.full", _("Paid in full with payment %(reference)s"))
register(
    "recovery.opened",
    _("Recovery case %(number)s: %(amount)s yuan to be repaid by %(due)s. %(reason)s"),
    amount=MONEY,
    due=DATE,
)
register(
    "recovery.received",
    _("%(amount)s yuan received on %(date)s, reference %(reference)s"),
    amount=MONEY,
    date=DATE,
)
register("recovery.due", _("Due on %(date)s."), date=DATE)
# The source of the credit record a recovery's finding of dishonesty lists (disbursement.recovery).
register("recovery.dishonesty_source", _("Recovery case %(number)s: dishonesty found by the commission (Art. 22)"))
register("publicity.ended", _("Publicity ended on %(end)s without an upheld objection."), end=DATE)
# Default titles, composed in each language (a batch stores both).
register("publicity.default_title", _("List of projects to be supported, %(call)s"))
register("publicity.first_publication", _("First publication."))
register("publicity.withdrawn", _("No. %(number)s withdrawn: an objection to it was upheld."))
register(
    "publicity.terminated_withdrawn",
    _("No. %(number)s withdrawn: the commission terminated the project (Art. 21)."),
)
register("publicity.classification_lifted", _("Publication allowed again."))
# The change reasons of the evaluation meeting's history (review.meetings). A withdrawal names the
# member and what they withdrew from; the two forms are recognised in old text only inside the notes
# that hold them, since "%(name)s, %(declaration)s" would claim any text with a comma.
register("review.meeting.recorded", _("Meeting recorded"))
register("review.meeting.corrected", _("Meeting corrected"))
register("review.withdrawal.recorded", _("Withdrawal recorded"))
register("review.withdrawal.whole_meeting", _("%(name)s, the whole meeting"), only_when_asked=True)
register("review.withdrawal.declaration", _("%(name)s, %(declaration)s"), only_when_asked=True)
register("review.withdrawal.note", _("Withdrawal: %(withdrawal)s"), withdrawal=MESSAGE)
# The reason is the one staff typed when removing the withdrawal, shown as typed.
register("review.withdrawal.removed", _("Withdrawal removed: %(withdrawal)s (%(reason)s)"), withdrawal=MESSAGE)
register("review.opinion.recorded", _("Opinion recorded"))
register("review.opinion.corrected", _("Opinion corrected"))
# The change reasons of a performance report's and an inspection's history (monitoring.workflow):
# the action taken, by its label.
register(
    "monitoring.report.action", _("Action on the report: %(action)s"), action=Choice("monitoring.enums.ReportAction")
)
register(
    "monitoring.inspection.action",
    _("Action on the inspection: %(action)s"),
    action=Choice("monitoring.enums.InspectionAction"),
)

# The Art. 17 check (review.recheck): the records it finds, and the notes that name them. A source
# is shown as it was written (typed, imported, or a message of its own: a profile's move).
CREDIT_LIST = Choice("review.models.CreditList")
UNIT_STATUS = Choice("review.models.UnitStatus")
DISTRICT = Choice("declarations.enums.District")

register(
    "review.credit_record",
    _("%(list)s, %(starts)s to %(until)s, source: %(source)s"),
    list=CREDIT_LIST,
    starts=DATE,
    until=DATE,
    source=MESSAGE,
)
# The msgid is what the record with no end read as before ("no end date" in the place of a day).
register(
    "review.credit_record.open",
    _("%(list)s, %(starts)s to no end date, source: %(source)s"),
    list=CREDIT_LIST,
    starts=DATE,
    source=MESSAGE,
)
register(
    "review.status_record",
    _("%(status)s, effective %(date)s, source: %(source)s"),
    status=UNIT_STATUS,
    date=DATE,
    source=MESSAGE,
)
register(
    "review.status_source.profile",
    _("Organisation profile: registered district changed from %(before)s to %(after)s"),
    before=DISTRICT,
    after=DISTRICT,
)
register("review.recheck.credit", _("On a credit list: %(record)s"), record=MESSAGE)
register("review.recheck.status", _("Registration status: %(record)s"), record=MESSAGE)
register("review.recheck.disqualified", _("Disqualified under Art. 17: %(records)s."), records=CLAUSES)
register(
    "review.recheck.stopped",
    _("Support stopped after the Art. 17 re-check before payment: %(findings)s."),
    findings=CLAUSES,
)
register("review.recheck.bar", _("Your organisation cannot declare (Art. 17). %(finding)s."), finding=MESSAGE)
register(
    "review.recheck.blocked",
    _("The Art. 17 re-check found: %(findings)s. The order cannot be approved."),
    findings=CLAUSES,
)

# A default indicator of a performance plan (monitoring.performance_defaults), its name and its
# unit: the label alone, in the reader's language. A name staff typed is kept as typed.
register(
    "monitoring.indicator.name",
    "%(name)s",
    only_when_asked=True,
    name=Choice("monitoring.performance_defaults.INDICATOR_NAMES"),
)
register(
    "monitoring.indicator.unit",
    "%(unit)s",
    only_when_asked=True,
    unit=Choice("monitoring.performance_defaults.INDICATOR_UNITS"),
)
