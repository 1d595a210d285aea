"""The evaluation maths of review.evaluation, as plain functions: no database."""

from decimal import Decimal

import pytest

from review.evaluation import (
    Evaluation,
    evaluation_result,
    outliers,
    spread,
    taken,
    weighted_total,
)
from review.models import Criterion

D = Decimal


def criterion(pk, *, weight, lowest="0", highest="10", pass_mark="6"):
    return Criterion(
        pk=pk, weight=D(weight), min_score=D(lowest), max_score=D(highest), pass_mark=D(pass_mark), name_en=f"C{pk}"
    )


def test_weighted_total_is_the_sum_when_each_weight_is_the_highest_score():
    criteria = [criterion(1, weight="30", highest="30"), criterion(2, weight="70", highest="70")]
    assert weighted_total(criteria, {1: D("24"), 2: D("49.5")}) == D("73.50")


def test_weighted_total_counts_each_criterion_by_its_weight():
    criteria = [criterion(1, weight="3"), criterion(2, weight="1")]
    assert weighted_total(criteria, {1: D("10"), 2: D("0")}) == D("75.00")
    assert weighted_total(criteria, {1: D("0"), 2: D("10")}) == D("25.00")


def test_weighted_total_places_each_score_on_its_own_range():
    # 5-15 scored 10 is halfway; 0-20 scored 20 is the top: the same weight makes them count alike.
    criteria = [criterion(1, weight="1", lowest="5", highest="15"), criterion(2, weight="1", highest="20")]
    assert weighted_total(criteria, {1: D("10"), 2: D("20")}) == D("75.00")
    assert weighted_total(criteria, {1: D("5"), 2: D("0")}) == D("0.00")
    assert weighted_total(criteria, {1: D("15"), 2: D("20")}) == D("100.00")


def test_weighted_total_rounds_half_up_to_the_cent():
    thirds = [criterion(1, weight="1"), criterion(2, weight="1"), criterion(3, weight="1")]
    assert weighted_total(thirds, {1: D("10"), 2: D("0"), 3: D("0")}) == D("33.33")
    assert weighted_total(thirds, {1: D("10"), 2: D("10"), 3: D("0")}) == D("66.67")
    # 0.01 of 200 is 0.005 points: half up gives 0.01 where banker's rounding would give 0.00.
    assert weighted_total([criterion(1, weight="1", highest="200")], {1: D("0.01")}) == D("0.01")


def test_weighted_total_needs_every_criterion_scored():
    with pytest.raises(KeyError):
        weighted_total([criterion(1, weight="1"), criterion(2, weight="1")], {1: D("5")})


def test_mean_and_median_take_the_totals_differently():
    totals = [D("70.00"), D("80.00"), D("96.00")]
    assert taken(totals, "mean") == D("82.00")
    assert taken(totals, "median") == D("80.00")
    assert taken([D("70"), D("80"), D("90"), D("100")], "median") == D("85.00")
    assert taken([], "mean") is None


def test_the_mean_is_rounded_half_up_to_the_cent():
    assert taken([D("80.00"), D("80.01")], "mean") == D("80.01")
    assert taken([D("80.00"), D("80.01")], "median") == D("80.01")
    assert taken([D("10"), D("10"), D("10.01")], "mean") == D("10.00")


def test_spread_is_highest_minus_lowest():
    assert spread([D("61.5"), D("90"), D("75")]) == D("28.5")
    assert spread([D("75")]) == D("0")
    assert spread([]) is None


def test_an_outlier_lies_more_than_the_margin_from_the_median_of_the_others():
    totals = {1: D("80"), 2: D("82"), 3: D("84"), 4: D("50")}
    assert outliers(totals, D("15")) == [4]


def test_a_total_exactly_at_the_margin_is_not_an_outlier():
    # The panel's median is 67.5: 82.5 lies 15 away, not more; 82.51 lies further.
    assert outliers({1: D("60"), 2: D("65"), 3: D("70"), 4: D("82.5")}, D("15")) == []
    assert outliers({1: D("60"), 2: D("65"), 3: D("70"), 4: D("82.51")}, D("15")) == [4]


def test_one_evaluation_has_no_outlier():
    assert outliers({1: D("10")}, D("15")) == []
    assert outliers({}, D("15")) == []


def test_two_evaluations_further_apart_than_the_margin_are_both_flagged():
    assert outliers({1: D("80"), 2: D("60")}, D("15")) == [1, 2]
    assert outliers({1: D("80"), 2: D("70")}, D("15")) == []


RUBRIC = [criterion(1, weight="1", pass_mark="6"), criterion(2, weight="1", pass_mark="6")]


def _evaluations(*rows):
    return [
        Evaluation(key=n, total=weighted_total(RUBRIC, {1: D(a), 2: D(b)}), scores={1: D(a), 2: D(b)})
        for n, (a, b) in enumerate(rows, start=1)
    ]


def _result(rows, aggregation="mean", pass_mark="60"):
    return evaluation_result(
        criteria=RUBRIC,
        pass_mark=D(pass_mark),
        outlier_margin=D("15"),
        evaluations=_evaluations(*rows),
        aggregation=aggregation,
    )


def test_a_criterion_below_its_pass_mark_fails_the_declaration_whatever_the_total():
    # Criterion 1 taken 9.5, criterion 2 taken 5.5 (below 6): total 75 passes the overall mark.
    result = _result([("10", "5"), ("9", "6")])
    assert (result.total, result.total_met, result.criteria_missed, result.passed) == (D("75.00"), True, (2,), False)
    assert [(r.taken, r.met) for r in result.criteria] == [(D("9.50"), True), (D("5.50"), False)]


def test_a_total_below_the_overall_pass_mark_fails_though_every_criterion_is_met():
    result = _result([("6", "6"), ("6", "6")], pass_mark="61")
    assert (result.total, result.criteria_missed, result.passed) == (D("60.00"), (), False)


def test_everything_met_passes():
    result = _result([("8", "7"), ("6", "9")])
    assert (result.total, result.spread, result.criteria_missed, result.outliers, result.passed) == (
        D("75.00"),
        D("0.00"),
        (),
        (),
        True,
    )


def test_mean_or_median_can_decide_the_outcome():
    rows = [("2", "2"), ("7", "7"), ("7", "7")]
    mean, median = _result(rows, "mean"), _result(rows, "median")
    assert (mean.total, mean.passed) == (D("53.33"), False)
    assert (median.total, median.passed) == (D("70.00"), True)
    assert [r.taken for r in median.criteria] == [D("7.00"), D("7.00")]
    assert mean.spread == D("50.00")


def test_with_three_evaluations_only_the_far_off_one_is_flagged():
    # The panel's median is 70: only 20 lies more than 15 from it.
    assert outliers({1: D("20"), 2: D("70"), 3: D("70")}, D("15")) == [1]
    assert outliers({1: D("60"), 2: D("70"), 3: D("72")}, D("15")) == []


def test_no_submitted_evaluation_gives_no_total_and_no_verdict():
    result = _result([])
    assert (result.evaluations, result.total, result.spread, result.passed, result.outliers) == (
        0,
        None,
        None,
        None,
        (),
    )


def test_a_criterion_nobody_scored_is_not_met():
    later = criterion(3, weight="1")
    result = evaluation_result(
        criteria=[*RUBRIC, later],
        pass_mark=D("60"),
        outlier_margin=D("15"),
        evaluations=_evaluations(("8", "8")),
        aggregation="mean",
    )
    assert (result.criteria_missed, result.passed) == ((3,), False)
