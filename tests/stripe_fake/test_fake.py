"""Self-test of the Stripe test infrastructure, through the real SDK.

Every call goes ``stripe.StripeClient`` -> ``FakeConnectClient`` -> localstripe (or the
layer's in-memory Connect), exactly as the Stripe adapter's tests will.
"""

from __future__ import annotations

import time

import pytest
import stripe

from tests.stripe_fake import (
    TEST_WEBHOOK_SECRET,
    WebhookRecorder,
    configure_localstripe_webhook,
    make_event,
    make_stripe_client,
    sign_payload,
    signed_event,
    start_localstripe,
)
from tests.stripe_fake.connect import unflatten


def fund(client: stripe.StripeClient, *, amount=10000, pm="pm_card_visa", key=None, **extra):
    params = {
        "amount": amount,
        "currency": "usd",
        "payment_method": pm,
        "confirm": True,
        "payment_method_types": ["card"],
        "metadata": {"milestone_id": "1"},
        "transfer_group": "milestone-1",
        **extra,
    }
    options = {"idempotency_key": key} if key else {}
    return client.v1.payment_intents.create(params=params, options=options)


def recipient_account(client: stripe.StripeClient, country="FR"):
    return client.v1.accounts.create(
        params={
            "type": "express",
            "country": country,
            "email": "freelancer@example.com",
            "capabilities": {"transfers": {"requested": True}},
            "tos_acceptance": {"service_agreement": "recipient"},
        }
    )


# ---------------------------------------------------------------- server


def test_server_listens_on_loopback_only(localstripe_server):
    assert localstripe_server.base_url.startswith("http://127.0.0.1:")
    assert [addr[0] for addr in localstripe_server._runner.addresses] == ["127.0.0.1"]


def test_one_server_per_process(localstripe_server):
    with pytest.raises(RuntimeError, match="one server per process"):
        start_localstripe()


def test_reset_empties_localstripe(localstripe_server, stripe_client):
    intent = fund(stripe_client)
    localstripe_server.reset()
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payment_intents.retrieve(intent.id)


# ---------------------------------------------------------------- payments


def test_payment_intent_succeeds_with_transfer_group(stripe_client, fake_stripe):
    intent = fund(stripe_client)

    assert intent.status == "succeeded"
    assert intent.amount == 10000
    assert intent.metadata["milestone_id"] == "1"
    assert intent.transfer_group == "milestone-1"
    assert isinstance(intent.latest_charge, str)
    assert intent.latest_charge.startswith("ch_")

    again = stripe_client.v1.payment_intents.retrieve(intent.id)
    assert again.transfer_group == "milestone-1"
    assert again.latest_charge == intent.latest_charge
    expanded = stripe_client.v1.payment_intents.retrieve(
        intent.id, params={"expand": ["latest_charge"]}
    )
    assert expanded.latest_charge.id == intent.latest_charge
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert charge.transfer_group == "milestone-1"
    assert charge.payment_intent == intent.id

    (sent,) = fake_stripe.calls("POST", "/v1/payment_intents")
    assert sent.params["transfer_group"] == "milestone-1"
    assert sent.params["payment_method_types"] == ["card"]
    assert sent.idempotency_key  # the SDK sends one on every POST
    assert sent.outcome == "forwarded"


def test_other_succeeding_test_card(stripe_client):
    assert fund(stripe_client, pm="pm_card_mastercard").status == "succeeded"


@pytest.mark.parametrize(
    ("pm", "decline_code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeCustomerFail", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ],
)
def test_declined_cards_raise_card_error(stripe_client, pm, decline_code):
    with pytest.raises(stripe.CardError) as caught:
        fund(stripe_client, pm=pm)

    error = caught.value
    assert error.http_status == 402
    assert error.code == "card_declined"
    assert error.error.decline_code == decline_code
    intent = error.error.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.transfer_group == "milestone-1"
    assert intent.metadata["milestone_id"] == "1"


def test_server_side_confirm_needs_payment_method_types(stripe_client):
    with pytest.raises(stripe.InvalidRequestError, match="return_url"):
        stripe_client.v1.payment_intents.create(
            params={"amount": 500, "currency": "usd", "payment_method": "pm_card_visa",
                    "confirm": True}
        )  # fmt: skip
    intent = stripe_client.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
    )
    assert intent.status == "succeeded"


def test_create_then_confirm_with_payment_method(stripe_client):
    intent = stripe_client.v1.payment_intents.create(
        params={
            "amount": 2500,
            "currency": "eur",
            "payment_method_types": ["card"],
            "transfer_group": "milestone-7",
        }
    )
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(intent.id)

    confirmed = stripe_client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert confirmed.status == "succeeded"
    assert confirmed.transfer_group == "milestone-7"


