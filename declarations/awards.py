"""The award engine: what a declaration may be awarded under docs/awards.md.

Each programme is data (`AWARD_RULES`: its conditions, its formula, its caps and the history the caps
need) and `assess` is the one pure function from facts and history to an explainable `Assessment`:
eligible or not, the award, the reasons for every failed condition (each citing its article) and a
breakdown of each step (the formula's value, then each cap with the amount it allowed).

The same function serves the public estimator, a declaration's pre-check, the decision (which may
not exceed it) and the bulk recomputation of award caps. Amounts are `Decimal`, rounded down to the
fen only at the end, so an award never exceeds a cap by rounding. Reasons and steps are recorded as
codes with parameters, so a stored assessment can be read in either language.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common.money import FEN, MONEY_CEILING, ZERO, yuan
from common.typography import join_clauses
from declarations.programmes import PROGRAMMES, Kind

PERCENT_LIMIT = Decimal("1000")
INTEGER_LIMIT = 10_000
TEXT_LIMIT = 200


def round_down(amount):
    return amount.quantize(FEN, rounding=ROUND_DOWN)


def percent_text(value):
    text = format(Decimal(value).normalize(), "f")
    return f"{text}%"


def _rate_text(rate):
    """20% for 0.20; the policy writes Art. 13's rate per mille: 0.1‰ for 0.0001."""
    if rate < FEN:
        return f"{format((rate * 1000).normalize(), 'f')}‰"
    return percent_text(rate * 100)


# --- history -----------------------------------------------------------------------------------

HISTORY_FIELDS = ("awarded_this_year", "awarded_cumulative", "project_awarded_this_year", "years_supported")


@dataclass(frozen=True, slots=True)
class History:
    """What was already decided for the declaration's keys (docs/awards.md, "History").

    Amounts are yuan decided (approved, not later revoked or recovered) in the same programme;
    `years_supported` counts the other support years the same investor and fund (Art. 5) or the
    same lease (Art. 10) were supported."""

    awarded_this_year: Decimal = ZERO
    awarded_cumulative: Decimal = ZERO
    project_awarded_this_year: Decimal = ZERO
    years_supported: int = 0


NO_HISTORY = History()


# --- facts -------------------------------------------------------------------------------------


class ProgrammeUnknown(ValueError):
    pass


