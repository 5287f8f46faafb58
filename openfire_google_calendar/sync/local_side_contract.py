# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The LocalSide contract as tests, run against every implementation.

The core's tests run it against their in-memory Odoo (tests/sync), the Odoo
tier against the ORM side (openfire_google_calendar/tests): the two cannot
drift apart, and what :mod:`.local_side` promises is checked where it is kept.

A runner subclasses :class:`LocalSideContract` together with a
``unittest.TestCase`` (Odoo's test cases are ones) and provides:

- ``new_side()``: a LocalSide for an empty calendar of one user; calling it
  again gives a new instance over the same stored data (a new sync);
- ``plan_rdv(**fields)``: create an RDV as a planner would (not through the
  sync) and return its key; fields are those of :class:`.rdv.Rdv`;
- ``replan_rdv(key, **fields)`` and ``drop_rdv(key)``: a planner's edit and
  deletion;
- ``plan_series(summary, start, end, rule)``: a series a planner made, its
  first RDV at ``start``, repeating by the RRULE line ``rule``; returns the
  series' key.
"""

from datetime import datetime, timedelta, timezone

from .actions import Action, Conflict, Kind, Policy
from .content_hash import content_hash
from .rdv import Rdv
from .state import PairState

START = datetime(2031, 3, 4, 8, 0, tzinfo=timezone.utc)


def pulled(summary="Posé sur le téléphone", start=START, hours=1.5, **fields):
    """An RDV as the sync maps it from a Google event."""
    return Rdv(
        key=None,
        summary=summary,
        start=start,
        end=start + timedelta(hours=hours),
        tz="Europe/Paris",
        **fields,
    )


def pull_action(kind, rdv, key=None, event_id="ev0contract", etag='"1"', conflict=None):
    """The action the plan makes for a change pulled from Google."""
    return Action(
        kind=kind,
        key=key,
        event_id=event_id,
        rdv=rdv,
        etag=etag,
        content_hash=content_hash(rdv) if rdv is not None else None,
        conflict=conflict,
    )


# The assertions are those of the TestCase each runner mixes this with.
class LocalSideContract:  # pylint: disable=no-member
    """The promises of sync/local_side.py, one test each; a mixin, so that no
    test loader runs it without a side."""

    def new_side(self):
        raise NotImplementedError

    def plan_rdv(self, **fields):
        raise NotImplementedError

    def replan_rdv(self, key, **fields):
        raise NotImplementedError

    def drop_rdv(self, key):
        raise NotImplementedError

    def plan_series(self, summary, start, end, rule):
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------
    def create_from_google(self, side, **fields):
        rdv = pulled(**fields)
        key = side.write_rdv(pull_action(Kind.CREATE_LOCAL, rdv))
        return key, rdv

    def only(self, side, key):
        found = side.get_rdvs([key])
        self.assertIn(key, found)
        return found[key]

    # -- the contract ----------------------------------------------------------------
    def test_sync_token_survives_the_sync(self):
        side = self.new_side()
        self.assertIsNone(side.load_sync_token())
        side.save_sync_token("token-1")
        self.assertEqual(self.new_side().load_sync_token(), "token-1")

    def test_a_pulled_creation_is_stored_with_its_state(self):
        side = self.new_side()
        key, rdv = self.create_from_google(side)
        self.assertTrue(key)
        later = self.new_side()
        state = later.load_states()[key]
        stored = self.only(later, key)
        # the synced version is the RDV as this side made it
        self.assertEqual(
            (state.event_id, state.etag, state.content_hash),
            ("ev0contract", '"1"', content_hash(stored)),
        )
        self.assertEqual(
            (stored.summary, stored.start, stored.end), (rdv.summary, rdv.start, rdv.end)
        )
        self.assertIn(key, later.all_rdvs())

    def test_a_pulled_update_keeps_a_state_google_cannot_tell(self):
        side = self.new_side()
        key = self.plan_rdv(
            summary="Ramonage", start=START, end=START + timedelta(hours=1), state="done"
        )
        moved = pulled(summary="Ramonage", start=START + timedelta(days=1), hours=1)
        side.write_rdv(pull_action(Kind.UPDATE_LOCAL, moved, key=key))
        stored = self.only(self.new_side(), key)
        self.assertEqual(stored.start, START + timedelta(days=1))
        self.assertEqual(stored.state, "done", "confirmed in Google is still done here")

    def test_a_pulled_cancellation_cancels_and_never_deletes(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Visite", start=START, end=START + timedelta(hours=1))
        side.write_rdv(pull_action(Kind.CANCEL_LOCAL, None, key=key))
        stored = self.only(self.new_side(), key)
        self.assertEqual(stored.state, "cancel")

    def test_a_version_odoo_cannot_take_raises_value_error_and_changes_nothing(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Intact", start=START, end=START + timedelta(hours=1))
        with self.assertRaises(ValueError):
            side.write_rdv(pull_action(Kind.UPDATE_LOCAL, pulled("Fantôme"), key="999999999"))
        self.assertEqual(self.only(self.new_side(), key).summary, "Intact")
        self.assertNotIn("999999999", self.new_side().load_states())

    def test_regular_occurrences_are_found_at_their_original_start(self):
        """Asked for a series' RDVs at some starts, the side gives the regular
        ones there; such an RDV syncs as its own pair once it has a state."""
        series = self.plan_series(
            "Contrat", START, START + timedelta(hours=1), "RRULE:FREQ=DAILY;COUNT=3"
        )
        second = START + timedelta(days=1)
        side = self.new_side()
        found = side.regular_occurrences({series: [second, START + timedelta(hours=5)]})
        self.assertEqual(len(found), 1)
        ((key, rdv),) = found.items()
        self.assertEqual(rdv.key, key)
        self.assertEqual((rdv.series_key, rdv.original_start), (series, second))
        self.assertEqual((rdv.start, rdv.end), (second, second + timedelta(hours=1)))
        self.assertNotIn(key, side.all_rdvs())
        side.save_state(key, PairState(key, "ev2contract", '"3"', content_hash(rdv)))
        later = self.new_side()
        self.assertEqual(later.all_rdvs()[key].original_start, second)
        self.assertIn(key, later.get_rdvs([key]))

    def test_a_key_never_given_is_told_from_a_deleted_rdv(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Supprimé", start=START, end=START + timedelta(hours=1))
        self.assertTrue(self.only(side, key).stamp)
        stamp = self.only(side, key).stamp
        other = self.plan_rdv(summary="Gardé", start=START, end=START + timedelta(hours=1))
        self.drop_rdv(key)
        beyond = str(int(other) + 1000)
        side = self.new_side()
        stamps = {key: stamp, other: "1999-01-01T00:00:00", beyond: stamp}
        self.assertEqual(set(side.never_had([key, other, beyond], stamps)), {other, beyond})
        self.assertEqual(set(side.never_had([other], {})), set())

    def test_states_are_saved_and_dropped(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Contrôle", start=START, end=START + timedelta(hours=1))
        state = PairState(key=key, event_id="ev1contract", etag='"7"', content_hash="h")
        side.save_state(key, state)
        self.assertEqual(self.new_side().load_states()[key], state)
        self.new_side().save_state(key, None)
        self.assertNotIn(key, self.new_side().load_states())

    def test_a_batch_of_pulled_changes_is_stored_with_their_states(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Déplacé", start=START, end=START + timedelta(hours=1))
        rdvs = [pulled("Lot %d" % n, start=START + timedelta(days=n)) for n in range(3)]
        moved = pulled("Déplacé", start=START + timedelta(days=9), hours=1)
        actions = [
            pull_action(Kind.CREATE_LOCAL, rdv, event_id="ev%dbatch" % n)
            for n, rdv in enumerate(rdvs)
        ]
        actions.append(pull_action(Kind.UPDATE_LOCAL, moved, key=key, event_id="ev9batch"))
        answers = side.write_rdvs(actions)
        self.assertEqual(len(answers), 4)
        self.assertEqual(answers[3], key)
        later = self.new_side()
        states = later.load_states()
        for n, (answer, rdv) in enumerate(zip(answers, rdvs, strict=False)):
            self.assertIsInstance(answer, str)
            self.assertEqual(states[answer].event_id, "ev%dbatch" % n)
            self.assertEqual(self.only(later, answer).summary, rdv.summary)
        self.assertEqual(self.only(later, key).start, START + timedelta(days=9))
        # a version without the generated block: synced as the RDV it made
        self.assertEqual(self.only(later, key).end, START + timedelta(days=9, hours=1))
        self.assertEqual(states[key].content_hash, content_hash(self.only(later, key)))

    def test_one_change_odoo_cannot_take_fails_alone_in_its_batch(self):
        side = self.new_side()
        answers = side.write_rdvs(
            [
                pull_action(Kind.CREATE_LOCAL, pulled("Avant"), event_id="ev0alone"),
                pull_action(
                    Kind.UPDATE_LOCAL, pulled("Fantôme"), key="999999999", event_id="ev1alone"
                ),
                pull_action(Kind.CREATE_LOCAL, pulled("Après"), event_id="ev2alone"),
            ]
        )
        self.assertIsInstance(answers[1], ValueError)
        later = self.new_side()
        self.assertEqual([self.only(later, answers[i]).summary for i in (0, 2)], ["Avant", "Après"])
        self.assertNotIn("999999999", later.load_states())

    def test_states_are_saved_and_dropped_in_a_batch(self):
        side = self.new_side()
        keys = [
            self.plan_rdv(summary="Lot %d" % n, start=START, end=START + timedelta(hours=1))
            for n in range(3)
        ]
        states = [
            PairState(key=key, event_id="ev%dstates" % n, etag='"2"', content_hash="h")
            for n, key in enumerate(keys)
        ]
        self.assertEqual(side.save_states(list(zip(keys, states, strict=False))), [None] * 3)
        self.assertEqual([self.new_side().load_states()[key] for key in keys], states)
        self.assertEqual(self.new_side().save_states([(keys[0], None)]), [None])
        stored = self.new_side().load_states()
        self.assertNotIn(keys[0], stored)
        self.assertEqual(stored[keys[1]], states[1])

    def test_a_planner_edit_after_a_complete_sync_is_reported(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Avant", start=START, end=START + timedelta(hours=1))
        rdv = self.only(side, key)
        side.save_state(
            key,
            PairState(key=key, event_id="ev2contract", etag='"1"', content_hash=content_hash(rdv)),
        )
        side.save_sync_token("token-2")
        self.replan_rdv(key, summary="Après")
        changed = self.new_side().changed_rdvs()
        self.assertIn(key, changed)
        self.assertEqual(changed[key].summary, "Après")

    def test_a_synced_rdv_deleted_by_a_planner_is_reported_as_none(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Supprimé", start=START, end=START + timedelta(hours=1))
        rdv = self.only(side, key)
        side.save_state(
            key,
            PairState(key=key, event_id="ev3contract", etag='"1"', content_hash=content_hash(rdv)),
        )
        side.save_sync_token("token-3")
        self.drop_rdv(key)
        later = self.new_side()
        self.assertIsNone(later.changed_rdvs().get(key, "missing"))
        self.assertNotIn(key, later.all_rdvs())
        self.assertIn(key, later.load_states(), "its state waits for the deletion's sync")

    def test_the_losing_version_of_a_conflict_is_kept(self):
        side = self.new_side()
        key = self.plan_rdv(summary="Gagnant", start=START, end=START + timedelta(hours=1))
        conflict = Conflict(
            winner="odoo", loser="google", loser_rdv=pulled("Perdant"), policy=Policy.ODOO
        )
        side.post_conflict(key, conflict)
        self.assertIn("Perdant", self.conflict_notes(key))

    def conflict_notes(self, key):
        """Everything the side keeps of the conflicts posted for ``key``, as text."""
        raise NotImplementedError
