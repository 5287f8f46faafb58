# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a sync tells its user: the summary, errors on their RDVs, the
empty-side guard's question."""

import logging

from odoo import _

from ..sync import GOOGLE
from .odoo_local_side import TransientLocalError
from .sync_outcome import SyncOutcome, SyncStatus

_logger = logging.getLogger(__name__)


def stop_message(env, stop):
    """The empty-side guard's reason (sync.Stop), for the user who decides."""
    # _() reads the user's language from a local named context
    context = env.context  # noqa: F841  pylint: disable=unused-variable
    if stop.side == GOOGLE:
        return _(
            "The Google calendar looks empty: %(deleted)s of the %(total)s synced events "
            "were deleted there since the last sync. Nothing was changed. Sync anyway, "
            "and cancel the RDVs of the deleted events?",
            deleted=stop.deleted,
            total=stop.total,
        )
    return _(
        "The planning looks empty: %(deleted)s of the %(total)s synced RDVs were deleted "
        "in Odoo since the last sync. Nothing was changed. Sync anyway, and cancel their "
        "events in Google Calendar?",
        deleted=stop.deleted,
        total=stop.total,
    )


def record_report(account, report, local):
    """Store what a sync did (the user's summary, errors on their RDVs) and
    return it as a SyncOutcome."""
    # _() reads the user's language from a local named context
    context = account.env.context  # noqa: F841  pylint: disable=unused-variable
    counts = report.summary()
    for result in report.errors:
        try:
            local.report_problem(
                result.key, result.event_id, result.reason or "; ".join(result.action.problems)
            )
        except TransientLocalError as exc:  # the same refusal again: the next sync retries
            _logger.warning("Sync error of %s not stored on its RDV: %s", result.key, exc)
    error = "\n".join(local.notes) or False
    summary = _(
        "%(created)s created, %(updated)s updated, %(cancelled)s cancelled, "
        "%(conflicts)s conflicts, %(errors)s errors",
        **counts,
    )
    account = account.sudo()
    # The token's statement set last_sync; the same summary as last time
    # needs no statement at all. Else one statement (no ORM round-trip for
    # the write date): this runs after every sync.
    if not (
        local.last_sync_written
        and account.last_error == error
        and not account.last_error_kind
        and account.last_sync_summary == summary
    ):
        # The notes are no refusal of Google's: the error's kind is cleared.
        account.env.cr.execute(
            "UPDATE of_google_account SET last_error = %s, last_error_kind = NULL, "
            "last_sync_summary = %s, "
            "last_sync = CASE WHEN %s THEN last_sync ELSE now() AT TIME ZONE 'UTC' END, "
            "write_date = now() AT TIME ZONE 'UTC', write_uid = %s WHERE id = %s",
            [error or None, summary, local.last_sync_written, account.env.uid, account.id],
        )
        account.invalidate_recordset(
            [
                "last_error",
                "last_error_kind",
                "last_sync_summary",
                "last_sync",
                "write_date",
                "write_uid",
            ]
        )
    return SyncOutcome(
        SyncStatus.NEED_REFRESH if report.changed_odoo else SyncStatus.NO_NEW_EVENT,
        counts=counts,
        changed_in_odoo=report.changed_odoo,
        notes=local.notes,
    )