def test_refunds_partial_then_rest_and_full(stripe_client):
    intent = fund(stripe_client, amount=1000)
    partial = stripe_client.v1.refunds.create(
        params={"payment_intent": intent.id, "amount": 300, "reason": "requested_by_customer"}
    )
    assert (partial.amount, partial.status, partial.charge) == (
        300,
        "succeeded",
        intent.latest_charge,
    )
    assert partial.reason == "requested_by_customer"
    stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 700})
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge)
    assert charge.amount_refunded == 1000
    assert charge.refunded is True

    other = fund(stripe_client, amount=4200)
    full = stripe_client.v1.refunds.create(params={"payment_intent": other.id})
    assert full.amount == 4200


@pytest.mark.parametrize("start", ["pending", "requires_action"])
@pytest.mark.parametrize("end", ["succeeded", "failed", "canceled"])
def test_a_held_refund_stays_pending_until_it_ends(stripe_client, fake_stripe, start, end):
    intent = fund(stripe_client, amount=1000)
    fake_stripe.hold_refunds(start)
    refund = stripe_client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 400})
    fake_stripe.hold_refunds(None)

    assert refund.status == start
    assert stripe_client.v1.refunds.retrieve(refund.id).status == start
    ended = fake_stripe.settle_refund(refund.id, end)
    assert (ended["id"], ended["object"], ended["status"]) == (refund.id, "refund", end)
    assert ended["payment_intent"] == intent.id
    assert stripe_client.v1.refunds.retrieve(refund.id).status == end
    (listed,) = stripe_client.v1.refunds.list({"payment_intent": intent.id}).data
    assert listed.status == end
    assert (getattr(listed, "failure_reason", None) is not None) == (end == "failed")
    with pytest.raises(ValueError, match="not pending"):
        fake_stripe.settle_refund(refund.id, "succeeded")
    # Not held: succeeded at once, as before.
    assert stripe_client.v1.refunds.create(params={"payment_intent": intent.id}).status == (
        "succeeded"
    )


def test_a_refund_may_fail_at_once(stripe_client, fake_stripe):
    intent = fund(stripe_client, amount=1000)
    fake_stripe.hold_refunds("failed")

    refund = stripe_client.v1.refunds.create(params={"payment_intent": intent.id})

    assert (refund.status, refund.failure_reason) == ("failed", "expired_or_canceled_card")
    with pytest.raises(ValueError, match="a refund starts"):
        fake_stripe.hold_refunds("succeeded")


def test_an_open_payment_intent_is_cancelled(stripe_client):
    intent = stripe_client.v1.payment_intents.create(
        params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"]}
    )

    cancelled = stripe_client.v1.payment_intents.cancel(intent.id)

    assert cancelled.status == "canceled"
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})


def test_cancelling_a_paid_intent_is_stripes_unexpected_state(stripe_client):
    intent = fund(stripe_client, amount=1000)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.payment_intents.cancel(intent.id)

    assert refused.value.code == "payment_intent_unexpected_state"
    assert refused.value.http_status == 400
    assert refused.value.json_body["error"]["payment_intent"]["status"] == "succeeded"
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


# ---------------------------------------------------------------- idempotency


def test_payment_intent_idempotency_key(stripe_client, fake_stripe):
    first = fund(stripe_client, key="milestone-1-fund")
    second = fund(stripe_client, key="milestone-1-fund")

    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(stripe_client.v1.payment_intents.list().data) == 1
    assert [c.outcome for c in fake_stripe.calls("POST", "/v1/payment_intents")] == [
        "forwarded",
        "replayed",
    ]
    with pytest.raises(stripe.IdempotencyError):
        fund(stripe_client, key="milestone-1-fund", amount=999)


def test_declines_are_replayed_too(stripe_client):
    with pytest.raises(stripe.CardError) as first:
        fund(stripe_client, pm="pm_card_chargeDeclined", key="k-decline")
    with pytest.raises(stripe.CardError) as second:
        fund(stripe_client, pm="pm_card_chargeDeclined", key="k-decline")
    assert first.value.error.payment_intent.id == second.value.error.payment_intent.id