class FactsInvalid(ValueError):
    """Facts the engine cannot compute with: `errors` maps each fact (or history key) to its problem."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


def _parse_decimal(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        # A JSON number read as float: its shortest repr is the decimal the user typed.
        value = repr(value)
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _parse_integer(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float) and value == int(value):
        return int(value)
    raise ValueError


def parse_fact(fact, value):
    """The typed value of one fact, or ValueError with the message for the person who typed it."""
    kind = fact.kind
    if kind in (Kind.MONEY, Kind.PERCENT):
        try:
            number = _parse_decimal(value)
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
        if number < 0:
            raise ValueError(_("Enter a number that is not negative."))
        limit = MONEY_CEILING if kind == Kind.MONEY else (fact.max_value or PERCENT_LIMIT)
        if (kind == Kind.MONEY and number >= limit) or (kind == Kind.PERCENT and number > limit):
            raise ValueError(_("This number is too large."))
        return number
    if kind == Kind.INTEGER:
        try:
            number = _parse_integer(value)
        except (ValueError, OverflowError):
            raise ValueError(_("Enter a whole number.")) from None
        if number < 0 or number > INTEGER_LIMIT:
            raise ValueError(_("Enter a whole number from 0 to %(limit)d.") % {"limit": INTEGER_LIMIT})
        return number
    if kind == Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(_("Enter true or false."))
        return value
    if kind == Kind.DATE:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == Kind.CHOICE:
        allowed = [key for key, _label in fact.choices]
        if value not in allowed:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
        return value
    if not isinstance(value, str) or len(value) > TEXT_LIMIT:
        raise ValueError(_("Enter a text of at most %(limit)d characters.") % {"limit": TEXT_LIMIT})
    return value


def _missing(value):
    return value is None or (isinstance(value, str) and not value.strip())


def parse_facts(code, raw):
    """Typed facts for the engine from what a form, a JSON file or the database holds.

    A fact the programme's rule needs must be there; an optional one (a box left unticked) defaults
    to false; any fact of the programme that is there must have its type. Facts the programme does
    not know are ignored. Raises FactsInvalid with every problem at once."""
    rule = award_rule(code)
    spec = PROGRAMMES[code]
    facts, errors = {}, {}
    for fact in spec.facts:
        value = raw.get(fact.name)
        if _missing(value):
            if fact.name in rule.needed_facts:
                errors[fact.name] = _("This fact is needed to compute the award.")
            elif fact.name in rule.defaulted_facts:
                facts[fact.name] = False
            continue
        try:
            facts[fact.name] = parse_fact(fact, value)
        except ValueError as problem:
            errors[fact.name] = str(problem)
    if errors:
        raise FactsInvalid(errors)
    return facts


def parse_history(raw):
    """A History from a mapping with the keys of docs/awards.md's "History" table; missing keys are
    zero. Raises FactsInvalid for an unknown key or a negative or non-numeric value."""
    values, errors = {}, {}
    for name, value in (raw or {}).items():
        if name not in HISTORY_FIELDS:
            errors[name] = _("Unknown history key; the keys are %(keys)s.") % {"keys": ", ".join(HISTORY_FIELDS)}
            continue
        if value is None:
            continue
        try:
            number = _parse_integer(value) if name == "years_supported" else _parse_decimal(value)
        except (ValueError, OverflowError):
            errors[name] = _("Enter a number.") if name != "years_supported" else _("Enter a whole number.")
            continue
        if number < 0:
            errors[name] = _("Enter a number that is not negative.")
        elif name != "years_supported" and number >= MONEY_CEILING:
            errors[name] = _("This number is too large.")
        else:
            values[name] = number
    if errors:
        raise FactsInvalid(errors)
    return History(**values)


# --- reasons and steps -------------------------------------------------------------------------

_ZH_DIGITS = "零一二三四五六七八九"


def _zh_number(n):
    if n < 10:
        return _ZH_DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[units] if units else "")


def cite(article):
    """ "Art. 6 (2) 3" in English, "第六条（二）3" in Chinese, from "6 (2) 3"."""
    if (get_language() or "").startswith("zh"):
        match = re.fullmatch(r"(\d+)(?: \((\d+)\))?(?: (\d+))?", article)
        if match:
            number, paragraph, item = match.groups()
            text = f"第{_zh_number(int(number))}条"
            if paragraph:
                text += f"（{_zh_number(int(paragraph))}）"
            return text + (item or "")
    return f"Art. {article}"


REASON_TEXTS = {
    "at_least": gettext_lazy("%(label)s is %(value)s; it must be at least %(bound)s."),
    "at_most": gettext_lazy("%(label)s is %(value)s; it may be at most %(bound)s."),
    "more_than": gettext_lazy("%(label)s is %(value)s; it must be more than %(bound)s."),
    "required": gettext_lazy("Required but not met: %(label)s."),
    "excluded": gettext_lazy("Not allowed: %(label)s."),
    "choice_excluded": gettext_lazy("%(label)s “%(value)s” is excluded."),
    "years_supported": gettext_lazy(
        "Already supported in %(value)s support years; support is limited to %(bound)s years."
    ),
    "within_years": gettext_lazy(
        "%(label)s was %(value)s, more than %(bound)s years before %(other_label)s (%(other)s)."
    ),
    "at_most_times": gettext_lazy(
        "%(label)s is %(value)s; it may be at most %(bound)s (%(other_label)s × %(factor)s)."
    ),
    "none_of": gettext_lazy("None of the alternatives holds: %(alternatives)s."),
    "answered_no": gettext_lazy("%(label)s: no"),
}


_UNIT = re.compile(r"\s*[(（](yuan|元|%)[)）]$")


def _fact_label(code, name):
    """The fact's label without its unit, which the value shown beside it carries."""
    try:
        return _UNIT.sub("", str(PROGRAMMES[code].fact(name).label))
    except StopIteration:
        return name


