"""The accuracy a report shows: correct / compared, half up, computed in integers."""

from decimal import ROUND_HALF_UP, Decimal

from marketplace.deliveries.gold import rounded, shaped


def test_accuracy_is_rounded_half_up_exactly_for_every_fraction_up_to_400_fields():
    for compared in range(1, 401):
        for correct in range(compared + 1):
            exact = Decimal(correct) / Decimal(compared)
            for places in (2, 4):
                expected = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
                assert rounded(correct, compared, places) == float(expected), (correct, compared)


def test_a_freelancer_sees_two_decimals_of_the_exact_accuracy_not_of_the_rounded_one():
    # 12,437 of 12,500 is 0.99496: 0.9950 to four places, which would round again to 1.0;
    # to two places from the exact value it is 0.99.
    full = {"rows": 1, "fields": 12500, "correct": 12437, "accuracy": 0.995, "differences": []}
    report = {"rows": 1, "valid": 1, "error_count": 0, "errors": [], "gold": full, "passed": True}

    assert shaped(report, full=False)["gold"] == {"accuracy": 0.99}
    assert shaped(report, full=True)["gold"] == full
    assert shaped({**report, "gold": None}, full=False)["gold"] is None