def test_an_amount_under_the_minimum_charge_is_refused_before_it_runs(stripe_client, fake_stripe):
    for amount, currency, shown in ((49, "usd", "0.50 usd"), (29, "gbp", "0.30 gbp")):
        with pytest.raises(stripe.InvalidRequestError) as small:
            fund(stripe_client, amount=amount, currency=currency, key=f"small-{currency}")
        assert (small.value.code, small.value.param) == ("amount_too_small", "amount")
        assert shown in small.value.user_message
    with pytest.raises(stripe.InvalidRequestError, match="at least 50 jpy"):
        fund(stripe_client, amount=49, currency="jpy")

    # Refused before it ran: nothing kept under the key, which works for the next try.
    intent = fund(stripe_client, amount=50, key="small-usd")
    assert intent.status == "succeeded"
    assert fund(stripe_client, amount=30, currency="gbp").status == "succeeded"
    outcomes = [c.outcome for c in fake_stripe.calls("POST", "/v1/payment_intents")]
    assert outcomes == ["served", "served", "served", "forwarded", "forwarded"]
    assert len(stripe_client.v1.payment_intents.list().data) == 2


def test_an_unknown_payment_method_is_stripes_resource_missing(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        fund(stripe_client, pm="pm_card_nobody_knows")

    assert unknown.value.http_status == 400
    assert (unknown.value.code, unknown.value.param) == ("resource_missing", "payment_method")
    assert "pm_card_nobody_knows" in unknown.value.user_message


@pytest.mark.parametrize("api_key", ["pk_test_publishable", "sk_live_real", "sk_test_", "nope"])
def test_an_api_key_stripe_does_not_know_is_a_401(localstripe_server, fake_stripe, api_key):
    client = make_stripe_client(localstripe_server.base_url, fake_stripe, api_key=api_key)

    with pytest.raises(stripe.AuthenticationError) as refused:
        fund(client)
    with pytest.raises(stripe.AuthenticationError):
        recipient_account(client)

    assert refused.value.http_status == 401
    assert [c.outcome for c in fake_stripe.recorded] == ["rejected", "rejected"]
    assert fake_stripe.accounts == {}


def test_a_restricted_key_uses_only_what_it_was_granted(localstripe_server, fake_stripe):
    client = make_stripe_client(localstripe_server.base_url, fake_stripe, api_key="rk_test_ops")
    fake_stripe.grant("rk_test_ops", "/v1/payment_intents", "/v1/accounts")

    intent = fund(client)  # forwarded to localstripe, which knows no restricted keys
    account = recipient_account(client)
    fake_stripe.activate_account(account.id)
    with pytest.raises(stripe.PermissionError) as denied:
        client.v1.transfers.create(
            params={"amount": 100, "currency": "usd", "destination": account.id},
            options={"idempotency_key": "k-transfer"},
        )

    assert intent.status == "succeeded"
    assert denied.value.http_status == 403
    assert fake_stripe.transfers == {}
    fake_stripe.grant("rk_test_ops", "/v1/transfers")
    client.v1.transfers.create(
        params={"amount": 100, "currency": "usd", "destination": account.id},
        options={"idempotency_key": "k-transfer"},
    )
    assert len(fake_stripe.transfers) == 1
    with pytest.raises(ValueError, match="restricted"):
        fake_stripe.grant("sk_test_secret", "/v1/transfers")


def test_rate_limits_and_lock_timeouts_do_not_say_whether_stripe_acted(stripe_client, fake_stripe):
    fake_stripe.fail_next("/v1/payment_intents", "before", error=429)
    with pytest.raises(stripe.RateLimitError) as limited:
        fund(stripe_client, key="k-busy")
    fake_stripe.fail_next("/v1/payment_intents", "after", error=409)
    with pytest.raises(stripe.APIError) as locked:
        fund(stripe_client, key="k-busy")

    assert limited.value.http_status == 429
    assert (locked.value.http_status, locked.value.error.code) == (409, "lock_timeout")
    retried = fund(stripe_client, key="k-busy")
    (made,) = stripe_client.v1.payment_intents.list().data  # the lock timeout hid it
    assert retried.id == made.id
    outcomes = [c.outcome for c in fake_stripe.calls("POST", "/v1/payment_intents")]
    assert outcomes == ["failed_before", "failed_after", "replayed"]


# ---------------------------------------------------------------- connect


def test_express_recipient_account_and_activation(stripe_client, fake_stripe):
    account = recipient_account(stripe_client)

    assert account.id.startswith("acct_")
    assert account.type == "express"
    assert account.country == "FR"
    assert account.default_currency == "eur"
    assert account.tos_acceptance.service_agreement == "recipient"
    assert account.capabilities.transfers == "inactive"
    assert (account.charges_enabled, account.payouts_enabled) == (False, False)
    (sent,) = fake_stripe.calls("POST", "/v1/accounts")
    assert sent.params["capabilities"] == {"transfers": {"requested": "true"}}

    updated = fake_stripe.activate_account(account.id)
    assert updated["capabilities"] == {"transfers": "active"}
    fetched = stripe_client.v1.accounts.retrieve(account.id)
    assert fetched.payouts_enabled is True
    assert fetched.charges_enabled is False  # recipients take no card payments
    assert fetched.capabilities.transfers == "active"


def test_account_rules(stripe_client):
    with pytest.raises(stripe.InvalidRequestError, match="recipient"):
        stripe_client.v1.accounts.create(
            params={
                "type": "express",
                "country": "FR",
                "capabilities": {"transfers": {"requested": True}},
            }
        )
    with pytest.raises(stripe.InvalidRequestError, match="card_payments"):
        stripe_client.v1.accounts.create(
            params={
                "type": "express",
                "country": "FR",
                "capabilities": {
                    "transfers": {"requested": True},
                    "card_payments": {"requested": True},
                },
                "tos_acceptance": {"service_agreement": "recipient"},
            }
        )
    domestic = stripe_client.v1.accounts.create(
        params={
            "type": "express",
            "country": "US",
            "capabilities": {"transfers": {"requested": True}},
        }
    )
    assert domestic.tos_acceptance.service_agreement == "full"


def test_account_link(stripe_client, fake_stripe):
    account = recipient_account(stripe_client)
    link = stripe_client.v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": "https://app.example/payout/refresh",
            "return_url": "https://app.example/payout/done",
            "type": "account_onboarding",
        }
    )
    assert link.url.startswith(f"https://connect.stripe.com/setup/e/{account.id}/")
    assert link.expires_at > link.created
    assert fake_stripe.account_links[0]["account"] == account.id
    with pytest.raises(stripe.InvalidRequestError, match="No such account"):
        stripe_client.v1.account_links.create(
            params={"account": "acct_nope", "refresh_url": "https://x",
                    "return_url": "https://x", "type": "account_onboarding"}
        )  # fmt: skip