@dataclass(frozen=True, slots=True)
class Reason:
    """One failed condition: the article it comes from, the fact it concerns, and what failed."""

    article: str
    fact: str
    code: str
    params: tuple = ()

    def text(self, programme):
        """The reason as the applicant reads it, citing its article, in the active language."""
        return _("%(article)s: %(text)s") % {"article": cite(self.article), "text": self.message(programme)}

    def message(self, programme):
        params = dict(self.params)
        if self.code == "none_of":
            alternatives = [Reason(*alternative).alternative(programme) for alternative in params["alternatives"]]
            params["alternatives"] = join_clauses(text.rstrip(".。") for text in alternatives)
        params["label"] = _fact_label(programme, self.fact)
        if "other_fact" in params:
            params["other_label"] = _fact_label(programme, params["other_fact"])
        if "value_choice" in params:
            params["value"] = dict(PROGRAMMES[programme].fact(self.fact).choices).get(params["value"], params["value"])
        return REASON_TEXTS[self.code] % params

    def alternative(self, programme):
        """The reason as one of several alternatives that all failed: a yes/no one reads "...: no"."""
        if self.code == "required":
            return REASON_TEXTS["answered_no"] % {"label": _fact_label(programme, self.fact)}
        return self.message(programme)

    def record(self):
        return _lists([self.article, self.fact, self.code, self.params])


