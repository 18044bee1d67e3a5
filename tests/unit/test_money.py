"""The fee's one rounding rule, and the state tables' refusals."""

import pytest

from marketplace import states
from marketplace.errors import InvalidTransition
from marketplace.milestones import states as milestone_states
from marketplace.money import OFFERED_CURRENCIES, format_amount, minor_units, platform_fee


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [
        (10_000, 1000, 1_000),
        (12_345, 1000, 1_235),  # 1234.5 rounds half up
        (12_344, 1000, 1_234),
        (12_346, 1000, 1_235),
        (5, 1000, 1),  # 0.5 -> 1
        (4, 1000, 0),
        (0, 1000, 0),
        (1, 10_000, 1),
        (999_999_999_999, 1000, 100_000_000_000),
        (3, 5000, 2),  # 1.5 -> 2
        (1, 4999, 0),
        (1, 5000, 1),
    ],
)
def test_fee_is_rounded_half_up_in_integers(amount, bps, fee):
    assert platform_fee(amount, bps) == fee


@pytest.mark.parametrize(("amount", "bps"), [(-1, 1000), (100, -1), (100, 10_001)])
def test_fee_refuses_what_cannot_be_a_fee(amount, bps):
    with pytest.raises(ValueError, match="fees are taken"):
        platform_fee(amount, bps)


A = milestone_states.MilestoneAction


def test_a_transition_not_in_the_table_is_refused():
    assert states.next_status(milestone_states.MILESTONE, "submitted", A.APPROVE) == "approved"
    with pytest.raises(InvalidTransition, match="approve a milestone whose status is funded"):
        states.next_status(milestone_states.MILESTONE, "funded", A.APPROVE, "milestone")


@pytest.mark.parametrize(
    ("table", "status", "action", "enum"),
    [
        (milestone_states.MILESTONE, "submitted", "aprove", "MilestoneAction"),
        (milestone_states.MILESTONE, "submitted", "approve", "MilestoneAction"),
        (states.BID, "pending", "fly", "BidAction"),
        (states.JOB, "open", states.BidAction.EDIT, "JobAction"),
        (states.CONTRACT, "active", "cancel", "ContractAction"),
    ],
)
def test_an_action_that_is_not_a_member_of_its_tables_enum_is_a_bug_not_a_409(
    table, status, action, enum
):
    with pytest.raises(TypeError, match=f"not a {enum}"):
        states.next_status(table, status, action)


@pytest.mark.parametrize(
    ("table", "status", "action", "what", "message"),
    [
        (
            milestone_states.MILESTONE,
            "changes_requested",
            A.APPROVE,
            "milestone",
            "Cannot approve a milestone whose status is changes_requested (only when submitted).",
        ),
        (
            milestone_states.MILESTONE,
            "pending",
            A.DISPUTE,
            "milestone",
            "Cannot open a dispute on a milestone whose status is pending "
            "(only when funded, submitted or changes_requested).",
        ),
        (
            states.CONTRACT,
            "completed",
            states.ContractAction.ADD_MILESTONE,
            "contract",
            "Cannot add a milestone to a contract whose status is completed (only when active).",
        ),
    ],
)
def test_refusals_name_the_status_and_where_the_action_is_allowed(
    table, status, action, what, message
):
    with pytest.raises(InvalidTransition) as refused:
        states.next_status(table, status, action, what)
    assert refused.value.detail == message


def test_every_table_uses_only_its_own_states():
    for table, enum in [
        (states.JOB, states.JobStatus),
        (states.BID, states.BidStatus),
        (states.CONTRACT, states.ContractStatus),
        (milestone_states.MILESTONE, states.MilestoneStatus),
    ]:
        for (status, _action), target in table.items():
            assert status in set(enum)
            assert target in set(enum)


@pytest.mark.parametrize(
    ("code", "units"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("VND", 0),
        ("CLP", 0),
        ("ISK", 0),
        ("XAF", 0),
        ("XOF", 0),
        ("XPF", 0),
        ("XCD", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("TND", 3),
        ("IQD", 3),
        ("LYD", 3),
        ("CLF", 4),
    ],
)
def test_minor_units_follow_iso_4217(code, units):
    assert minor_units(code) == units


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "XDR", "ZZZ", "usd"])
def test_codes_without_minor_units_have_none(code):
    with pytest.raises(ValueError, match=r"not an ISO 4217 currency code|not money"):
        minor_units(code)


def test_every_offered_currency_has_zero_or_two_decimals():
    assert {minor_units(code) for code in OFFERED_CURRENCIES} == {0, 2}
    assert {"USD", "EUR", "JPY", "XAF", "XCD"} <= OFFERED_CURRENCIES
    assert not {"XXX", "XTS", "XAU", "KWD", "OMR", "CLF"} & OFFERED_CURRENCIES


@pytest.mark.parametrize(
    ("amount", "code", "text"),
    [
        (12_500, "USD", "125.00 USD"),
        (5, "EUR", "0.05 EUR"),
        (123_456_789, "USD", "1,234,567.89 USD"),
        (12_500, "JPY", "12,500 JPY"),
        (1_500, "KWD", "1.500 KWD"),
    ],
)
def test_amounts_are_formatted_with_their_minor_units(amount, code, text):
    assert format_amount(amount, code) == text


def test_amounts_in_codes_stored_before_they_were_refused_are_still_written():
    assert format_amount(1500, "XTS") == "1500 XTS"


def test_each_gateway_takes_its_own_currencies():
    from marketplace.money import OFFERED_CURRENCIES, accepted_currencies, payable_errors

    local = {"PAYMENT_GATEWAY": "local", "STRIPE_CURRENCIES": ("USD",)}
    stripe = {"PAYMENT_GATEWAY": "stripe", "STRIPE_CURRENCIES": ("USD", "EUR")}
    assert accepted_currencies(local) == OFFERED_CURRENCIES
    assert {"USD", "EUR", "GBP", "JPY"} <= accepted_currencies(local)
    assert accepted_currencies(stripe) == {"USD", "EUR"}
    assert payable_errors(stripe, "EUR", {"amount": 50}) == {}
    assert list(payable_errors(stripe, "GBP", {"amount": 5_000})) == ["currency"]
    assert payable_errors(local, "GBP", {"amount": 29, "other": 30}) == {
        "amount": ["Must be at least 0.30 GBP, the smallest charge possible."]
    }
    # Currencies Stripe has no minimum for (only the local gateway takes them): one unit.
    assert payable_errors(local, "PHP", {"amount": 1}) == {}