def test_transfer_with_source_transaction_is_idempotent(stripe_client, fake_stripe):
    intent = fund(stripe_client, amount=10000)
    account = recipient_account(stripe_client)
    params = {
        "amount": 9000,
        "currency": "usd",
        "destination": account.id,
        "source_transaction": intent.latest_charge,
        "transfer_group": "milestone-1",
        "metadata": {"milestone_id": "1"},
    }
    refused_key = {"idempotency_key": "milestone-1-release"}

    with pytest.raises(stripe.InvalidRequestError) as inactive:
        stripe_client.v1.transfers.create(params=params, options=refused_key)
    assert inactive.value.code == "insufficient_capabilities_for_transfer"

    fake_stripe.activate_account(account.id)
    # The refusal came once the request ran: Stripe keeps it under its key.
    with pytest.raises(stripe.InvalidRequestError) as replayed:
        stripe_client.v1.transfers.create(params=params, options=refused_key)
    assert replayed.value.code == "insufficient_capabilities_for_transfer"
    assert fake_stripe.transfers == {}

    options = {"idempotency_key": "milestone-1-release-2"}
    first = stripe_client.v1.transfers.create(params=params, options=options)
    second = stripe_client.v1.transfers.create(params=params, options=options)

    assert second.id == first.id
    assert len(fake_stripe.transfers) == 1
    assert first.source_transaction == intent.latest_charge
    assert first.destination == account.id
    assert (first.amount, first.currency, first.transfer_group) == (9000, "usd", "milestone-1")
    calls = fake_stripe.calls("POST", "/v1/transfers")
    assert [c.outcome for c in calls] == ["served", "replayed", "served", "replayed"]
    assert {c.params["source_transaction"] for c in calls} == {intent.latest_charge}
    assert stripe_client.v1.transfers.retrieve(first.id).amount == 9000

    with pytest.raises(stripe.IdempotencyError):
        stripe_client.v1.transfers.create(params={**params, "amount": 1}, options=options)
    with pytest.raises(stripe.InvalidRequestError, match="more than its amount"):
        stripe_client.v1.transfers.create(params={**params, "amount": 1001})
    with pytest.raises(stripe.InvalidRequestError, match="No such charge"):
        stripe_client.v1.transfers.create(params={**params, "source_transaction": "ch_nope"})


# ---------------------------------------------------------------- balance transactions


