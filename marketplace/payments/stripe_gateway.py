"""The Stripe adapter: separate charges and transfers. The only module that imports stripe.

Funding is a PaymentIntent on the platform (metadata.milestone_id, a transfer_group);
a release is a Transfer to the freelancer's Express account with source_transaction
set to the funding charge; refunds are Refunds on the PaymentIntent. Every call that
creates something carries our idempotency key, so a retry never pays twice.
"""

import stripe

from marketplace.payments.gateway import (
    CardDeclined,
    Charge,
    ChargeRequest,
    GatewayError,
    PayoutAccount,
    PayoutAccountRequest,
    Refund,
    RefundRequest,
    Transfer,
    TransferRequest,
    UnknownPaymentMethod,
)


def _id(value) -> str | None:
    """An expandable field: an id, or the object itself."""
    if value is None or isinstance(value, str):
        return value
    return value.id


class StripeGateway:
    name = "stripe"

    def __init__(self, client: stripe.StripeClient, *, platform_country: str, public_url: str):
        self.client = client
        self.platform_country = platform_country
        self.public_url = public_url.rstrip("/")

    @classmethod
    def from_config(cls, config) -> "StripeGateway":
        if not config["STRIPE_SECRET_KEY"]:
            raise RuntimeError("PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY")
        base = config["STRIPE_API_BASE"]
        client = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"],
            base_addresses={"api": base, "connect": base, "files": base} if base else None,
            # Only tests set this: a fake Connect layer in front of a fake Stripe.
            http_client=config.get("STRIPE_HTTP_CLIENT"),
            max_network_retries=config.get("STRIPE_MAX_NETWORK_RETRIES", 2),
        )
        return cls(
            client, platform_country=config["PLATFORM_COUNTRY"], public_url=config["PUBLIC_URL"]
        )

    def charge(self, request: ChargeRequest) -> Charge:
        params = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "metadata": {"milestone_id": str(request.milestone_id)},
            "transfer_group": request.transfer_group,
            "description": request.description,
            # Confirmed on the server, so no redirect-based method may be offered.
            "payment_method_types": ["card"],
        }
        if request.payment_method:
            params |= {"payment_method": request.payment_method, "confirm": True}
        try:
            intent = self.client.v1.payment_intents.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        except stripe.CardError as error:
            raise CardDeclined(
                error.user_message or "Card declined", error.code or "card_declined"
            ) from error
        except stripe.InvalidRequestError as error:
            if error.param == "payment_method" or error.code == "resource_missing":
                raise UnknownPaymentMethod(request.payment_method) from error
            raise GatewayError(str(error)) from error
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return self._charge(intent)

    def retrieve_charge(self, intent_id: str) -> Charge:
        try:
            return self._charge(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def cancel_charge(self, intent_id: str) -> None:
        """Cancel an intent that failed, so it can never be confirmed (and charge) later."""
        try:
            intent = self.client.v1.payment_intents.retrieve(intent_id)
            if intent.status not in ("succeeded", "canceled", "processing"):
                self.client.v1.payment_intents.cancel(intent_id)
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def refund(self, request: RefundRequest) -> Refund:
        try:
            refund = self.client.v1.refunds.create(
                {"payment_intent": request.intent_id, "amount": request.amount},
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return Refund(refund.id, refund.amount, refund.status)

    def transfer(self, request: TransferRequest) -> Transfer:
        params = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "destination": request.destination,
            "transfer_group": request.transfer_group,
        }
        if request.source_charge_id:
            params["source_transaction"] = request.source_charge_id
        try:
            transfer = self.client.v1.transfers.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return Transfer(transfer.id, transfer.amount, _id(transfer.destination))

    def create_payout_account(self, request: PayoutAccountRequest) -> PayoutAccount:
        params = {
            "type": "express",
            "country": request.country,
            "email": request.email,
            "metadata": {"user_id": str(request.user_id)},
            # Freelancers only receive transfers; they never take card payments.
            "capabilities": {"transfers": {"requested": True}},
        }
        if request.country != self.platform_country:
            params["tos_acceptance"] = {"service_agreement": "recipient"}
        try:
            account = self.client.v1.accounts.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return self._account(account)

    def retrieve_payout_account(self, account_id: str) -> PayoutAccount:
        try:
            return self._account(self.client.v1.accounts.retrieve(account_id))
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def onboarding_link(self, account_id: str) -> str | None:
        try:
            link = self.client.v1.account_links.create(
                {
                    "account": account_id,
                    "type": "account_onboarding",
                    "refresh_url": f"{self.public_url}/payouts/onboarding/refresh",
                    "return_url": f"{self.public_url}/payouts/onboarding/done",
                }
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return link.url

    @staticmethod
    def _charge(intent) -> Charge:
        return Charge(
            intent_id=intent.id,
            status=intent.status,
            amount=intent.amount,
            currency=intent.currency.upper(),
            charge_id=_id(getattr(intent, "latest_charge", None)),
            client_secret=getattr(intent, "client_secret", None),
            metadata=(intent.metadata.to_dict() if getattr(intent, "metadata", None) else {}),
        )

    @staticmethod
    def _account(account) -> PayoutAccount:
        capabilities = getattr(account, "capabilities", None)
        transfers = getattr(capabilities, "transfers", None) if capabilities else None
        return PayoutAccount(account.id, transfers == "active")
