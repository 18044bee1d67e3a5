"""The `flask --app wsgi marketplace ...` command group."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from marketplace.extensions import db

marketplace = AppGroup("marketplace", help="Run marketplace chores.")


@marketplace.command("create-admin")
@click.argument("email")
@click.option("--password", required=True, help="At least 10 characters.")
def create_admin(email: str, password: str) -> None:
    """Create an admin, or make an existing account admin with this password."""
    from marketplace.accounts.schemas import PASSWORD_MIN
    from marketplace.accounts.service import create_admin as create

    if len(password) < PASSWORD_MIN:
        raise click.BadParameter(
            f"must be at least {PASSWORD_MIN} characters", param_hint="--password"
        )
    if "@" not in email:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    user = create(email, password)
    click.echo(f"{user.email} is an admin (user {user.id}).")


@marketplace.command("seed-demo")
def seed_demo() -> None:
    """Fill an empty database with demo data (does nothing if any user exists)."""
    from marketplace import demo
    from marketplace.accounts.models import User

    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has users; demo data not loaded.")
        if demo.find_demo_user() is None:
            return
    else:
        demo.seed()
        click.echo("Demo data loaded.")
    for line in demo.login_lines():
        click.echo(line)


@marketplace.command("new-installation-namespace")
def new_installation_namespace() -> None:
    """Give a copied database its own provider namespace (before its first money action).

    A copy of a database run as another installation (staging from a production backup)
    would otherwise send production's idempotency keys. Refused while a provider call is
    unsettled, since its repeat must send the old key; restart the app after.
    """
    from marketplace.payments.keys import renew_namespace

    try:
        old, new = renew_namespace()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Installation namespace {old} replaced by {new}; restart the app.")


@marketplace.command("purge-expired")
def purge_expired() -> None:
    """Delete idempotency records past 24 hours, expired browser sessions, events past
    EVENT_RETENTION_DAYS and stored files no row names (as sweep-files does); run daily."""
    from marketplace import idempotency
    from marketplace.accounts.service import purge_expired_sessions
    from marketplace.events.service import purge_expired as purge_events

    click.echo(f"{idempotency.purge_expired()} idempotency records deleted.")
    days = current_app.config["EVENT_RETENTION_DAYS"]
    click.echo(f"{purge_events(days)} event(s) deleted (older than {days} days).")
    click.echo(f"{purge_expired_sessions()} expired browser sessions deleted.")
    _sweep(current_app.config["FILE_SWEEP_GRACE_MINUTES"], dry_run=False)


@marketplace.command("sweep-files")
@click.option(
    "--grace-minutes",
    type=click.FloatRange(min=0),
    default=None,
    help="Spare objects younger than this (default FILE_SWEEP_GRACE_MINUTES, 60). Uploads "
    "under way are younger: 0 removes theirs too.",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def sweep_files(grace_minutes: float | None, dry_run: bool) -> None:
    """Remove stored files no source file or delivery names (a crash between storing a
    file and committing its row leaves one); exit 1 if the store cannot be read."""
    if grace_minutes is None:
        grace_minutes = current_app.config["FILE_SWEEP_GRACE_MINUTES"]
    _sweep(grace_minutes, dry_run=dry_run)


def _sweep(grace_minutes: float, *, dry_run: bool) -> None:
    from datetime import timedelta

    from marketplace.files.sweep import sweep_files as sweep
    from marketplace.storage import StorageUnavailable

    try:
        swept = sweep(timedelta(minutes=grace_minutes), dry_run=dry_run)
    except StorageUnavailable as error:
        click.echo(f"The file storage could not be swept: {error}", err=True)
        raise SystemExit(1) from None
    for key in swept.removed:
        click.echo(f"{'would remove' if dry_run else 'removed'}: {key}")
    click.echo(
        f"{len(swept.removed)} stored file(s) no row names "
        f"{'would be ' if dry_run else ''}removed ({swept.listed} listed, {swept.old} older "
        f"than {grace_minutes:g} minutes)."
    )


@marketplace.command("release-due")
def release_due() -> None:
    """Approve submitted milestones past their auto-release time (safe from cron, many hosts)."""
    from marketplace.milestones.service import release_due as release

    lines = release()
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} milestone(s) due.")


@marketplace.command("recover-operations")
def recover_operations() -> None:
    """Find out what became of provider calls left pending (a crash, a lost answer) and book
    it; exit 1 if one is still unanswered. Safe from cron, on many hosts at once."""
    from marketplace.milestones.engine import recover_pending

    lines = recover_pending()
    for line in lines:
        click.echo(line)
    still = sum("still pending" in line for line in lines)
    click.echo(f"{len(lines)} pending operation(s) looked at, {still} still unanswered.")
    if still:
        raise SystemExit(1)


@marketplace.command("verify-ledger")
def verify_ledger() -> None:
    """Check every ledger invariant; exit 1 if any is broken."""
    from marketplace.payments.ledger import verify_ledger as verify

    result = verify()
    for problem in result["problems"]:
        click.echo(f"PROBLEM: {problem}", err=True)
    click.echo(
        f"{result['transactions']} transactions checked: "
        f"{'ok' if result['ok'] else 'PROBLEMS FOUND'}."
    )
    if not result["ok"]:
        raise SystemExit(1)


@marketplace.command("reconcile")
def reconcile() -> None:
    """Compare the payment provider's records with the ledger; exit 1 on any difference.

    Exit 2 if the provider could not be read (nothing was compared).
    """
    from marketplace.payments.gateway import ProviderRefused, ProviderUnavailable, get_gateway
    from marketplace.payments.reconcile import describe
    from marketplace.payments.reconcile import reconcile as compare

    try:
        result = compare(get_gateway())
    except (ProviderUnavailable, ProviderRefused) as error:
        click.echo(f"The payment provider could not be read: {error}", err=True)
        raise SystemExit(2) from None
    for difference in result["differences"]:
        click.echo(f"DIFFERENCE: {describe(difference)}", err=True)
    found = len(result["differences"])
    click.echo(
        f"{result['checked']} milestone(s) checked against the provider: "
        f"{f'{found} difference(s)' if found else 'ok'}."
    )
    if not result["ok"]:
        raise SystemExit(1)


@marketplace.command("worker")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.05),
    default=1.0,
    help="How long to wait when nothing is due (default 1).",
)
def worker(poll_seconds: float) -> None:
    """Send webhooks and run release-due, recover-operations and purge-expired on their
    intervals, until SIGTERM or SIGINT (many may run at once, on many hosts)."""
    import signal

    from marketplace.worker import Worker

    running = Worker()

    def stop(_signum, _frame):
        running.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo("Worker started.")
    running.run(poll_seconds)
    click.echo("Worker stopped.")


def init_app(app: Flask) -> None:
    app.cli.add_command(marketplace)
