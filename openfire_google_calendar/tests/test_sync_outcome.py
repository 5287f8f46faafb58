# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sync's typed outcome: whether a failure may pass by itself comes from
Google's status and reason, the administrators' quota figures from the
stored kind, and the user reads a sentence in his language, never a repr."""

from datetime import datetime

from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from ..services.sync_outcome import (
    ErrorKind,
    SyncOutcome,
    SyncStatus,
    google_error_kind,
    stored_refusal_kind,
)
from ..services.sync_runner import run_sync
from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestErrorKinds(BaseCase):
    def test_googles_status_and_reason_decide(self):
        cases = {
            (429, "rateLimitExceeded"): ErrorKind.QUOTA,
            (403, "rateLimitExceeded"): ErrorKind.QUOTA,
            (403, "userRateLimitExceeded"): ErrorKind.QUOTA,
            (403, "quotaExceeded"): ErrorKind.QUOTA,
            (500, "backendError"): ErrorKind.UNAVAILABLE,
            (502, ""): ErrorKind.UNAVAILABLE,
            (503, "backendError"): ErrorKind.UNAVAILABLE,
            (504, ""): ErrorKind.UNAVAILABLE,
            (None, "network"): ErrorKind.UNAVAILABLE,
            (400, "invalid"): ErrorKind.REFUSED,
            (403, "forbidden"): ErrorKind.REFUSED,
            (403, "insufficientPermissions"): ErrorKind.REFUSED,
            (404, "notFound"): ErrorKind.REFUSED,
        }
        self.assertEqual({case: google_error_kind(*case) for case in cases}, cases)
        self.assertEqual(
            [kind for kind in ErrorKind if kind.transient], [ErrorKind.QUOTA, ErrorKind.UNAVAILABLE]
        )

    def test_a_refusal_stored_on_an_rdv_is_read_by_its_prefix(self):
        self.assertIs(stored_refusal_kind("403 rateLimitExceeded: Rate Limit"), ErrorKind.QUOTA)
        self.assertIs(stored_refusal_kind("429 rateLimitExceeded"), ErrorKind.QUOTA)
        self.assertIs(stored_refusal_kind("404 notFound"), ErrorKind.REFUSED)
        # words of a person are no refusal of Google's, whatever they say
        self.assertIsNone(stored_refusal_kind("quota de 429 RDV dépassé"))
        self.assertIsNone(stored_refusal_kind(False))

    def test_rendered_as_the_planning_reads_it(self):
        outcome = SyncOutcome.in_background("later", wait=12.0)
        self.assertTrue(outcome.transient and outcome.deferred)
        self.assertEqual(
            outcome.as_dict(),
            {"status": "in_background", "done": 0, "todo": None, "wait": 12.0, "message": "later"},
        )
        failed = SyncOutcome.failed("no", ErrorKind.REFUSED, wait=3.0)
        self.assertFalse(failed.transient or failed.deferred)
        self.assertEqual(failed.as_dict(), {"status": "error", "message": "no", "errors": 1})
        self.assertEqual(SyncOutcome.already_running().as_dict(), {"status": "already_running"})


@tagged("post_install", "-at_install")
class TestSyncOutcome(SyncCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.emulator.set_quota, "jean@example.com", None)
        self.addCleanup(self.emulator.set_faults, rate=0)

    def test_revoked_access_is_told_in_the_users_language(self):
        """A technician revoked the access in his Google account: the planning
        tells him so in French, in words, and how to connect again."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.jean.lang = "fr_FR"
        self.make_rdv()
        self.sync()
        self.emulator.revoke("jean@example.com")
        self.emulator.expire_access_tokens("jean@example.com")
        self.env.flush_all()  # the request reads the user's language
        self.authenticate("jean_sync", "jean_sync")
        with mute_logger("odoo.addons.openfire_google_calendar.models.of_google_account"):
            answer = self.make_jsonrpc_request(
                "/google_calendar/sync_data",
                {"model": "of.planning.intervention", "fromurl": "/web"},
            )
        self.assertEqual(answer["status"], "need_auth", answer)
        self.assertTrue(answer["url"], "the planning offers to connect again")
        message = answer["message"]
        self.assertEqual(
            message,
            "Google a refusé la connexion : l'accès a été révoqué ou a expiré. "
            "Cliquez sur « Sync. avec Google » pour vous reconnecter.",
        )
        for repr_mark in ("(", "{", "'error'", "invalid_grant"):
            self.assertNotIn(repr_mark, message)
        self.assertEqual(self.jean_account.state, "revoked")
        self.assertEqual(self.jean_account.last_error, message)

    def test_an_expired_token_refused_at_its_refresh_is_told_in_words(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.jean.lang = "fr_FR"
        self.emulator.revoke("jean@example.com")
        self.jean_account.token_expiry = datetime(2020, 1, 1)
        with mute_logger("odoo.addons.openfire_google_calendar.models.of_google_account"):
            outcome = run_sync(self.env, self.jean.id)
        self.assertIs(outcome.status, SyncStatus.NEED_AUTH)
        self.assertIs(outcome.error_kind, ErrorKind.ACCESS)
        self.assertFalse(outcome.transient, "a person reconnects: no retry")
        self.assertEqual(
            outcome.message,
            "Google a refusé la connexion de %s : l'accès a été révoqué ou a expiré. "
            "Cliquez sur « Sync. avec Google » pour vous reconnecter." % self.jean.name,
        )
        self.assertNotIn("{", outcome.message)

    def test_googles_daily_quota_is_transient_and_counted_as_quota(self):
        self.make_rdv()
        self.emulator.set_quota("jean@example.com", 0)
        outcome = run_sync(self.env, self.jean.id)
        self.assertIs(outcome.status, SyncStatus.ERROR)
        self.assertIs(outcome.error_kind, ErrorKind.QUOTA)
        self.assertTrue(outcome.transient)
        self.assertEqual(outcome.as_dict()["errors"], 1)
        self.assertEqual(self.jean_account.last_error_kind, "quota")
        self.assertEqual(self.jean.of_google_quota_count, 1)
        # the next sync that Google lets through clears the error and its kind
        self.emulator.set_quota("jean@example.com", None)
        self.sync()
        self.assertFalse(self.jean_account.last_error)
        self.assertFalse(self.jean_account.last_error_kind)
        self.assertEqual(self.jean.of_google_quota_count, 0)

    def test_google_unavailable_is_transient_an_error_in_words_is_not(self):
        self.make_rdv()
        self.emulator.set_faults(rate=1.0, kinds=("503",), targets=("request",))
        outcome = run_sync(self.env, self.jean.id, interactive=True)  # short retries
        self.emulator.set_faults(rate=0)
        self.assertEqual((outcome.status, outcome.error_kind), (SyncStatus.ERROR, "unavailable"))
        self.assertTrue(outcome.transient)
        self.assertEqual(self.jean.of_google_quota_count, 0, "not a quota error")
        # An error text that reads like Google's (a person's words) decides nothing.
        self.jean_account.last_error = "Google Calendar answered: 429 rateLimitExceeded quota"
        self.assertFalse(self.jean_account.last_error_kind)
        self.assertEqual(self.jean.of_google_quota_count, 0)