def test_a_charge_in_the_settlement_currency_settles_as_is_less_stripes_fee(stripe_client):
    intent = fund(stripe_client, amount=10000, expand=["latest_charge.balance_transaction"])

    txn = intent.latest_charge.balance_transaction
    assert (txn.object, txn.type, txn.source) == (
        "balance_transaction",
        "charge",
        intent.latest_charge.id,
    )
    # 2.9 % + 30 cents, and no conversion.
    assert (txn.amount, txn.currency, txn.fee, txn.net) == (10000, "usd", 320, 9680)
    assert txn.exchange_rate is None
    assert [(d.type, d.amount) for d in txn.fee_details] == [("stripe_fee", 320)]
    # The same one however it is read: by id, on the charge, on the intent, in a list.
    assert stripe_client.v1.balance_transactions.retrieve(txn.id).fee == 320
    charge = stripe_client.v1.charges.retrieve(intent.latest_charge.id)
    assert charge.balance_transaction == txn.id
    again = stripe_client.v1.payment_intents.retrieve(
        intent.id, {"expand": ["latest_charge.balance_transaction"]}
    )
    assert again.latest_charge.balance_transaction.id == txn.id
    listed = stripe_client.v1.payment_intents.list(
        {"expand": ["data.latest_charge.balance_transaction"]}
    )
    assert [i.latest_charge.balance_transaction.id for i in listed.data] == [txn.id]
    # Unexpanded, ids as Stripe gives them.
    assert isinstance(stripe_client.v1.payment_intents.retrieve(intent.id).latest_charge, str)
    with pytest.raises(stripe.InvalidRequestError, match="No such balance transaction"):
        stripe_client.v1.balance_transactions.retrieve("txn_nope")


def test_a_charge_in_another_currency_is_converted_and_cannot_be_a_transfers_source(
    stripe_client, fake_stripe
):
    intent = fund(
        stripe_client,
        amount=10000,
        currency="eur",
        expand=["latest_charge.balance_transaction"],
    )
    txn = intent.latest_charge.balance_transaction
    # 100.00 EUR at 1.08 is 108.00 USD; 2.9 % + 1 % conversion + 30 cents.
    assert (txn.amount, txn.currency, txn.exchange_rate) == (10800, "usd", 1.08)
    assert txn.fee == (10800 * 390 + 5000) // 10000 + 30
    account = recipient_account(stripe_client)
    fake_stripe.activate_account(account.id)
    params = {
        "amount": 9000,
        "currency": "eur",
        "destination": account.id,
        "source_transaction": intent.latest_charge.id,
    }

    with pytest.raises(stripe.InvalidRequestError, match="must be the same as the transfer") as e:
        stripe_client.v1.transfers.create(params=params)
    assert e.value.param == "currency"
    # In the settlement currency, up to what was settled.
    usd = {**params, "currency": "usd", "amount": 10800}
    assert stripe_client.v1.transfers.create(params=usd).amount == 10800


def test_a_platform_that_settles_in_several_currencies_settles_each_as_charged(
    stripe_client, fake_stripe
):
    fake_stripe.settlement_currencies = {"usd", "eur"}
    expand = ["latest_charge.balance_transaction"]

    eur = fund(stripe_client, amount=10000, currency="eur", expand=expand)
    gbp = fund(stripe_client, amount=10000, currency="gbp", expand=expand)

    assert eur.latest_charge.balance_transaction.currency == "eur"
    assert eur.latest_charge.balance_transaction.fee == 290 + 25
    assert eur.latest_charge.balance_transaction.exchange_rate is None
    assert gbp.latest_charge.balance_transaction.currency == "usd"  # not settled in: converted


# ---------------------------------------------------------------- lists


def test_transfers_are_listed_newest_first_a_page_at_a_time(stripe_client, fake_stripe):
    intent = fund(stripe_client, amount=10000)
    account = recipient_account(stripe_client)
    fake_stripe.activate_account(account.id)
    made = [
        stripe_client.v1.transfers.create(
            params={
                "amount": 100 + n,
                "currency": "usd",
                "destination": account.id,
                "source_transaction": intent.latest_charge,
            }
        ).id
        for n in range(5)
    ]
    newest_first = made[::-1]

    first = stripe_client.v1.transfers.list({"limit": 2})
    after = stripe_client.v1.transfers.list({"limit": 2, "starting_after": first.data[-1].id})
    last = stripe_client.v1.transfers.list({"limit": 2, "starting_after": after.data[-1].id})
    before = stripe_client.v1.transfers.list({"limit": 2, "ending_before": last.data[0].id})
    every = stripe_client.v1.transfers.list({"limit": 2}).auto_paging_iter()

    assert [t.id for t in first.data] == newest_first[:2]
    assert first.has_more is True
    assert [t.id for t in after.data] == newest_first[2:4]
    assert ([t.id for t in last.data], last.has_more) == (newest_first[4:], False)
    assert [t.id for t in before.data] == newest_first[2:4]
    assert [t.id for t in every] == newest_first
    one_group = stripe_client.v1.transfers.list({"transfer_group": "milestone-9"})
    assert one_group.data == []
    for bad in ({"limit": 0}, {"limit": 101}, {"starting_after": "tr_nope"}):
        with pytest.raises(stripe.InvalidRequestError):
            stripe_client.v1.transfers.list(bad)


