# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each RDV shows exactly once on each of its technicians' phones, and never
on another's, on Google as it behaves: Google copies an event to the own
calendar of every attendee it knows, so an RDV whose event invited its
technicians would show once more per invitation. Counted on every calendar
of every technician's list (his own, his primary, those shared with him),
after planners and phones worked: one, two and three technicians, a series,
an all-day RDV, technicians with a login, by delegation and by shared
calendars."""

from datetime import datetime

from odoo.tests import tagged

from .technician_common import TechnicianCase


@tagged("post_install", "-at_install")
class TestOneItemPerPhone(TechnicianCase):
    def items_of(self, email):
        """(calendar id, event id) of every live item on ``email``'s phone:
        every calendar of his list; a series and each of its exceptions are
        items of their own."""
        calendars = self.emulator.service.list_calendars(email)["items"]
        phone = self.emulator.phone(email)
        return [
            (calendar["id"], event["id"])
            for calendar in calendars
            for event in phone.list_events(calendar["id"])
            if event.get("status") != "cancelled"
        ]

    def event_ids(self, rdvs):
        """The event id of each RDV (Odoo chooses it per RDV and database: the
        same in each technician's calendar, and on Google's copies)."""
        links = (
            self.env["of.google.event.link"].sudo().search([("intervention_id", "in", rdvs.ids)])
        )
        found = {}
        for link in links:
            found.setdefault(link.intervention_id, set()).add(link.google_event_id)
        for rdv in rdvs:
            self.assertEqual(len(found.get(rdv, ())), 1, "%s: %s" % (rdv.name, found.get(rdv)))
        return {rdv: next(iter(found[rdv])) for rdv in rdvs}

    def assert_once_per_technician(self, rdvs, technicians):
        """``technicians``: {e-mail: employee}. Each RDV is one item on the
        phone of each of its technicians, and on no other phone."""
        ids = self.event_ids(rdvs)
        for email, employee in technicians.items():
            items = self.items_of(email)
            for rdv, event_id in ids.items():
                shown = [item for item in items if item[1] == event_id]
                wanted = 1 if employee in rdv.employee_ids else 0
                self.assertEqual(
                    len(shown), wanted, "%s on %s's phone: %s" % (rdv.name, email, shown)
                )

    def planning(self, one, two, three):
        """What planners and phones did: RDVs with one, two and three
        technicians, a weekly series with a moved occurrence, an all-day RDV."""
        rdvs = self.make_rdv(name="Seul", employees=one)
        rdvs |= self.make_rdv(name="À deux", employees=one | two, date=datetime(2026, 3, 3, 9, 0))
        rdvs |= self.make_rdv(
            name="À trois", employees=one | two | three, date=datetime(2026, 3, 4, 9, 0)
        )
        rdvs |= self.make_rdv(
            name="Journée", employees=two, all_day=True, duree=10, date=datetime(2026, 3, 5, 7, 0)
        )
        first = self.make_rdv(
            name="Contrat",
            employees=one | three,
            date=datetime(2026, 3, 9, 8, 0),
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            mo=True,
            end_type="count",
            count=3,
        )
        occurrences = first.recurrence_id.intervention_ids.sorted("date")
        occurrences[1].write(
            {"date": datetime(2026, 3, 17, 14, 0), "recurrence_update": "self_only"}
        )
        return rdvs, first.recurrence_id

    def series_items(self, recurrence, email):
        """The items of ``recurrence`` on ``email``'s phone: its master, once,
        and its moved occurrence, once."""
        links = (
            self.env["of.google.event.link"]
            .sudo()
            .search([("intervention_id", "in", recurrence.intervention_ids.ids)])
        )
        master = {link.google_event_id.split("_")[0] for link in links}
        self.assertEqual(len(master), 1, master)
        master = master.pop()
        return sorted(
            event_id for _cal, event_id in self.items_of(email) if event_id.split("_")[0] == master
        )

    def test_users_and_delegated_technicians(self):
        """Jean and Sophie connected themselves; Marc is synced by delegation."""
        rdvs, series = self.planning(self.jean_emp, self.sophie_emp, self.marc)
        for _round in range(2):
            self.sync()
            self.sync(self.sophie_account)
            self.cron()
        # the phones work: Sophie moves an RDV, Marc renames one
        self.phone(self.sophie_account).patch_event(
            self.calendar(self.sophie_account),
            self.event_of(rdvs[1], self.sophie_account)["id"],
            {
                "start": {"dateTime": "2026-03-03T15:00:00+01:00"},
                "end": {"dateTime": "2026-03-03T16:30:00+01:00"},
            },
        )
        self.phone_of(self.marc).patch_event(
            self.account_of(self.marc).calendar_id,
            self.event_of_employee(rdvs[2], self.marc),
            {"summary": "À trois (renommé)"},
        )
        self.phone(self.sophie_account).insert_event(
            self.calendar(self.sophie_account),
            {
                "summary": "Dépannage pris sur le téléphone",
                "start": {"dateTime": "2026-03-06T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-06T11:00:00+01:00"},
            },
        )
        for _round in range(2):
            self.sync()
            self.sync(self.sophie_account)
            self.cron()
        made = self.Rdv.search([("name", "=", "Dépannage pris sur le téléphone")])
        self.assertEqual(made.employee_ids, self.sophie_emp)
        rdvs |= made
        self.assertEqual(rdvs[1].date, datetime(2026, 3, 3, 14, 0))
        self.assertEqual(rdvs[2].name, "À trois (renommé)")
        technicians = {
            "jean@example.com": self.jean_emp,
            "sophie@example.com": self.sophie_emp,
            "marc@acme.fr": self.marc,
        }
        self.assert_once_per_technician(rdvs, technicians)
        for email in ("jean@example.com", "marc@acme.fr"):
            self.assertEqual(len(self.series_items(series, email)), 2, email)  # master + moved
        self.assertEqual(self.series_items(series, "sophie@example.com"), [])

    def test_shared_calendars(self):
        """Nina and Théo have no Workspace: Jean's account shares a calendar
        with each of them."""
        self.calendars_shared_by_jean()
        nina = self.field_employee("Nina Roux", "nina.roux@gmail.test")
        theo = self.field_employee("Théo Blanc", "theo.blanc@gmail.test")
        lea = self.field_employee("Léa Fabre", "lea.fabre@gmail.test")
        rdvs, series = self.planning(nina, theo, lea)
        for _round in range(2):
            self.cron()
        # Jean, the planner, holds their calendars: the technicians' phones are counted
        technicians = {
            "nina.roux@gmail.test": nina,
            "theo.blanc@gmail.test": theo,
            "lea.fabre@gmail.test": lea,
        }
        self.assert_once_per_technician(rdvs, technicians)
        self.assertEqual(len(self.series_items(series, "nina.roux@gmail.test")), 2)
        self.assertEqual(self.series_items(series, "theo.blanc@gmail.test"), [])