STEP_TEXTS = {
    "rate": gettext_lazy("%(rate)s × %(base)s = %(amount)s"),
    "grade": gettext_lazy("%(label)s %(value)s: grade of %(amount)s"),
    "below_grades": gettext_lazy("%(label)s %(value)s: below the lowest grade"),
    "by_choice": gettext_lazy("%(label)s “%(value)s”: %(amount)s"),
    "requested": gettext_lazy("%(label)s: %(amount)s"),
    "cap": gettext_lazy("%(cap_label)s: %(cap)s allows %(amount)s"),
    "headroom": gettext_lazy(
        "%(cap_label)s: %(cap)s less %(already)s already decided leaves %(limit)s, allows %(amount)s"
    ),
    "ineligible": gettext_lazy("Not eligible: the award is %(amount)s"),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the computation: its kind, the amount after it, and what it used."""

    code: str
    amount: Decimal
    params: tuple = ()

    def text(self, programme):
        params = dict(self.params)
        params["amount"] = yuan(self.amount)
        for key in ("cap", "already", "limit"):
            if key in params:
                params[key] = yuan(params[key])
        if "rate" in params:
            params["rate"] = _rate_text(Decimal(params["rate"]))
        if "base" in params:
            labels = [f"{_fact_label(programme, name)} {yuan(value)}" for name, value in params["base"]]
            params["base"] = labels[0] if len(labels) == 1 else "(" + " + ".join(labels) + ")"
        if "fact" in params:
            params["label"] = _fact_label(programme, params["fact"])
        if self.code == "by_choice":
            params["value"] = dict(PROGRAMMES[programme].fact(params["fact"]).choices).get(params["value"])
        if "cap_index" in params:
            params["cap_label"] = str(AWARD_RULES[programme].caps[params["cap_index"]].label)
        return STEP_TEXTS[self.code] % params

    def as_json(self, programme):
        data = {"step": self.code, "label": self.text(programme), "amount": str(self.amount)}
        params = dict(self.params)
        for key in ("cap", "already", "limit"):
            if key in params:
                data[key] = str(round_down(Decimal(params[key])))
        return data

    def record(self):
        return _lists([self.code, str(self.amount), self.params])


# --- conditions --------------------------------------------------------------------------------


def _shown(fact_name, value, code):
    kind = PROGRAMMES[code].fact(fact_name).kind
    if kind == Kind.MONEY:
        return yuan(value)
    if kind == Kind.PERCENT:
        return percent_text(value)
    return str(value)


@dataclass(frozen=True)
class AtLeast:
    fact: str
    bound: Decimal
    article: str
    strict: bool = False  # "more than" rather than "at least"

    def failure(self, code, facts, history):
        value = facts[self.fact]
        if value > self.bound or (not self.strict and value == self.bound):
            return None
        params = (("value", _shown(self.fact, value, code)), ("bound", _shown(self.fact, self.bound, code)))
        return Reason(self.article, self.fact, "more_than" if self.strict else "at_least", params)


@dataclass(frozen=True)
class AtMost:
    fact: str
    bound: Decimal
    article: str

    def failure(self, code, facts, history):
        value = facts[self.fact]
        if value <= self.bound:
            return None
        params = (("value", _shown(self.fact, value, code)), ("bound", _shown(self.fact, self.bound, code)))
        return Reason(self.article, self.fact, "at_most", params)


@dataclass(frozen=True)
class AtMostTimes:
    """`fact` <= `other` x `factor`: a rate against a reference rate."""

    fact: str
    other: str
    factor: Decimal
    article: str

    def failure(self, code, facts, history):
        value, bound = facts[self.fact], facts[self.other] * self.factor
        if value <= bound:
            return None
        params = (
            ("value", _shown(self.fact, value, code)),
            ("bound", _shown(self.fact, bound, code)),
            ("other", _shown(self.other, facts[self.other], code)),
            ("other_fact", self.other),
            ("factor", str(self.factor)),
        )
        return Reason(self.article, self.fact, "at_most_times", params)


@dataclass(frozen=True)
class IsTrue:
    fact: str
    article: str

    def failure(self, code, facts, history):
        return None if facts[self.fact] is True else Reason(self.article, self.fact, "required")


@dataclass(frozen=True)
class IsFalse:
    fact: str
    article: str

    def failure(self, code, facts, history):
        return None if facts[self.fact] is False else Reason(self.article, self.fact, "excluded")


@dataclass(frozen=True)
class Declared:
    """A condition that is not a number (registered in Beijing, high-tech field, own IP, filings):
    declared by the applicant and confirmed by staff. Declared false, it fails; not declared at all
    (the estimator, a quote), it is left to the declaration."""

    fact: str
    article: str

    def failure(self, code, facts, history):
        return Reason(self.article, self.fact, "required") if facts.get(self.fact) is False else None


@dataclass(frozen=True)
class NotOneOf:
    fact: str
    excluded: tuple
    article: str

    def failure(self, code, facts, history):
        value = facts[self.fact]
        if value not in self.excluded:
            return None
        return Reason(self.article, self.fact, "choice_excluded", (("value", value), ("value_choice", True)))


@dataclass(frozen=True)
class WithinYears:
    """`later` is no more than `years` years after `earlier` (the boundary day itself included)."""

    earlier: str
    later: str
    years: int
    article: str

    def failure(self, code, facts, history):
        earlier, later = facts[self.earlier], facts[self.later]
        if earlier.year + self.years > datetime.MAXYEAR:
            limit = datetime.date.max
        else:
            try:
                limit = earlier.replace(year=earlier.year + self.years)
            except ValueError:  # 29 February in a year that has none
                limit = earlier.replace(year=earlier.year + self.years, day=28)
        if later <= limit:
            return None
        params = (
            ("value", earlier.isoformat()),
            ("bound", str(self.years)),
            ("other", later.isoformat()),
            ("other_fact", self.later),
        )
        return Reason(self.article, self.earlier, "within_years", params)


@dataclass(frozen=True)
class YearsSupportedBelow:
    limit: int
    article: str

    def failure(self, code, facts, history):
        if history.years_supported < self.limit:
            return None
        params = (("value", str(history.years_supported)), ("bound", str(self.limit)))
        return Reason(self.article, "", "years_supported", params)


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple
    article: str

    def failure(self, code, facts, history):
        failures = []
        for condition in self.conditions:
            failure = condition.failure(code, facts, history)
            if failure is None:
                return None
            failures.append((failure.article, failure.fact, failure.code, failure.params))
        return Reason(self.article, self.conditions[0].fact, "none_of", (("alternatives", tuple(failures)),))


def _condition_facts(condition):
    if isinstance(condition, AnyOf):
        return {name for sub in condition.conditions for name in _condition_facts(sub)}
    if isinstance(condition, WithinYears):
        return {condition.earlier, condition.later}
    if isinstance(condition, AtMostTimes):
        return {condition.fact, condition.other}
    if isinstance(condition, Declared | YearsSupportedBelow):
        return set()
    return {condition.fact}


# --- formulas ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`rate` x the sum of the `bases` facts."""

    rate: Decimal
    bases: tuple

    @property
    def facts(self):
        return set(self.bases)

    def value(self, code, facts):
        amount = self.rate * sum((facts[name] for name in self.bases), Decimal(0))
        base = tuple((name, facts[name]) for name in self.bases)
        return amount, Step("rate", round_down(amount), (("rate", self.rate), ("base", base)))


@dataclass(frozen=True)
class Grades:
    """The amount of the highest grade whose lower bound the fact reaches: (bound, inclusive, amount)
    from the highest grade down."""

    fact: str
    grades: tuple

    @property
    def facts(self):
        return {self.fact}

    def value(self, code, facts):
        value = facts[self.fact]
        shown = _shown(self.fact, value, code)
        for bound, inclusive, amount in self.grades:
            if value > bound or (inclusive and value == bound):
                return amount, Step("grade", round_down(amount), (("fact", self.fact), ("value", shown)))
        return ZERO, Step("below_grades", ZERO, (("fact", self.fact), ("value", shown)))


@dataclass(frozen=True)
class ByChoice:
    fact: str
    amounts: dict

    @property
    def facts(self):
        return {self.fact}

    def value(self, code, facts):
        choice = facts[self.fact]
        amount = self.amounts[choice]
        return amount, Step("by_choice", round_down(amount), (("fact", self.fact), ("value", choice)))


@dataclass(frozen=True)
class Requested:
    """Art. 13 (3) 2: the amount asked for, by the service effect, within the caps."""

    fact: str

    @property
    def facts(self):
        return {self.fact}

    def value(self, code, facts):
        amount = facts[self.fact]
        return amount, Step("requested", round_down(amount), (("fact", self.fact),))


# --- caps --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cap:
    """At most `limit`; with `history`, at most `limit` less what was already decided for the key."""

    limit: Decimal
    label: str
    history: str | None = None


# --- the programmes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardRule:
    code: str
    article: str
    conditions: tuple
    formula: object
    caps: tuple = ()
    # history field -> the key it is counted by (declarations.award_history reads it).
    history_keys: tuple = ()

    @property
    def needed_facts(self):
        """Facts without which the award cannot be computed: the formula's and every numeric
        condition's, less those the policy lets default (a box left unticked)."""
        return self._referenced_facts - self.defaulted_facts

    @property
    def defaulted_facts(self):
        spec = PROGRAMMES[self.code]
        return {name for name in self._referenced_facts if not spec.fact(name).required}

    @property
    def _referenced_facts(self):
        names = set(self.formula.facts)
        for condition in self.conditions:
            names |= _condition_facts(condition)
        return names


M = Decimal("1000000")


def _revenue_at_most_200m(article):
    return AtMost("annual_revenue", 200 * M, f"{article} (2) 1")


def _high_tech_and_ip(article):
    return (Declared("high_tech_field", article), Declared("core_technology_or_ip", article))


def _per_year(limit, label):
    return Cap(limit, label, history="awarded_this_year")


AWARD_RULES = {
    "ART5": AwardRule(
        "ART5",
        "5",
        conditions=(
            AtLeast("annual_contribution", 300 * M, "5 (2) 3"),
            Declared("registered_in_beijing", "5 (2) 3"),
            YearsSupportedBelow(3, "5 (3)"),
            Declared("fund_registered_in_beijing", "5 (2) 1"),
            Declared("fund_filed_with_amac", "5 (2) 1"),
        ),
        formula=Grades(
            "annual_contribution",
            ((1000 * M, False, 10 * M), (500 * M, False, 8 * M), (300 * M, True, 5 * M)),
        ),
        history_keys=(("years_supported", "investor_fund"),),
    ),
    "ART6": AwardRule(
        "ART6",
        "6",
        conditions=(
            AtLeast("institution_registered_capital", 10 * M, "6 (2) 1"),
            Declared("registered_in_beijing", "6 (2) 1"),
            Declared("manager_registered_with_amac", "6 (2) 1"),
            Declared("fund_filed_with_amac", "6 (2) 1"),
            WithinYears("investee_established_on", "investment_date", 5, "6 (2) 2"),
            *_high_tech_and_ip("6 (2) 2"),
            IsTrue("first_round", "6 (2) 3"),
            AtLeast("investment_amount", 5 * M, "6 (2) 3"),
            AtMost("equity_ratio_after_pct", Decimal(50), "6 (2) 3"),
        ),
        formula=Rate(Decimal("0.20"), ("investment_amount",)),
        caps=(
            Cap(2 * M, gettext_lazy("Cap per subsidy")),
            _per_year(5 * M, gettext_lazy("Cap per investment institution per support year")),
        ),
        history_keys=(("awarded_this_year", "organisation"),),
    ),
    "ART7": AwardRule(
        "ART7",
        "7",
        conditions=(
            Declared("fund_registered_in_beijing", "7 (2) 1"),
            NotOneOf("transferor_type", ("individual", "government_fund"), "7 (2) 2"),
            Declared("registered_in_beijing", "7 (2) 2"),
            AtLeast("transferred_share_value", 30 * M, "7 (2) 2"),
        ),
        formula=Rate(Decimal("0.40"), ("transaction_expenses", "intermediary_expenses")),
        caps=(Cap(1 * M, gettext_lazy("Cap per subsidy")),),
    ),
    "ART8": AwardRule(
        "ART8",
        "8",
        conditions=(
            IsTrue("enterprise_is_small_or_micro", "8 (2) 1"),
            *_high_tech_and_ip("8 (2) 1"),
            AtLeast("loan_amount", 1 * M, "8 (2) 2"),
            IsFalse("counter_guarantee", "8 (2) 2"),
        ),
        formula=Rate(Decimal("0.50"), ("compensation_amount",)),
        caps=(_per_year(10 * M, gettext_lazy("Cap per guarantee institution per support year")),),
        history_keys=(("awarded_this_year", "organisation"),),
    ),
    "ART9": AwardRule(
        "ART9",
        "9",
        conditions=(
            _revenue_at_most_200m("9"),
            *_high_tech_and_ip("9 (2) 1"),
            AtLeast("insured_or_loan_amount", 20 * M, "9 (2) 3"),
        ),
        formula=Rate(Decimal("0.60"), ("premium",)),
        caps=(_per_year(Decimal(500_000), gettext_lazy("Cap per enterprise per support year")),),
        history_keys=(("awarded_this_year", "organisation"),),
    ),
    "ART10": AwardRule(
        "ART10",
        "10",
        conditions=(
            _revenue_at_most_200m("10"),
            *_high_tech_and_ip("10 (2) 1"),
            YearsSupportedBelow(3, "10 (3)"),
        ),
        formula=Rate(Decimal("0.20"), ("rental_interest", "handling_fees")),
        caps=(_per_year(Decimal(500_000), gettext_lazy("Cap per enterprise per support year")),),
        history_keys=(("awarded_this_year", "organisation"), ("years_supported", "lease")),
    ),
    "ART11A": AwardRule(
        "ART11A",
        "11 (3) 1",
        conditions=(
            _revenue_at_most_200m("11"),
            *_high_tech_and_ip("11 (2) 1"),
            AnyOf(
                (
                    IsTrue("first_ip_pledge_loan", "11 (2) 2"),
                    AtLeast("loan_term_months", Decimal(24), "11 (2) 2"),
                    AtMostTimes("loan_rate_pct", "lpr_1y_pct", Decimal("1.4"), "11 (2) 2"),
                ),
                "11 (2) 2",
            ),
        ),
        formula=Rate(Decimal("0.40"), ("interest_paid",)),
        caps=(_per_year(Decimal(500_000), gettext_lazy("Cap per enterprise per support year")),),
        history_keys=(("awarded_this_year", "organisation"),),
    ),
    "ART11B": AwardRule(
        "ART11B",
        "11 (3) 2",
        conditions=(AtMostTimes("institution_npl_rate_pct", "institution_npl_cap_pct", Decimal(1), "11 (2) 3"),),
        formula=Rate(Decimal("0.50"), ("risk_bearing_principal",)),
        caps=(
            _per_year(5 * M, gettext_lazy("Cap per borrowing enterprise per support year")),
            Cap(10 * M, gettext_lazy("Cumulative cap per borrowing enterprise"), history="awarded_cumulative"),
        ),
        history_keys=(("awarded_this_year", "borrower"), ("awarded_cumulative", "borrower")),
    ),
    "ART12": AwardRule(
        "ART12",
        "12",
        conditions=(*_high_tech_and_ip("12 (2) 1"), IsTrue("approval_letter", "12 (2) 2")),
        formula=ByChoice(
            "market",
            {
                "neeq_basic": Decimal(500_000),
                "neeq_innovation_upgrade": Decimal(500_000),
                "neeq_innovation_direct": 1 * M,
                "beijing_equity": Decimal(300_000),
            },
        ),
    ),
    "ART13A": AwardRule(
        "ART13A",
        "13 (3) 1",
        conditions=(
            AtLeast("months_in_operation", Decimal(12), "13 (2) 1"),
            IsTrue("beijing_premises", "13 (2) 1"),
        ),
        formula=Rate(Decimal("0.0001"), ("annual_financing_amount",)),
        caps=(_per_year(5 * M, gettext_lazy("Cap per platform per support year")),),
        history_keys=(("awarded_this_year", "organisation"),),
    ),
    "ART13B": AwardRule(
        "ART13B",
        "13 (3) 2",
        conditions=(),
        formula=Requested("requested_amount"),
        caps=(_per_year(2 * M, gettext_lazy("Cap per support year")),),
        history_keys=(("awarded_this_year", "organisation"),),
    ),
    "ART14": AwardRule(
        "ART14",
        "14",
        conditions=(
            IsTrue("acquirer_listed", "14 (2) 1"),
            *_high_tech_and_ip("14 (2) 2"),
            IsTrue("first_control", "14 (2) 3"),
            AtLeast("equity_ratio_after_pct", Decimal(50), "14 (2) 3", strict=True),
            AtLeast("transaction_amount", 10 * M, "14 (2) 3"),
        ),
        formula=Rate(Decimal("0.05"), ("transaction_amount",)),
        caps=(
            Cap(2 * M, gettext_lazy("Cap per project per support year"), history="project_awarded_this_year"),
            _per_year(5 * M, gettext_lazy("Cap per enterprise per support year")),
        ),
        history_keys=(("project_awarded_this_year", "project"), ("awarded_this_year", "organisation")),
    ),
}


def award_rule(code):
    try:
        return AWARD_RULES[code]
    except KeyError:
        raise ProgrammeUnknown(
            _("Unknown programme “%(code)s”; the programmes are %(codes)s.")
            % {"code": code, "codes": ", ".join(AWARD_RULES)}
        ) from None


# --- the assessment ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assessment:
    programme: str
    eligible: bool
    award: Decimal
    formula_value: Decimal
    reasons: tuple
    breakdown: tuple

    def reason_texts(self):
        return [reason.text(self.programme) for reason in self.reasons]

    def as_json(self):
        """The result of `quote_award`, in the active language: amounts as strings."""
        return {
            "programme": self.programme,
            "eligible": self.eligible,
            "award": str(self.award),
            "reasons": self.reason_texts(),
            "breakdown": [step.as_json(self.programme) for step in self.breakdown],
        }

    def record(self, *, breakdown=True):
        """What a declaration stores: language-free codes, read back with `from_record`. The bulk
        recomputation leaves the breakdown out (pages compute it when they show it); a decision
        keeps it, as the cap stood when it was decided."""
        record = {
            "programme": self.programme,
            "eligible": self.eligible,
            "award": str(self.award),
            "formula_value": str(self.formula_value),
            "reasons": [reason.record() for reason in self.reasons],
        }
        if breakdown:
            record["breakdown"] = [step.record() for step in self.breakdown]
        return record

    @classmethod
    def from_record(cls, record):
        return cls(
            programme=record["programme"],
            eligible=record["eligible"],
            award=Decimal(record["award"]),
            formula_value=Decimal(record["formula_value"]),
            reasons=tuple(Reason(a, f, c, _tuples(p)) for a, f, c, p in record["reasons"]),
            breakdown=tuple(Step(c, Decimal(a), _step_params(p)) for c, a, p in record.get("breakdown", ())),
        )


# Step parameters that are amounts or rates: decimals in a Step, strings in a record.
_DECIMAL_PARAMS = frozenset({"cap", "already", "limit", "rate"})


def _step_params(pairs):
    params = []
    for key, value in pairs:
        if key in _DECIMAL_PARAMS:
            value = Decimal(value)
        elif key == "base":
            value = tuple((name, Decimal(amount)) for name, amount in value)
        params.append((key, value))
    return tuple(params)


def _lists(value):
    """JSON's shape of a record (decimals as strings): what a stored record reads back as, so the
    two compare equal."""
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def assess(code, facts, history=NO_HISTORY):
    """Eligibility, award, reasons and breakdown for typed `facts` (see `parse_facts`) and `history`.

    Pure: the same facts and history always give the same result, whatever the order of the facts.
    """
    rule = AWARD_RULES[code]
    reasons = []
    for condition in rule.conditions:
        failure = condition.failure(code, facts, history)
        if failure is not None:
            reasons.append(failure)
    formula_value, first_step = rule.formula.value(code, facts)
    formula_value = round_down(formula_value)
    steps = [first_step]
    award = formula_value
    for index, cap in enumerate(rule.caps):
        if cap.history is None:
            limit = cap.limit
            params = (("cap_index", index), ("cap", cap.limit))
            step_code = "cap"
        else:
            already = getattr(history, cap.history)
            limit = max(cap.limit - already, ZERO)
            params = (
                ("cap_index", index),
                ("cap", cap.limit),
                ("already", already),
                ("limit", limit),
            )
            step_code = "headroom"
        award = min(award, limit)
        steps.append(Step(step_code, round_down(award), params))
    eligible = not reasons
    if not eligible:
        award = ZERO
        steps.append(Step("ineligible", ZERO))
    return Assessment(code, eligible, round_down(award), formula_value, tuple(reasons), tuple(steps))


def assess_raw(code, raw_facts, raw_history=None):
    """`assess` from untyped input (a form, a JSON case, stored facts). Raises ProgrammeUnknown or
    FactsInvalid."""
    award_rule(code)
    facts = parse_facts(code, raw_facts or {})
    history = raw_history if isinstance(raw_history, History) else parse_history(raw_history)
    return assess(code, facts, history)


# --- history keys ------------------------------------------------------------------------------


def _normalised(text):
    return " ".join(str(text or "").split()).casefold()


# The kinds of key counted across organisations: the borrowing enterprise of Art. 11 (3) 2, whoever
# the lending institution. Every other key is one organisation's.
KEYS_ACROSS_ORGANISATIONS = frozenset({"borrower"})
# The programmes with such a key: their history is every organisation's.
PROGRAMMES_ACROSS_ORGANISATIONS = frozenset(
    code
    for code, rule in AWARD_RULES.items()
    if any(kind in KEYS_ACROSS_ORGANISATIONS for _field, kind in rule.history_keys)
)


def history_key(kind, organisation_id, facts):
    """What a cap's history is counted by (docs/awards.md, "Keys"): the beneficiary (its organisation) unless
    the programme says the investor and fund (Art. 5), the lease (Art. 10), the borrowing
    enterprise across all institutions (Art. 11 (3) 2) or the M&A project (Art. 14). None while the
    fact naming the fund, lease, borrower or project is not filled in: nothing is counted for it."""
    if kind == "organisation":
        return (organisation_id,)
    fact = {
        "investor_fund": "fund_name",
        "lease": "lease_contract",
        "borrower": "borrower_credit_code",
        "project": "target_name",
    }[kind]
    name = _normalised(facts.get(fact))
    if not name:
        return None
    if kind in KEYS_ACROSS_ORGANISATIONS:
        return (name.upper(),)
    return (organisation_id, name)