def test_payment_intents_are_listed_by_when_they_were_created(
    stripe_client, fake_stripe, localstripe_server
):
    """Stripe's `created` filter (localstripe has none): a range of timestamps, or one;
    the intents in it, newest first, a page at a time, presented as the layer presents
    them (expanded on request)."""
    from tests.stripe_fake.server import _import_localstripe

    intents = [fund(stripe_client, amount=1000 + n) for n in range(4)]
    _, resources, _ = _import_localstripe()
    now = int(time.time())

    def spread():  # made an hour apart, the first 3 hours ago
        for hours, intent in zip((3, 2, 1, 0), intents, strict=True):
            resources.store[f"payment_intent:{intent.id}"].created = now - hours * 3600

    localstripe_server._call(spread)

    middle = {"gte": now - 2 * 3600 - 60, "lte": now - 3600 + 60}
    listed = list(
        stripe_client.v1.payment_intents.list(
            {"created": middle, "limit": 1, "expand": ["data.latest_charge.balance_transaction"]}
        ).auto_paging_iter()
    )
    exact = stripe_client.v1.payment_intents.list({"created": now - 3 * 3600}).data
    after = stripe_client.v1.payment_intents.list({"created": {"gt": now - 3600}}).data

    assert [i.id for i in listed] == [intents[2].id, intents[1].id]
    assert all(i.latest_charge.balance_transaction.fee > 0 for i in listed)
    assert all(i.transfer_group == "milestone-1" for i in listed)
    assert [i.id for i in exact] == [intents[0].id]
    assert [i.id for i in after] == [intents[3].id]
    requests = fake_stripe.calls("GET", "/v1/payment_intents")
    assert {r.outcome for r in requests} == {"served"}
    for bad in ({"created": {"since": now}}, {"created": {"gt": "soon"}}, {"created": now, "x": 1}):
        with pytest.raises(stripe.InvalidRequestError):
            stripe_client.v1.payment_intents.list(bad)


def test_payment_intents_and_refunds_are_listed_through_every_page(stripe_client):
    """What reconciliation reads: localstripe's lists, through the layer's repairs."""
    intents = [fund(stripe_client, amount=1000 + n) for n in range(3)]
    refunds = [
        stripe_client.v1.refunds.create(params={"payment_intent": i.id, "amount": 100})
        for i in intents
    ]

    listed = list(stripe_client.v1.payment_intents.list({"limit": 2}).auto_paging_iter())
    listed_refunds = list(stripe_client.v1.refunds.list({"limit": 2}).auto_paging_iter())

    assert sorted(i.id for i in listed) == sorted(i.id for i in intents)
    for intent in listed:
        assert intent.status == "succeeded"
        assert intent.latest_charge.startswith("ch_")  # an id, as Stripe lists it
        assert intent.transfer_group == "milestone-1"
        assert intent.metadata.to_dict() == {"milestone_id": "1"}
    assert sorted(r.id for r in listed_refunds) == sorted(r.id for r in refunds)
    assert {(r.payment_intent, r.charge) for r in listed_refunds} == {
        (i.id, i.latest_charge) for i in intents
    }


# ---------------------------------------------------------------- failure injection


def test_failure_before_the_request_reaches_stripe(stripe_client, fake_stripe):
    intent = fund(stripe_client)
    account = recipient_account(stripe_client)
    fake_stripe.activate_account(account.id)
    params = {
        "amount": 100,
        "currency": "usd",
        "destination": account.id,
        "source_transaction": intent.latest_charge,
    }
    options = {"idempotency_key": "milestone-1-release"}

    fake_stripe.fail_next("/v1/transfers", "before")
    with pytest.raises(stripe.APIConnectionError):
        stripe_client.v1.transfers.create(params=params, options=options)
    assert fake_stripe.transfers == {}

    fake_stripe.fail_next("/v1/transfers", "before", error=503)
    with pytest.raises(stripe.APIError) as caught:
        stripe_client.v1.transfers.create(params=params, options=options)
    assert caught.value.http_status == 503
    assert fake_stripe.transfers == {}

    transfer = stripe_client.v1.transfers.create(params=params, options=options)
    assert list(fake_stripe.transfers) == [transfer.id]
    outcomes = [c.outcome for c in fake_stripe.calls("POST", "/v1/transfers")]
    assert outcomes == ["failed_before", "failed_before", "served"]


