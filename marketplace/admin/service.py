"""Use cases of the admin tools: users, suspension, the audit log, the ledger check and
reconciliation."""

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from marketplace import audit
from marketplace.accounts.models import User, UserStatus
from marketplace.accounts.schemas import UserSchema
from marketplace.audit import AuditEntry
from marketplace.bids import service as bids
from marketplace.errors import Conflict, Forbidden, GatewayFailed, NotFound
from marketplace.events import service as events
from marketplace.extensions import db
from marketplace.jobs import service as jobs
from marketplace.lookup import one_or_404
from marketplace.milestones import engine
from marketplace.milestones.models import PROVIDER_KINDS, EscrowMovement, MovementStatus
from marketplace.pagination import Page, SortKey, paginate
from marketplace.payments.gateway import ProviderRefused, ProviderUnavailable, get_gateway
from marketplace.payments.ledger import verify_ledger
from marketplace.payments.reconcile import reconcile as compare_with_provider

USERS_NEWEST_FIRST = (SortKey(User.created_at), SortKey(User.id))
AUDIT_NEWEST_FIRST = (SortKey(AuditEntry.created_at), SortKey(AuditEntry.id))
OPERATIONS_NEWEST_FIRST = (SortKey(EscrowMovement.id),)

# An operation's status as admins see it, from its movement's.
OPERATION_STATUS = {
    MovementStatus.PENDING: "pending",
    MovementStatus.PROCESSING: "settled",
    MovementStatus.SUCCEEDED: "settled",
    MovementStatus.FAILED: "failed",
}


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("Admins only.")


def list_users(admin: User, *, limit: int, cursor: str | None, q=None, role=None, status=None):
    """Every account, newest first, filtered by name or email, role and status."""
    require_admin(admin)
    stmt = select(User)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.name.ilike(pattern)))
    if role:
        stmt = stmt.where(User.role == role)
    if status:
        stmt = stmt.where(User.status == status)
    return paginate(db.session, stmt, USERS_NEWEST_FIRST, limit=limit, cursor=cursor)


def _user(user_id: int) -> User:
    return one_or_404(select(User).where(User.id == user_id), User, lock=True, what="user")


def _account_event(type: str, user: User) -> None:
    """Tell the user (and admins), with the account as GET /me shows it to its owner."""

    def shape(_role: str) -> dict:
        return UserSchema().dump(user)

    events.emit(type, {user.id: user.role}, shape)


def suspend(admin: User, user_id: int, reason: str) -> User:
    """Suspend an account: from its next request it may only read its own account and money.

    Its pending bids are withdrawn and its open jobs closed (their bids declined).
    """
    require_admin(admin)
    user = _user(user_id)
    if user.id == admin.id:
        raise Conflict("Admins cannot suspend themselves.")
    if user.status == UserStatus.SUSPENDED:
        raise Conflict("This account is suspended already.")
    user.status, user.suspended_reason = UserStatus.SUSPENDED, reason
    withdrawn = bids.withdraw_pending_bids_of(user.id)
    closed = jobs.close_open_jobs_of(user.id)
    audit.record(
        admin.id,
        "user.suspended",
        f"user:{user.id}",
        reason=reason,
        bids_withdrawn=withdrawn,
        jobs_closed=closed,
    )
    _account_event("account.suspended", user)
    db.session.commit()
    return user


def reinstate(admin: User, user_id: int) -> User:
    """Lift a suspension (withdrawn bids and closed jobs stay as they are)."""
    require_admin(admin)
    user = _user(user_id)
    if user.status != UserStatus.SUSPENDED:
        raise Conflict("This account is not suspended.")
    user.status, user.suspended_reason = UserStatus.ACTIVE, None
    audit.record(admin.id, "user.reinstated", f"user:{user.id}")
    _account_event("account.reinstated", user)
    db.session.commit()
    return user


def audit_log(
    admin: User, *, limit: int, cursor: str | None, actor_id=None, action=None, target=None
):
    """Every admin action and money movement, newest first."""
    require_admin(admin)
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if target:
        stmt = stmt.where(AuditEntry.target == target)
    return paginate(db.session, stmt, AUDIT_NEWEST_FIRST, limit=limit, cursor=cursor)


def check_ledger(admin: User) -> dict:
    """Run every ledger check."""
    require_admin(admin)
    return verify_ledger()


def operation_view(movement: EscrowMovement) -> dict:
    return {
        **{
            name: getattr(movement, name)
            for name in (
                "id",
                "milestone_id",
                "kind",
                "action",
                "amount",
                "currency",
                "idempotency_key",
                "provider_id",
                "refusal",
                "created_at",
                "settled_at",
            )
        },
        "status": OPERATION_STATUS[MovementStatus(movement.status)],
    }


def list_operations(admin: User, *, limit: int, cursor: str | None, status=None, milestone_id=None):
    """Calls to the payment provider, newest first: what was asked, and how it ended."""
    require_admin(admin)
    stmt = select(EscrowMovement).where(EscrowMovement.kind.in_(PROVIDER_KINDS))
    if status:
        wanted = [s for s, shown in OPERATION_STATUS.items() if shown == status]
        stmt = stmt.where(EscrowMovement.status.in_(wanted))
    if milestone_id is not None:
        stmt = stmt.where(EscrowMovement.milestone_id == milestone_id)
    page = paginate(db.session, stmt, OPERATIONS_NEWEST_FIRST, limit=limit, cursor=cursor)
    return Page([operation_view(m) for m in page.data], page.next_cursor)


def recover_operation(admin: User, operation_id: int) -> dict:
    """Ask the provider what became of a pending call and book it (repeating the call
    with its key; the provider answers what it did, or does it now)."""
    require_admin(admin)
    movement = db.session.get(EscrowMovement, operation_id)
    if movement is None or movement.kind not in PROVIDER_KINDS:
        raise NotFound("No such operation.")
    audit.record(admin.id, "operation.recover", f"operation:{operation_id}")
    db.session.commit()
    return operation_view(engine.recover(operation_id))


def reconcile(admin: User) -> dict:
    """Compare the payment provider's records with the ledger."""
    require_admin(admin)
    try:
        return compare_with_provider(get_gateway())
    except (ProviderUnavailable, ProviderRefused) as error:
        raise GatewayFailed(f"The payment provider could not be read: {error}") from None