def test_failure_after_stripe_did_the_work(stripe_client, fake_stripe):
    fake_stripe.fail_next("/v1/payment_intents", "after", error="connection")
    with pytest.raises(stripe.APIConnectionError):
        fund(stripe_client, key="milestone-1-fund")
    (lost,) = stripe_client.v1.payment_intents.list().data
    assert lost.status == "succeeded"  # Stripe charged the card; we never heard

    retried = fund(stripe_client, key="milestone-1-fund")
    assert retried.id == lost.id
    assert len(stripe_client.v1.payment_intents.list().data) == 1

    fake_stripe.fail_next("/v1/refunds", "after", error=500)
    with pytest.raises(stripe.APIError):
        stripe_client.v1.refunds.create(params={"payment_intent": lost.id, "amount": 10})
    charge = stripe_client.v1.charges.retrieve(lost.latest_charge)
    assert charge.amount_refunded == 10


def test_sdk_retries_reuse_its_idempotency_key(localstripe_server, fake_stripe, monkeypatch):
    monkeypatch.setattr(fake_stripe, "_sleep_time_seconds", lambda num_retries: 0)
    client = make_stripe_client(localstripe_server.base_url, fake_stripe, max_network_retries=2)
    fake_stripe.fail_next("/v1/payment_intents", "after", error="timeout")

    intent = fund(client)  # no key of ours: the SDK's generated one is reused on retry

    assert len(client.v1.payment_intents.list().data) == 1
    calls = fake_stripe.calls("POST", "/v1/payment_intents")
    assert [c.outcome for c in calls] == ["failed_after", "replayed"]
    assert calls[0].idempotency_key == calls[1].idempotency_key
    assert intent.status == "succeeded"


# ---------------------------------------------------------------- webhooks


def test_signed_events_verify_with_the_sdk():
    account = {"id": "acct_1", "object": "account", "payouts_enabled": True}
    event = make_event("account.updated", account, "evt_fixed")
    body, headers = signed_event(event, TEST_WEBHOOK_SECRET)

    parsed = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], TEST_WEBHOOK_SECRET)
    assert (parsed.id, parsed.type, parsed.data.object.id) == (
        "evt_fixed",
        "account.updated",
        "acct_1",
    )

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            body.replace(b"acct_1", b"acct_2"), headers["Stripe-Signature"], TEST_WEBHOOK_SECRET
        )
    stale = sign_payload(body, TEST_WEBHOOK_SECRET, int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, stale, TEST_WEBHOOK_SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sign_payload(body, "whsec_other"), TEST_WEBHOOK_SECRET)


def test_localstripe_sends_signed_payment_intent_webhooks(localstripe_server, stripe_client):
    with WebhookRecorder() as hooks:
        configure_localstripe_webhook(
            localstripe_server.base_url,
            hooks.url,
            TEST_WEBHOOK_SECRET,
            events=["payment_intent.succeeded"],
        )
        intent = fund(stripe_client)
        delivery = hooks.wait_for("payment_intent.succeeded", timeout=5)

    event = stripe.Webhook.construct_event(delivery.body, delivery.signature, TEST_WEBHOOK_SECRET)
    assert event.data.object.id == intent.id
    assert event.data.object.metadata.milestone_id == "1"
    assert event.api_version == "2017-08-15"
    assert [d.event["type"] for d in hooks.deliveries] == ["payment_intent.succeeded"]


def test_unflatten():
    pairs = [
        ("metadata[milestone_id]", "1"),
        ("payment_method_types[0]", "card"),
        ("capabilities[transfers][requested]", "true"),
        ("expand[]", "a"),
        ("expand[]", "b"),
    ]
    assert unflatten(pairs) == {
        "metadata": {"milestone_id": "1"},
        "payment_method_types": ["card"],
        "capabilities": {"transfers": {"requested": "true"}},
        "expand": ["a", "b"],
    }


def test_disputes_are_read_one_by_one_and_listed(stripe_client, fake_stripe):
    intent = fund(stripe_client, amount=10000)
    opened = fake_stripe.open_dispute(intent.latest_charge, 10000, reason="fraudulent")

    dispute = stripe_client.v1.disputes.retrieve(opened["id"])
    assert (dispute.status, dispute.charge, dispute.amount) == (
        "needs_response",
        intent.latest_charge,
        10000,
    )
    fake_stripe.close_dispute(opened["id"], "lost")
    assert stripe_client.v1.disputes.retrieve(opened["id"]).status == "lost"
    listed = list(stripe_client.v1.disputes.list().auto_paging_iter())
    assert [d.id for d in listed] == [opened["id"]]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.disputes.retrieve("dp_nobody")
    assert missing.value.code == "resource_missing"


def test_a_reversal_is_bounded_by_what_the_connected_account_holds(stripe_client, fake_stripe):
    intent = fund(stripe_client, amount=10000)
    account = recipient_account(stripe_client)
    fake_stripe.activate_account(account.id)
    transfer = stripe_client.v1.transfers.create(
        params={
            "amount": 9000,
            "currency": "usd",
            "destination": account.id,
            "source_transaction": intent.latest_charge,
        }
    )
    fake_stripe.spend(account.id, 6000)

    balance = stripe_client.v1.balance.retrieve(options={"stripe_account": account.id})
    assert [(b.amount, b.currency) for b in balance.available] == [(3000, "usd")]
    options = {"idempotency_key": "reverse-too-much"}
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.reversals.create(transfer.id, {"amount": 4000}, options)
    assert refused.value.code == "balance_insufficient"

    reversal = stripe_client.v1.transfers.reversals.create(
        transfer.id, {"amount": 3000}, {"idempotency_key": "reverse-what-is-left"}
    )
    again = stripe_client.v1.transfers.reversals.create(
        transfer.id, {"amount": 3000}, {"idempotency_key": "reverse-what-is-left"}
    )
    assert again.id == reversal.id
    assert stripe_client.v1.transfers.retrieve(transfer.id).amount_reversed == 3000


def test_requirements_past_due_switch_transfers_off(stripe_client, fake_stripe):
    account = recipient_account(stripe_client)
    fake_stripe.activate_account(account.id)

    updated = fake_stripe.require(account.id, "individual.id_number")

    assert updated["capabilities"]["transfers"] == "inactive"
    assert updated["requirements"]["past_due"] == ["individual.id_number"]
    assert updated["requirements"]["disabled_reason"] == "requirements.past_due"
    fetched = stripe_client.v1.accounts.retrieve(account.id)
    assert fetched.capabilities.transfers == "inactive"
    assert fetched.payouts_enabled is False
    capability = fake_stripe.capability(account.id)
    assert (capability["id"], capability["account"], capability["status"]) == (
        "transfers",
        account.id,
        "inactive",
    )
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.create(
            params={"amount": 100, "currency": "usd", "destination": account.id}
        )
    assert refused.value.code == "insufficient_capabilities_for_transfer"


def test_a_deauthorized_account_is_out_of_reach(stripe_client, fake_stripe):
    account = recipient_account(stripe_client)
    fake_stripe.activate_account(account.id)

    application = fake_stripe.deauthorize(account.id)

    assert application["object"] == "application"
    with pytest.raises(stripe.PermissionError, match="revoked") as denied:
        stripe_client.v1.accounts.retrieve(account.id)
    assert denied.value.http_status == 403
    with pytest.raises(stripe.PermissionError):
        stripe_client.v1.account_links.create(
            params={"account": account.id, "refresh_url": "https://x",
                    "return_url": "https://x", "type": "account_onboarding"}
        )  # fmt: skip
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.create(
            params={"amount": 100, "currency": "usd", "destination": account.id}
        )
    assert refused.value.param == "destination"
    assert fake_stripe.transfers == {}


def test_cross_border_accounts_only_where_the_platform_may_pay_out(
    localstripe_server, stripe_client, fake_stripe
):
    fake_stripe.payout_countries = frozenset({"FR", "PH"})
    params = {
        "type": "express",
        "capabilities": {"transfers": {"requested": True}},
        "tos_acceptance": {"service_agreement": "recipient"},
    }

    with pytest.raises(stripe.InvalidRequestError, match="XK") as refused:
        stripe_client.v1.accounts.create(params={**params, "country": "XK"})

    assert refused.value.param == "country"
    assert fake_stripe.accounts == {}
    assert stripe_client.v1.accounts.create(params={**params, "country": "PH"}).country == "PH"
    domestic = {"type": "express", "country": "US", "capabilities": params["capabilities"]}
    assert stripe_client.v1.accounts.create(params=domestic).country == "US"


def test_a_failed_payout_of_a_connected_account(stripe_client, fake_stripe):
    account = recipient_account(stripe_client)

    payout = fake_stripe.failed_payout(account.id, 2500, "EUR")

    assert payout["id"].startswith("po_")
    assert (payout["status"], payout["currency"], payout["amount"]) == ("failed", "eur", 2500)
    assert payout["failure_code"] == "account_closed"
    event = make_event("payout.failed", payout, account=account.id)
    assert event["account"] == account.id


def test_account_links_remember_where_stripe_sends_the_holder(stripe_client, fake_stripe):
    account = recipient_account(stripe_client)
    stripe_client.v1.account_links.create(
        params={"account": account.id, "refresh_url": "https://app.example/again",
                "return_url": "https://app.example/done", "type": "account_onboarding"}
    )  # fmt: skip

    (link,) = fake_stripe.account_links
    assert (link["refresh_url"], link["return_url"]) == (
        "https://app.example/again",
        "https://app.example/done",
    )
