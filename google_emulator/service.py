"""The Calendar operations themselves, independent of HTTP.

Both the REST layer (:mod:`calendar_api`) and the emulated phone
(:class:`Phone`) call these methods, so a change "made on the phone" goes
through the same validation and the same change tracking (etag, ``updated``,
``sequence``, sync tokens, push notifications) as one made by the client.

Every public method takes the acting user's email and checks the user's role
on the calendar: the owner's, or the one the calendar's ACL (sharing) gives.
A calendar the user has no role on is simply "Not Found", as Google answers
for calendars you cannot see; a role too low for the method is 403
``requiredAccessLevel`` (a reader cannot write).
"""

import copy
import re
from datetime import timedelta

from . import errors
from .copies import AttendeeCopies, email_key, flag_attendees, own_entry
from .events import (
    WRITABLE,
    check_event_id,
    event_bounds_utc,
    html_link,
    matches_properties,
    matches_text,
    merge_patch,
    public,
    sequence_bump,
    tombstone,
    validate,
    writable_fields,
)
from .eventtypes import DEFAULT as DEFAULT_TYPE
from .eventtypes import check_event_type
from .freebusy import FreeBusy
from .recurrence import DEFAULT_LIMIT, Series, split_instance_id
from .store import Calendar
from .timeutil import UTC, format_timestamp_ms, get_zone, parse_date, parse_datetime

MAX_PAGE = 2500
DEFAULT_PAGE = 250

# Checked in this order, so the error names the first offending parameter.
SYNC_FORBIDDEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)

# Calendar access roles, weakest first (ACL rules and calendarList ``accessRole``).
ROLES = ("none", "freeBusyReader", "reader", "writer", "owner")
SCOPE_TYPES = ("default", "user", "group", "domain")

EVENT_COLORS = {
    "1": "#a4bdfc",
    "2": "#7ae7bf",
    "3": "#dbadff",
    "4": "#ff887c",
    "5": "#fbd75b",
    "6": "#ffb878",
    "7": "#46d6db",
    "8": "#e1e1e1",
    "9": "#5484ed",
    "10": "#51b749",
    "11": "#dc2127",
}


# Google's calendar colour palette (the ``calendar`` section of colors.get).
CALENDAR_COLORS = {
    "1": "#ac725e",
    "2": "#d06b64",
    "3": "#f83a22",
    "4": "#fa573c",
    "5": "#ff7537",
    "6": "#ffad46",
    "7": "#42d692",
    "8": "#16a765",
    "9": "#7bd148",
    "10": "#b3dc6c",
    "11": "#fbe983",
    "12": "#fad165",
    "13": "#92e1c0",
    "14": "#9fe1e7",
    "15": "#9fc6e7",
    "16": "#4986e7",
    "17": "#9a9cff",
    "18": "#b99aff",
    "19": "#c2c2c2",
    "20": "#cabdbf",
    "21": "#cca6ac",
    "22": "#f691b2",
    "23": "#cd74e6",
    "24": "#a47ae2",
}
_RGB = re.compile(r"^#[0-9a-fA-F]{6}$")


def _closest_color(rgb):
    """The palette entry nearest to ``#rrggbb`` (what Google sets ``colorId`` to)."""

    def parts(value):
        return [int(value[i : i + 2], 16) for i in (1, 3, 5)]

    want = parts(rgb)
    return min(
        CALENDAR_COLORS,
        key=lambda key: sum(
            (a - b) ** 2 for a, b in zip(parts(CALENDAR_COLORS[key]), want, strict=True)
        ),
    )


def _etag(millis):
    return '"%d"' % (millis * 1000)


class CalendarService(AttendeeCopies, FreeBusy):
    """Calendars and events of every account, with Google's semantics."""

    def __init__(self, store, notify=None, max_instances=DEFAULT_LIMIT):
        self.store = store
        self.notify = notify or (lambda calendar_id, event_type=None: None)
        self.max_instances = max_instances

    @property
    def lock(self):
        """The store's lock: one lock for all state."""
        return self.store.lock

    # -- accounts and calendars -----------------------------------------
    def add_account(self, email, time_zone="UTC"):
        """Create an account and its primary calendar (id == email); idempotent."""
        if not isinstance(email, str) or "@" not in email:
            raise ValueError("an account needs an email address, got %r" % (email,))
        if get_zone(time_zone, offsets=False) is None:
            raise ValueError("unknown time zone %r" % (time_zone,))
        with self.lock:
            if email not in self.store.accounts:
                cal = Calendar(email, email, email, time_zone, primary=True)
                self._stamp_calendar(cal)
                self.store.calendars[email] = cal
                self.store.accounts[email] = [email]
                self.store.account_index.setdefault(email.lower(), email)
            return email

    def add_calendar(self, email, summary, time_zone=None, description=None):
        """Create a secondary calendar owned by ``email`` and return its id."""
        with self.lock:
            primary = self.calendar(email, "primary")
            zone = time_zone or primary.time_zone
            if get_zone(zone, offsets=False) is None:
                raise errors.bad_request("Invalid time zone definition.")
            cal_id = "%s@group.calendar.google.com" % self.store.new_id(26)
            cal = Calendar(cal_id, email, summary, zone, description=description)
            self._stamp_calendar(cal)
            self.store.calendars[cal_id] = cal
            self.store.accounts[email].append(cal_id)
            return cal_id

    def _stamp_calendar(self, cal):
        millis = self.store.clock.unique_ms()
        cal.etag = _etag(millis)
        cal.updated_ms = millis

    def calendar(self, email, calendar_id, role="owner"):
        """The Calendar ``calendar_id`` ("primary" allowed) if ``email`` has at
        least ``role`` on it; no role at all is 404, too low a role 403."""
        if email not in self.store.accounts:
            raise errors.not_found()
        if calendar_id == "primary":
            calendar_id = email
        cal = self.store.calendars.get(calendar_id)
        if cal is None:
            raise errors.not_found()
        have = self.access_role(email, cal)
        if have == "none":
            raise errors.not_found()
        if ROLES.index(have) < ROLES.index(role):
            raise errors.required_access_level(role)
        return cal

    @staticmethod
    def access_role(email, cal):
        """The strongest role ``email`` has on ``cal``: owner, or from its ACL."""
        if cal.owner == email:
            return "owner"
        domain = email.rpartition("@")[2].lower()
        best = 0
        for rule in cal.acl.values():
            kind, value = rule["scope"]["type"], rule["scope"].get("value")
            if (
                kind == "default"
                or (kind == "user" and email_key(value) == email_key(email))
                or (kind == "domain" and (value or "").lower() == domain)
            ):
                best = max(best, ROLES.index(rule["role"]))
        return ROLES[best]

    def shared_with(self, email):
        """Calendars of others that ``email`` was given a role on by name (these
        appear in his calendarList), in creation order."""
        return [
            cal
            for cal in self.store.calendars.values()
            if cal.owner != email
            and any(
                rule["scope"]["type"] == "user"
                and email_key(rule["scope"].get("value")) == email_key(email)
                and rule["role"] != "none"
                for rule in cal.acl.values()
            )
        ]

    def calendars_of(self, email):
        """The user's calendars, primary first."""
        with self.lock:
            return [self.store.calendars[c] for c in self.store.accounts.get(email, [])]

    @staticmethod
    def calendar_resource(cal):
        """The ``calendars`` resource."""
        out = {
            "kind": "calendar#calendar",
            "etag": cal.etag,
            "id": cal.id,
            "summary": cal.summary,
            "timeZone": cal.time_zone,
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
        if cal.description:
            out["description"] = cal.description
        if cal.location:
            out["location"] = cal.location
        if not cal.primary:
            out["dataOwner"] = cal.owner
        return out

    @staticmethod
    def calendar_list_entry(cal, role="owner", settings=None):
        """The ``calendarList`` entry of a calendar, with the user's ``accessRole``
        and his own settings (colour, ``hidden``, ``selected``, ``summaryOverride``...)."""
        settings = settings or {}
        color = settings.get("colorId", "14")
        out = {
            "kind": "calendar#calendarListEntry",
            "etag": settings.get("etag", cal.etag),
            "id": cal.id,
            "summary": cal.summary,
            "timeZone": cal.time_zone,
            "colorId": color,
            "backgroundColor": settings.get(
                "backgroundColor", CALENDAR_COLORS.get(color, "#9fe1e7")
            ),
            "foregroundColor": settings.get("foregroundColor", "#000000"),
            "selected": settings.get("selected", True),
            "accessRole": role,
            "defaultReminders": copy.deepcopy(settings.get("defaultReminders", [])),
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
        if settings.get("hidden"):
            out["hidden"] = True
        if settings.get("summaryOverride"):
            out["summaryOverride"] = settings["summaryOverride"]
        if cal.description:
            out["description"] = cal.description
        if cal.location:
            out["location"] = cal.location
        if not cal.primary:
            out["dataOwner"] = cal.owner
        if cal.primary and role == "owner":
            out["primary"] = True
            out["notificationSettings"] = copy.deepcopy(
                settings.get("notificationSettings", {"notifications": []})
            )
        return out

    def listed_calendars(self, email):
        """[(Calendar, role)] of the user's calendar list: his own calendars, primary
        first, then those shared with him by name and those he added himself, less
        those he removed (calendarList.delete)."""
        removed = self.store.unlisted.get(email, ())
        entries = [(cal, "owner") for cal in self.calendars_of(email)]
        seen = {cal.id for cal, _ in entries}
        others = self.shared_with(email) + [
            self.store.calendars[cal_id]
            for cal_id in self.store.listed.get(email, ())
            if cal_id in self.store.calendars
        ]
        for cal in others:
            role = self.access_role(email, cal)
            if cal.id in seen or cal.id in removed or role == "none":
                continue
            seen.add(cal.id)
            entries.append((cal, role))
        return entries

    def _list_entry_of(self, email, calendar_id):
        """(Calendar, role) of a calendar in the user's list, else 404."""
        if email not in self.store.accounts:
            raise errors.not_found()
        if calendar_id == "primary":
            calendar_id = email
        for cal, role in self.listed_calendars(email):
            if cal.id == calendar_id:
                return cal, role
        raise errors.not_found()

    def _settings_of(self, email, cal_id):
        return self.store.list_settings.get(email, {}).get(cal_id)

    def list_calendars(self, email, show_hidden=False, min_access_role=None):
        """calendarList.list (no paging: accounts have a handful of calendars): the
        user's own calendars, then those shared with him, with his role. As the
        reference documents, hidden entries only with ``showHidden``; with
        ``minAccessRole`` only entries where his role is at least that."""
        if min_access_role is not None and min_access_role not in ROLES[1:]:
            raise errors.bad_request("Invalid value for: minAccessRole")
        with self.lock:
            items = []
            for cal, role in self.listed_calendars(email):
                settings = self._settings_of(email, cal.id)
                if (settings or {}).get("hidden") and not show_hidden:
                    continue
                if min_access_role and ROLES.index(role) < ROLES.index(min_access_role):
                    continue
                items.append(self.calendar_list_entry(cal, role, settings))
            return {
                "kind": "calendar#calendarList",
                "etag": _etag(max([c.updated_ms for c in self.calendars_of(email)] or [0])),
                "nextSyncToken": self.store.encode_token("callist", email),
                "items": items,
            }

    def get_calendar_list_entry(self, email, calendar_id):
        """calendarList.get: a calendar of the user's list (another calendar he
        can read, but that is not in his list, is 404)."""
        with self.lock:
            cal, role = self._list_entry_of(email, calendar_id)
            return self.calendar_list_entry(cal, role, self._settings_of(email, cal.id))

    def _check_list_settings(self, body, color_rgb=False):
        """The writable calendarList fields of ``body``, validated."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        out = self._check_list_colors(body, color_rgb)
        for key in ("hidden", "selected"):
            if body.get(key) is not None:
                if not isinstance(body[key], bool):
                    raise errors.bad_request("Invalid value for: %s" % key)
                out[key] = body[key]
        override = body.get("summaryOverride")
        if override is not None:
            if not isinstance(override, str):
                raise errors.bad_request("Invalid value for: summaryOverride")
            out["summaryOverride"] = override
        reminders = body.get("defaultReminders")
        if reminders is not None:
            if not isinstance(reminders, list) or not all(
                isinstance(r, dict)
                and r.get("method") in ("email", "popup")
                and isinstance(r.get("minutes"), int)
                and r["minutes"] >= 0
                for r in reminders
            ):
                raise errors.bad_request("Invalid value for: defaultReminders")
            out["defaultReminders"] = copy.deepcopy(reminders)
        notifications = body.get("notificationSettings")
        if notifications is not None:
            if not isinstance(notifications, dict):
                raise errors.bad_request("Invalid value for: notificationSettings")
            out["notificationSettings"] = copy.deepcopy(notifications)
        return out

    @staticmethod
    def _check_list_colors(body, color_rgb):
        """As the reference says, ``backgroundColor``/``foregroundColor`` are only
        written with ``colorRgbFormat=true``, and then ``colorId`` becomes the
        closest palette colour."""
        out = {}
        color = body.get("colorId")
        if color is not None:
            if color not in CALENDAR_COLORS:
                raise errors.bad_request("Invalid value for: colorId")
            out["colorId"] = color
            out["backgroundColor"] = CALENDAR_COLORS[color]
        if not color_rgb:
            return out
        for key in ("backgroundColor", "foregroundColor"):
            value = body.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not _RGB.match(value):
                raise errors.bad_request("Invalid value for: %s" % key)
            out[key] = value.lower()
        if "backgroundColor" in out and body.get("backgroundColor") is not None:
            out["colorId"] = _closest_color(out["backgroundColor"])
        return out

    def _store_list_settings(self, email, cal, settings):
        millis = self.store.clock.unique_ms()
        settings["etag"] = _etag(millis)
        self.store.list_settings.setdefault(email, {})[cal.id] = settings

    def insert_calendar_list(self, email, body, color_rgb=False):
        """calendarList.insert: put a calendar the user can see (shared with him,
        or readable through a domain or public rule) back into his list."""
        with self.lock:
            if not isinstance(body, dict):
                raise errors.parse_error()
            cal_id = body.get("id")
            if not isinstance(cal_id, str) or not cal_id:
                raise errors.required("Missing calendar id.")
            cal = self.calendar(email, cal_id, "freeBusyReader")
            if any(listed.id == cal.id for listed, _ in self.listed_calendars(email)):
                raise errors.ApiError(409, "duplicate", "The requested identifier already exists.")
            settings = self._check_list_settings(body, color_rgb)
            unlisted = self.store.unlisted.get(email)
            if unlisted and cal.id in unlisted:
                unlisted.discard(cal.id)
            else:
                self.store.listed.setdefault(email, []).append(cal.id)
            self._store_list_settings(email, cal, settings)
            return self.get_calendar_list_entry(email, cal.id)

    def update_calendar_list(self, email, calendar_id, body, partial=False, color_rgb=False):
        """calendarList.patch / calendarList.update: the user's own view of a
        calendar of his list (colour, hidden, selected, summaryOverride, default
        reminders); update replaces them all, patch merges."""
        with self.lock:
            cal, _ = self._list_entry_of(email, calendar_id)
            settings = self._check_list_settings(body, color_rgb)
            if partial:
                merged = dict(self._settings_of(email, cal.id) or {})
                merged.pop("etag", None)
                merged.update(settings)
                settings = merged
            else:
                settings.setdefault("selected", False)
            self._store_list_settings(email, cal, settings)
            return self.get_calendar_list_entry(email, cal.id)

    def delete_calendar_list(self, email, calendar_id):
        """calendarList.delete: unsubscribe from a calendar shared with him. His
        own calendars cannot leave his list: 403 ``cannotUnsubscribeFromOwnedCalendar``
        ("The data owner of a calendar cannot remove such a calendar from their
        calendar list.", as Google answers, per khuisman/mcp-gee-sweet's live test
        log), and the primary one ``cannotChangeOwnPrimarySubscription`` (a reason
        GAM-team/GAM handles for calendarList calls). He keeps his access: the
        calendar's ACL is untouched."""
        with self.lock:
            cal, _ = self._list_entry_of(email, calendar_id)
            if cal.owner == email and cal.primary:
                raise errors.ApiError(
                    403,
                    "cannotChangeOwnPrimarySubscription",
                    "Cannot change your own primary calendar subscription.",
                )
            if cal.owner == email:
                raise errors.ApiError(
                    403,
                    "cannotUnsubscribeFromOwnedCalendar",
                    "The data owner of a calendar cannot remove such a calendar from their "
                    "calendar list.",
                )
            listed = self.store.listed.get(email)
            if listed and cal.id in listed:
                listed.remove(cal.id)
            else:
                self.store.unlisted.setdefault(email, set()).add(cal.id)
            self.store.list_settings.get(email, {}).pop(cal.id, None)

    def get_calendar(self, email, calendar_id):
        """calendars.get."""
        with self.lock:
            return self.calendar_resource(self.calendar(email, calendar_id, "reader"))

    def insert_calendar(self, email, body):
        """calendars.insert: ``summary`` is required, ``timeZone`` must be valid."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        summary = body.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            raise errors.required("Missing title.")
        zone = body.get("timeZone")
        if zone is not None and get_zone(zone, offsets=False) is None:
            raise errors.bad_request("Invalid time zone definition.")
        with self.lock:
            cal_id = self.add_calendar(email, summary, zone, body.get("description"))
            cal = self.store.calendars[cal_id]
            if isinstance(body.get("location"), str):
                cal.location = body["location"]
            return self.calendar_resource(cal)

    def update_calendar(self, email, calendar_id, body, partial=False):
        """calendars.patch / calendars.update: the calendar's title, description,
        location and time zone (owner only). ``summary`` stays required on update,
        as on insert; a bad ``timeZone`` is 400. Events already stored keep the
        organizer ``displayName`` they were written with."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        with self.lock:
            cal = self.calendar(email, calendar_id, "owner")
            summary = body.get("summary", cal.summary if partial else None)
            if not isinstance(summary, str) or not summary.strip():
                raise errors.required("Missing title.")
            zone = body.get("timeZone")
            if zone is not None and get_zone(zone, offsets=False) is None:
                raise errors.bad_request("Invalid time zone definition.")
            texts = {}
            for key in ("description", "location"):
                value = body.get(key, getattr(cal, key) if partial else None)
                if value is not None and not isinstance(value, str):
                    raise errors.bad_request("Invalid value for: %s" % key)
                texts[key] = value or None
            cal.summary = summary
            cal.description = texts["description"]
            cal.location = texts["location"]
            if zone is not None:
                cal.time_zone = zone
            self._stamp_calendar(cal)
            return self.calendar_resource(cal)

    def delete_calendar(self, email, calendar_id):
        """calendars.delete; the primary calendar can only be cleared. The copies
        its events had in attendees' calendars are cancelled."""
        with self.lock:
            cal = self.calendar(email, calendar_id)
            if cal.primary:
                raise errors.bad_request(
                    "Cannot delete primary calendar.", reason="cannotDeletePrimaryCalendar"
                )
            self._cancel_copies_of(cal)
            del self.store.calendars[cal.id]
            self.store.accounts[cal.owner].remove(cal.id)

    def clear_calendar(self, email, calendar_id):
        """calendars.clear: delete every event, as tombstones; for the copies of
        invitations it holds, as their attendee deleting them (he declines)."""
        with self.lock:
            cal = self.calendar(email, calendar_id)
            for event_id in list(cal.events):
                event = cal.events.get(event_id)
                if event is None or event["status"] == "cancelled":
                    continue
                if "_organizer" in event:
                    self._leave_copy(cal, event)
                else:
                    self._cancel(cal, event)

    # -- change tracking --------------------------------------------------
    def _commit(self, cal, event, touch_updated=True):
        """Stamp a change (counter, ``updated``, etag), store it and notify.

        ``touch_updated=False`` (a change of the user's own reminders only, which
        Google does not count as a change of the event) keeps ``updated``; the
        etag still changes and incremental syncs still list the event."""
        millis = self.store.clock.unique_ms()
        event["_change"] = self.store.next_change()
        if touch_updated or "updated" not in event:
            event["_ms"] = millis
            event["updated"] = format_timestamp_ms(millis)
        event["etag"] = _etag(millis)
        cal.events[event["id"]] = event
        cal.updated_ms = millis
        self.notify(cal.id, event.get("eventType", DEFAULT_TYPE))
        return event

    def _cancel(self, cal, event):
        previous = event
        event = copy.deepcopy(event)
        event["status"] = "cancelled"
        event["sequence"] = event.get("sequence", 0) + 1
        self._commit(cal, event)
        self._propagate(cal, event, previous)
        if event.get("recurrence"):
            for other in list(cal.events.values()):
                if other.get("recurringEventId") == event["id"] and other["status"] != "cancelled":
                    self._cancel(cal, other)

    # -- events: single resources ----------------------------------------
    def _lookup(self, cal, event_id):
        """A stored event, or an occurrence of a live series, else 404."""
        event = cal.events.get(event_id)
        if event is not None:
            return event
        parts = split_instance_id(event_id) if isinstance(event_id, str) else None
        if parts:
            master = cal.events.get(parts[0])
            if master and master.get("recurrence") and master["status"] != "cancelled":
                series = Series(master, cal.time_zone)
                original = series.find(parts[1])
                if original is not None:
                    return series.materialize(original)
        raise errors.not_found()

    @staticmethod
    def _check_if_match(event, if_match):
        if (
            if_match
            and if_match.strip() != "*"
            and event["etag"] not in [tag.strip() for tag in if_match.split(",")]
        ):
            raise errors.condition_not_met()

    def insert_event(self, email, calendar_id, body):
        """events.insert, with an optional client-supplied id."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "writer")
            if not isinstance(body, dict):
                raise errors.parse_error()
            event_id = body.get("id")
            if event_id is not None:
                check_event_id(event_id)
                if event_id in cal.events:
                    raise errors.ApiError(
                        409, "duplicate", "The requested identifier already exists."
                    )
            else:
                event_id = self.store.new_id(26)
                while event_id in cal.events:
                    event_id = self.store.new_id(26)
            fields = self._valid_fields(cal, writable_fields(body), event_id)
            organizer = self._organizer_of(cal)
            flag_attendees(fields.get("attendees"), cal.id, organizer["email"])
            event = {
                "kind": "calendar#event",
                "id": event_id,
                "status": "confirmed",
                "htmlLink": html_link(self.store.base_url, event_id, cal.id),
                "creator": {"email": email, "self": True},
                "organizer": organizer,
                "iCalUID": "%s@google.com" % event_id,
                "sequence": 0,
                "reminders": {"useDefault": True},
                "eventType": "default",
            }
            event.update(fields)
            event["_seq"] = self.store.next_seq()
            event["_orig"] = ""
            self._commit(cal, event)
            event["created"] = event["updated"]
            self._propagate(cal, event)
            return public(event)

    @staticmethod
    def _organizer_of(cal):
        """An event's organizer is the calendar it was created in: the owner for a
        primary calendar, else the calendar itself (its id and title)."""
        if cal.primary:
            return {"email": cal.owner, "self": True}
        return {"email": cal.id, "displayName": cal.summary, "self": True}

    def _valid_fields(self, cal, fields, event_id, instance=False, current_type=None):
        """Validate writable fields; recurring rules are checked by expanding them.
        ``current_type``: the stored event's ``eventType`` (None on insert)."""
        if "sequence" in fields and (
            not isinstance(fields["sequence"], int) or fields["sequence"] < 0
        ):
            raise errors.bad_request("Invalid value for: sequence")
        if instance:
            fields.pop("recurrence", None)
        fields = validate(fields, cal.time_zone)
        check_event_type(fields, cal, current_type=current_type, instance=instance)
        if fields.get("recurrence"):
            probe = dict(fields, id=event_id)
            Series(probe, cal.time_zone)
        return fields

    def get_event(self, email, calendar_id, event_id):
        """events.get; deleted events are returned with status "cancelled"."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "reader")
            return public(self._lookup(cal, event_id))

    def patch_event(self, email, calendar_id, event_id, body, if_match=None):
        """events.patch: merge ``body`` into the event (an instance id makes an exception)."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "writer")
            current = self._lookup(cal, event_id)
            self._check_if_match(current, if_match)
            if not isinstance(body, dict):
                raise errors.parse_error()
            merged = merge_patch(writable_fields(current), writable_fields(body))
            if "_organizer" in current:
                return self._write_copy(cal, current, merged)
            return self._replace(cal, current, merged)

    def update_event(self, email, calendar_id, event_id, body, if_match=None):
        """events.update: replace every writable field with ``body``."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "writer")
            current = self._lookup(cal, event_id)
            self._check_if_match(current, if_match)
            if not isinstance(body, dict):
                raise errors.parse_error()
            if "_organizer" in current:
                return self._write_copy(cal, current, writable_fields(body))
            return self._replace(cal, current, writable_fields(body))

    def _replace(self, cal, current, fields, own=None):
        """Write the organizer's event (or occurrence) and bring its copies in line;
        ``own``: see :meth:`_propagate`."""
        is_instance = "recurringEventId" in current
        fields = self._valid_fields(
            cal,
            fields,
            current["id"],
            instance=is_instance,
            current_type=current.get("eventType", DEFAULT_TYPE),
        )
        flag_attendees(
            fields.get("attendees"), cal.id, (current.get("organizer") or {}).get("email")
        )
        event = {key: copy.deepcopy(value) for key, value in current.items() if key not in WRITABLE}
        event.update(fields)
        event.setdefault("status", "confirmed")
        event.setdefault("reminders", {"useDefault": True})
        bump = 1 if sequence_bump(current, event) else 0
        event["sequence"] = max(current.get("sequence", 0) + bump, fields.get("sequence", 0))
        if event["status"] == "cancelled" and current["status"] != "cancelled":
            event["status"] = current["status"]
            self._commit(cal, event)
            self._propagate(cal, event, current, own)
            self._cancel(cal, event)
            return public(cal.events[event["id"]])
        self._commit(cal, event, touch_updated=not self._reminders_only(current, event))
        self._propagate(cal, event, current, own)
        return public(event)

    @staticmethod
    def _reminders_only(current, event):
        """True when the change is to ``reminders`` alone (the user's own alarms)."""
        if current.get("reminders") == event.get("reminders"):
            return False
        return all(
            current.get(key) == event.get(key)
            for key in WRITABLE
            if key not in ("reminders", "sequence")
        ) and current.get("sequence") == event.get("sequence")

    def delete_event(self, email, calendar_id, event_id, if_match=None):
        """events.delete: the event becomes a ``cancelled`` tombstone.

        Deleting an occurrence creates a cancelled exception; deleting a series
        cancels its exceptions too; deleting twice is 410 ``deleted``.
        """
        with self.lock:
            cal = self.calendar(email, calendar_id, "writer")
            current = self._lookup(cal, event_id)
            if current["status"] == "cancelled":
                raise errors.deleted()
            self._check_if_match(current, if_match)
            if "_organizer" in current:
                self._leave_copy(cal, current)
            else:
                self._cancel(cal, current)

    def move_event(self, email, calendar_id, event_id, destination):
        """events.move: "moves an event to another calendar, i.e. changes an
        event's organizer" (Events reference).

        The event keeps its id and iCalUID; a series moves with its exceptions.
        It needs write access to both calendars. The source calendar keeps a
        ``cancelled`` event under that id -- "If an event changes its organizer
        (for example via the move operation) and the original organizer is not on
        the attendee list, it will leave behind a cancelled event" (the ``status``
        field's description) -- or, when it is on the list, a copy. Attendees'
        copies follow the new organizer. Refused: an occurrence or exception (400
        ``cannotChangeOrganizerOfInstance``), an invitation's copy (400
        ``cannotChangeOrganizer``), an event that is not of type ``default``
        ("only default events can be moved"), a deleted one (410), an id the
        destination already uses for another event (409 ``duplicate``).
        """
        with self.lock:
            source = self.calendar(email, calendar_id, "writer")
            if not destination:
                raise errors.required("Required parameter: destination")
            target = self.calendar(email, destination, "writer")
            current = self._lookup(source, event_id)
            if "recurringEventId" in current:
                raise errors.bad_request(
                    "Cannot change the organizer of an instance.",
                    reason="cannotChangeOrganizerOfInstance",
                )
            if "_organizer" in current:
                raise errors.bad_request(
                    "Cannot change the organizer of an event you are not the organizer of.",
                    reason="cannotChangeOrganizer",
                )
            if current["status"] == "cancelled":
                raise errors.deleted()
            if current.get("eventType", "default") != "default":
                raise errors.bad_request(
                    "Only default events can be moved.", reason="eventTypeRestriction"
                )
            if target.id == source.id:
                return public(current)
            taken = target.events.get(event_id)
            if taken is not None and not (
                taken.get("_organizer") == source.id
                or (taken["status"] == "cancelled" and taken.get("iCalUID") == current["iCalUID"])
            ):
                raise errors.ApiError(409, "duplicate", "The requested identifier already exists.")
            moving = [current]
            if current.get("recurrence"):
                moving += [
                    e for e in source.events.values() if e.get("recurringEventId") == event_id
                ]
            for event in moving:
                self._move_one(source, target, event)
            return public(target.events[event_id])

    def _move_one(self, source, target, event):
        """Move one stored event (a series' master or exception) to ``target``."""
        previous = target.events.get(event["id"])
        moved = {k: copy.deepcopy(v) for k, v in event.items() if k not in ("_organizer", "_left")}
        moved["organizer"] = self._organizer_of(target)
        moved["htmlLink"] = html_link(self.store.base_url, event["id"], target.id)
        flag_attendees(moved.get("attendees"), target.id, moved["organizer"]["email"])
        moved["_seq"] = previous["_seq"] if previous is not None else self.store.next_seq()
        self._commit(target, moved)
        stays = own_entry(event.get("attendees"), source.id) is not None
        for cal_id in list(self._copy_targets(target, moved)):
            held = self.store.calendars[cal_id].events.get(event["id"])
            if held is not None and held.get("_organizer") == source.id:
                held["_organizer"] = target.id
        if stays:
            source.events[event["id"]]["_organizer"] = target.id
        elif event["status"] != "cancelled":
            left = copy.deepcopy(event)
            left["status"] = "cancelled"
            self._commit(source, left)
        self._propagate(target, moved)

    # -- events: lists ------------------------------------------------------
    def list_events(
        self,
        email,
        calendar_id,
        sync_token=None,
        page_token=None,
        max_results=DEFAULT_PAGE,
        show_deleted=None,
        single_events=False,
        time_min=None,
        time_max=None,
        updated_min=None,
        ical_uid=None,
        private_props=(),
        shared_props=(),
        q=None,
        order_by=None,
        event_types=None,
    ):
        """events.list, full or incremental (``sync_token``), one page at a time.

        Times are aware datetimes; ``*_props`` are lists of (key, value);
        ``event_types``: the ``eventTypes`` filter ("If unset, returns all event
        types"), which Google allows with a sync token too.
        The page token remembers the change counter of the first page so the
        final ``nextSyncToken`` covers changes made while paging.
        """
        with self.lock:
            cal = self.calendar(email, calendar_id, "reader")
            since = None
            if sync_token is not None:
                given = dict(
                    zip(
                        SYNC_FORBIDDEN,
                        (
                            ical_uid,
                            order_by,
                            private_props,
                            q,
                            shared_props,
                            time_min,
                            time_max,
                            updated_min,
                        ),
                        strict=True,
                    )
                )
                for name in SYNC_FORBIDDEN:
                    if given[name]:
                        raise errors.bad_request(
                            "The parameter %s cannot be used together with syncToken." % name
                        )
                if show_deleted is False:
                    raise errors.bad_request("showDeleted cannot be false together with syncToken.")
                payload = self.store.decode_token("sync", sync_token)
                if not payload or payload[0] != cal.id or payload[1] > self.store.counter:
                    raise errors.full_sync_required()
                since = payload[1]
            if order_by not in (None, "startTime", "updated"):
                raise errors.bad_request("Invalid value for: orderBy")
            if order_by == "startTime" and not single_events:
                raise errors.bad_request(
                    "The requested ordering is not available for the particular query."
                )
            if time_min and time_max and time_max <= time_min:
                raise errors.time_range_empty("timeMax")
            snapshot, last_key = self.store.counter, None
            if page_token is not None:
                page = self.store.decode_token("page", page_token)
                if not page or page[0] != cal.id:
                    if since is not None:
                        raise errors.full_sync_required()
                    raise errors.bad_request("Invalid pageToken value.")
                snapshot, last_key = page[1], page[2]
            filters = {
                "since": since,
                "single": single_events,
                "time_min": time_min,
                "time_max": time_max,
                "updated_min": updated_min,
                "show_deleted": bool(show_deleted),
                "ical_uid": ical_uid,
                "private": private_props,
                "shared": shared_props,
                "q": q,
                "types": frozenset(event_types or ()),
            }
            rows = [
                (self._sort_key(cal, event, order_by), item)
                for event, item in self._collect(cal, filters)
            ]
            response = self._page(cal, rows, last_key, max_results, ("page", cal.id, snapshot))
            response["accessRole"] = self.access_role(email, cal)
            if "nextPageToken" not in response:
                response["nextSyncToken"] = self.store.encode_token("sync", [cal.id, snapshot])
            return response

    def _page(self, cal, rows, last_key, max_results, token_head):
        rows.sort(key=lambda row: row[0])
        if last_key is not None:
            last = tuple(last_key)
            rows = [row for row in rows if row[0] > last]
        max_results = max(1, min(max_results or DEFAULT_PAGE, MAX_PAGE))
        page = rows[:max_results]
        response = {
            "kind": "calendar#events",
            "etag": _etag(cal.updated_ms),
            "summary": cal.summary,
            "updated": format_timestamp_ms(cal.updated_ms),
            "timeZone": cal.time_zone,
            "accessRole": "owner",
            "defaultReminders": [],
            "items": [item for _, item in page],
        }
        if cal.description:
            response["description"] = cal.description
        if len(rows) > max_results:
            kind, *rest = token_head
            response["nextPageToken"] = self.store.encode_token(kind, rest + [list(page[-1][0])])
        return response

    def _sort_key(self, cal, event, order_by):
        """Stable keys for keyset paging: (order value, creation order, occurrence)."""
        if order_by == "startTime":
            first = self._start_utc(cal, event)
        elif order_by == "updated":
            first = "%015d" % event.get("_ms", 0)
        else:
            first = ""
        return (first, event["_seq"], event["_orig"])

    @staticmethod
    def _start_utc(cal, event):
        if "start" in event:
            return event_bounds_utc(event, cal.time_zone)[0].isoformat()
        original = event.get("originalStartTime", {})
        moment = parse_datetime(original.get("dateTime", "")) if original else None
        return moment.astimezone(UTC).isoformat() if moment and moment.tzinfo else ""

    @staticmethod
    def _in_window(cal, event, time_min, time_max, min_inclusive=False):
        """Google's window: timeMin bounds the end, timeMax the start (both exclusive
        for events.list; events.instances' timeMin is inclusive: ``min_inclusive``).

        A cancelled occurrence is placed at its original start; zero-length
        events count when they start inside the window.
        """
        if time_min is None and time_max is None:
            return True
        if event["status"] == "cancelled" and "originalStartTime" in event:
            probe = {"start": event["originalStartTime"], "end": event["originalStartTime"]}
            start, end = event_bounds_utc(probe, cal.time_zone)
        else:
            start, end = event_bounds_utc(event, cal.time_zone)
        if time_min is not None:
            if end > start:
                outside = end < time_min if min_inclusive else end <= time_min
            else:
                outside = start < time_min
            if outside:
                return False
        return time_max is None or start < time_max

    def _passes_filters(self, event, filters):
        if filters["ical_uid"] and event.get("iCalUID") != filters["ical_uid"]:
            return False
        if filters["private"] and not matches_properties(event, "private", filters["private"]):
            return False
        if filters["shared"] and not matches_properties(event, "shared", filters["shared"]):
            return False
        if filters["q"] and not matches_text(event, filters["q"]):
            return False
        if filters["updated_min"] is not None:
            return event.get("_ms", 0) >= filters["updated_min"].timestamp() * 1000
        return True

    @staticmethod
    def _of_types(cal, types):
        """The calendar's stored events, of the ``eventTypes`` asked (all if none)."""
        if not types:
            return list(cal.events.values())
        return [e for e in cal.events.values() if e.get("eventType", DEFAULT_TYPE) in types]

    def _collect(self, cal, filters):
        """(stored-or-materialized event, output item) pairs matching ``filters``."""
        since, single = filters["since"], filters["single"]
        time_min, time_max = filters["time_min"], filters["time_max"]
        show_cancelled = (
            since is not None or filters["updated_min"] is not None or filters["show_deleted"]
        )
        exceptions = {}
        for event in cal.events.values():
            if "recurringEventId" in event:
                exceptions.setdefault(event["recurringEventId"], set()).add(event["id"])
        for event in self._of_types(cal, filters["types"]):
            if since is not None and event["_change"] <= since:
                continue
            if since is None and not self._passes_filters(event, filters):
                continue
            cancelled = event["status"] == "cancelled"
            is_exception = "recurringEventId" in event
            if event.get("recurrence") and (single or (time_min or time_max)) and not cancelled:
                series = Series(event, cal.time_zone)
                originals = series.occurrences(
                    time_min, time_max, limit=self.max_instances if single else 1
                )
                if not single:
                    if originals:
                        yield event, public(event)
                    continue
                taken = exceptions.get(event["id"], set())
                for original in originals:
                    if series.instance_id(original) not in taken:
                        instance = series.materialize(original)
                        yield instance, public(instance)
                continue
            if cancelled:
                if single and event.get("recurrence") and since is None:
                    continue
                if not (show_cancelled or (is_exception and not single)):
                    continue
                if since is None and not self._in_window(cal, event, time_min, time_max):
                    continue
                yield event, tombstone(event)
                continue
            if not self._in_window(cal, event, time_min, time_max):
                continue
            yield event, public(event)

    def instances(
        self,
        email,
        calendar_id,
        event_id,
        time_min=None,
        time_max=None,
        max_results=DEFAULT_PAGE,
        page_token=None,
        show_deleted=False,
        original_start=None,
    ):
        """events.instances: the occurrences of a series, exceptions applied."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "reader")
            master = cal.events.get(event_id)
            if master is None:
                raise errors.not_found()
            if time_min and time_max and time_max <= time_min:
                raise errors.time_range_empty("timeMax")
            if original_start is not None:
                original_start = self._parse_original_start(cal, original_start)
            last_key = None
            if page_token is not None:
                page = self.store.decode_token("instances", page_token)
                if not page or page[0] != cal.id or page[1] != event_id:
                    raise errors.bad_request("Invalid pageToken value.")
                last_key = page[2]
            rows = []
            for event in self._instances(cal, master, time_min, time_max, show_deleted):
                if original_start is not None and not self._starts_at(cal, event, original_start):
                    continue
                key = (self._start_utc(cal, event), event["_orig"])
                item = tombstone(event) if event["status"] == "cancelled" else public(event)
                rows.append((key, item))
            response = self._page(cal, rows, last_key, max_results, ("instances", cal.id, event_id))
            response["accessRole"] = self.access_role(email, cal)
            return response

    @staticmethod
    def _parse_original_start(cal, text):
        """``originalStart``: an RFC 3339 instant or a date, as a UTC datetime."""
        probe = {"date": text} if parse_date(text) else {"dateTime": text}
        try:
            return event_bounds_utc({"start": probe, "end": probe}, cal.time_zone)[0]
        except errors.ApiError as exc:
            raise errors.bad_request("Invalid value for: originalStart") from exc

    @staticmethod
    def _starts_at(cal, event, original_start):
        """The ``originalStart`` filter: same original start instant (or date)."""
        wanted = event.get("originalStartTime") or event["start"]
        probe = {"start": wanted, "end": wanted}
        return event_bounds_utc(probe, cal.time_zone)[0] == original_start

    def _instances(self, cal, master, time_min, time_max, show_deleted):
        if not master.get("recurrence"):
            if master["status"] != "cancelled" or show_deleted:
                yield master
            return
        if master["status"] == "cancelled":
            return
        series = Series(master, cal.time_zone)
        exceptions = {
            e["id"]: e for e in cal.events.values() if e.get("recurringEventId") == master["id"]
        }
        # events.instances: "timeMin: lower bound (inclusive) for an event's end time".
        for original in series.occurrences(
            time_min, time_max, limit=self.max_instances, min_inclusive=True, horizon=False
        ):
            if series.instance_id(original) not in exceptions:
                yield series.materialize(original)
        for exception in exceptions.values():
            if exception["status"] == "cancelled" and not show_deleted:
                continue
            if self._in_window(cal, exception, time_min, time_max, min_inclusive=True):
                yield exception

    # -- sharing: the calendar's ACL ---------------------------------------------
    @staticmethod
    def _rule_resource(cal, rule_id):
        rule = cal.acl[rule_id]
        return {
            "kind": "calendar#aclRule",
            "etag": rule["etag"],
            "id": rule_id,
            "scope": copy.deepcopy(rule["scope"]),
            "role": rule["role"],
        }

    @staticmethod
    def _owner_rule(cal):
        return {
            "kind": "calendar#aclRule",
            "etag": cal.etag,
            "id": "user:" + cal.owner,
            "scope": {"type": "user", "value": cal.owner},
            "role": "owner",
        }

    @staticmethod
    def _check_rule(body, partial=False, current=None):
        """(scope, role) of an aclRule body (``partial``: patch onto ``current``)."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        role = body.get("role", current["role"] if current else None)
        scope = body.get("scope", current["scope"] if current else None)
        if partial and current is not None and isinstance(body.get("scope"), dict):
            scope = dict(current["scope"], **body["scope"])
        if role is None:
            raise errors.required("Missing role.")
        if role not in ROLES:
            raise errors.bad_request("Invalid role: %s" % role)
        if not isinstance(scope, dict) or not scope.get("type"):
            raise errors.required("Missing scope type.")
        if scope["type"] not in SCOPE_TYPES:
            raise errors.bad_request("Invalid scope type: %s" % scope["type"])
        if scope["type"] == "default":
            scope = {"type": "default"}
        else:
            value = scope.get("value")
            if not isinstance(value, str) or not value:
                raise errors.required("Missing scope value.")
            if scope["type"] in ("user", "group") and "@" not in value:
                raise errors.bad_request("Invalid scope value: %s" % value)
            scope = {
                "type": scope["type"],
                "value": value.lower() if scope["type"] == "domain" else value,
            }
        return scope, role

    @staticmethod
    def _rule_id(scope):
        return (
            scope["type"]
            if scope["type"] == "default"
            else "%s:%s" % (scope["type"], scope["value"])
        )

    def _store_rule(self, cal, scope, role):
        rule_id = self._rule_id(scope)
        if rule_id == "user:" + cal.owner:
            raise errors.bad_request(
                "Cannot change your own access level.", reason="cannotChangeOwnAcl"
            )
        millis = self.store.clock.unique_ms()
        cal.acl[rule_id] = {"scope": scope, "role": role, "etag": _etag(millis)}
        return self._rule_resource(cal, rule_id)

    def list_acl(self, email, calendar_id):
        """acl.list: the owner's rule, then the others (no paging)."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "owner")
            items = [self._owner_rule(cal)] + [
                self._rule_resource(cal, rule_id) for rule_id in cal.acl
            ]
            return {
                "kind": "calendar#acl",
                "etag": cal.etag,
                "nextSyncToken": self.store.encode_token("acl", cal.id),
                "items": items,
            }

    def get_acl(self, email, calendar_id, rule_id):
        """acl.get."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "owner")
            if rule_id == "user:" + cal.owner:
                return self._owner_rule(cal)
            if rule_id not in cal.acl:
                raise errors.not_found()
            return self._rule_resource(cal, rule_id)

    def insert_acl(self, email, calendar_id, body):
        """acl.insert: share the calendar (a rule for the same scope is replaced).
        A user named in a rule sees the calendar in his calendarList."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "owner")
            scope, role = self._check_rule(body)
            return self._store_rule(cal, scope, role)

    def update_acl(self, email, calendar_id, rule_id, body, partial=False):
        """acl.update / acl.patch of an existing rule (its scope cannot change)."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "owner")
            if rule_id == "user:" + cal.owner:
                raise errors.bad_request(
                    "Cannot change your own access level.", reason="cannotChangeOwnAcl"
                )
            current = cal.acl.get(rule_id)
            if current is None:
                raise errors.not_found()
            scope, role = self._check_rule(body, partial=partial, current=current)
            if self._rule_id(scope) != rule_id:
                raise errors.bad_request("The scope of a rule cannot change.")
            return self._store_rule(cal, scope, role)

    def delete_acl(self, email, calendar_id, rule_id):
        """acl.delete: the grantee loses access (and the calendar leaves his list)."""
        with self.lock:
            cal = self.calendar(email, calendar_id, "owner")
            if rule_id == "user:" + cal.owner:
                raise errors.bad_request(
                    "Cannot change your own access level.", reason="cannotChangeOwnAcl"
                )
            if rule_id not in cal.acl:
                raise errors.not_found()
            del cal.acl[rule_id]

    # -- admin: what an account's calendars hold ------------------------------
    def account_items(self, email, include_cancelled=False):
        """Every item of every calendar the account owns or has in his list, for
        tests that count them from another process: one row per stored event (a
        series is one row, each changed or cancelled occurrence another), live
        ones only unless ``include_cancelled``."""
        with self.lock:
            account = email if email in self.store.accounts else None
            if account is None:
                account = self.store.account_index.get(email_key(email))
            if account is None:
                raise errors.not_found()
            calendars, items = [], []
            for cal, role in self.listed_calendars(account):
                calendars.append(
                    {
                        "id": cal.id,
                        "summary": cal.summary,
                        "primary": cal.primary and cal.owner == account,
                        "owned": cal.owner == account,
                        "accessRole": role,
                    }
                )
                for event in sorted(cal.events.values(), key=lambda e: e["_seq"]):
                    if event["status"] == "cancelled" and not include_cancelled:
                        continue
                    items.append(self._item_row(cal, event))
            return {"email": account, "calendars": calendars, "items": items}

    @staticmethod
    def _item_row(cal, event):
        row = {
            "calendar_id": cal.id,
            "id": event["id"],
            "iCalUID": event.get("iCalUID"),
            "status": event["status"],
            "summary": event.get("summary"),
            "organizer": (event.get("organizer") or {}).get("email"),
            "copy": "_organizer" in event,
            "recurring": bool(event.get("recurrence")),
            "start": copy.deepcopy(event.get("start")),
            "end": copy.deepcopy(event.get("end")),
        }
        for key in ("recurringEventId", "originalStartTime"):
            if key in event:
                row[key] = copy.deepcopy(event[key])
        mine = own_entry(event.get("attendees"), cal.id)
        if mine is not None:
            row["responseStatus"] = mine.get("responseStatus")
        return row


class Phone:
    """Acts as the Google user on their phone: no HTTP, no token, no faults,
    but the same validation and change tracking as the API.

    Methods return the event as the API would and raise
    :class:`google_emulator.errors.ApiError` for what the API would refuse.
    """

    def __init__(self, service, email):
        self.service = service
        self.email = email

    def insert_event(self, calendar_id, body):
        """Create an event (an ``id`` in ``body`` is honoured like the API does)."""
        return self.service.insert_event(self.email, calendar_id, body)

    def patch_event(self, calendar_id, event_id, body, if_match=None):
        """Change some fields; an instance id turns the occurrence into an exception.
        ``if_match`` (an etag) refuses a write on a version the phone no longer
        shows, as the API does (412)."""
        return self.service.patch_event(self.email, calendar_id, event_id, body, if_match)

    def update_event(self, calendar_id, event_id, body, if_match=None):
        """Replace the event's writable fields (``if_match`` as for patch)."""
        return self.service.update_event(self.email, calendar_id, event_id, body, if_match)

    def delete_event(self, calendar_id, event_id, if_match=None):
        """Delete an event or one occurrence of a series (``if_match`` as for patch)."""
        self.service.delete_event(self.email, calendar_id, event_id, if_match)

    def get_event(self, calendar_id, event_id):
        """Read one event or occurrence."""
        return self.service.get_event(self.email, calendar_id, event_id)

    def list_events(self, calendar_id, show_deleted=False, single_events=False):
        """Every event of the calendar (all pages), like the phone's agenda."""
        items, token = [], None
        while True:
            page = self.service.list_events(
                self.email,
                calendar_id,
                page_token=token,
                max_results=MAX_PAGE,
                show_deleted=show_deleted,
                single_events=single_events,
            )
            items.extend(page["items"])
            token = page.get("nextPageToken")
            if not token:
                return items

    def respond(self, calendar_id, event_id, response, comment=None):
        """Answer an invitation from its copy (``accepted``, ``declined``,
        ``tentative``, ``needsAction``): a patch of his own attendee entry, as
        Google Calendar's Yes / No / Maybe buttons do."""
        with self.service.lock:
            event = self.service.get_event(self.email, calendar_id, event_id)
            cal = self.service.calendar(self.email, calendar_id, "reader")
            attendees = event.get("attendees") or []
            mine = own_entry(attendees, cal.id)
            if mine is None:
                raise errors.bad_request("This calendar is not an attendee of the event.")
            mine["responseStatus"] = response
            if comment is not None:
                mine["comment"] = comment
            return self.service.patch_event(
                self.email, calendar_id, event_id, {"attendees": attendees}
            )

    # -- status events and sharing, as the phone's menus make them ----------------
    @staticmethod
    def _when(value, time_zone):
        """A ``start``/``end`` object: ``YYYY-MM-DD`` is all-day, else a dateTime."""
        if parse_date(value):
            return {"date": value}
        out = {"dateTime": value}
        if time_zone:
            out["timeZone"] = time_zone
        return out

    def set_out_of_office(
        self,
        start,
        end,
        summary="Absent",
        auto_decline="declineNone",
        decline_message=None,
        time_zone=None,
    ):
        """An out-of-office event on his primary calendar (timed, busy), as the
        status events guide has it created; returns the event."""
        props = {"autoDeclineMode": auto_decline}
        if decline_message is not None:
            props["declineMessage"] = decline_message
        return self.insert_event(
            "primary",
            {
                "eventType": "outOfOffice",
                "summary": summary,
                "start": self._when(start, time_zone),
                "end": self._when(end, time_zone),
                "transparency": "opaque",
                "outOfOfficeProperties": props,
            },
        )

    def add_focus_time(
        self,
        start,
        end,
        summary="Concentration",
        chat_status="doNotDisturb",
        auto_decline="declineNone",
        time_zone=None,
    ):
        """A focus time event on his primary calendar (timed, busy)."""
        return self.insert_event(
            "primary",
            {
                "eventType": "focusTime",
                "summary": summary,
                "start": self._when(start, time_zone),
                "end": self._when(end, time_zone),
                "transparency": "opaque",
                "focusTimeProperties": {"autoDeclineMode": auto_decline, "chatStatus": chat_status},
            },
        )

    def set_working_location(self, start, end=None, kind="homeOffice", label=None, time_zone=None):
        """A working location on his primary calendar: ``start`` a date (then the
        event is that whole day) or a dateTime with ``end``; ``kind`` homeOffice,
        officeLocation or customLocation (``label`` for the last two). Never busy."""
        if end is None:
            day = parse_date(start)
            if day is None:
                raise errors.required("Missing end time.")
            end = (day + timedelta(days=1)).isoformat()
        props = {"type": kind}
        if kind == "homeOffice":
            props["homeOffice"] = {}
        elif label is not None:
            props[kind] = {"label": label}
        return self.insert_event(
            "primary",
            {
                "eventType": "workingLocation",
                "summary": label or kind,
                "start": self._when(start, time_zone),
                "end": self._when(end, time_zone),
                "visibility": "public",
                "transparency": "transparent",
                "workingLocationProperties": props,
            },
        )

    def share_calendar(self, calendar_id, value, role="freeBusyReader", scope_type="user"):
        """Share one of his calendars (acl.insert), by default "See only free/busy
        (hide details)" with one person: role ``freeBusyReader``."""
        body = {"role": role, "scope": {"type": scope_type}}
        if scope_type != "default":
            body["scope"]["value"] = value
        return self.service.insert_acl(self.email, calendar_id, body)

    def move_event(self, calendar_id, event_id, destination):
        """Move an event to another of his calendars (events.move)."""
        return self.service.move_event(self.email, calendar_id, event_id, destination)

    def list_calendars(self, show_hidden=False):
        """His calendar list (calendarList.list)."""
        return self.service.list_calendars(self.email, show_hidden=show_hidden)["items"]

    def patch_calendar(self, calendar_id, body):
        """Rename a calendar, change its description or time zone (calendars.patch)."""
        return self.service.update_calendar(self.email, calendar_id, body, partial=True)

    def update_calendar(self, calendar_id, body):
        """calendars.update: replace the calendar's metadata."""
        return self.service.update_calendar(self.email, calendar_id, body)

    def insert_calendar_list(self, body):
        """Put a calendar shared with him (back) into his list (calendarList.insert)."""
        return self.service.insert_calendar_list(self.email, body)

    def patch_calendar_list(self, calendar_id, body):
        """Hide, unselect, recolour or rename for himself (calendarList.patch)."""
        return self.service.update_calendar_list(self.email, calendar_id, body, partial=True)

    def update_calendar_list(self, calendar_id, body):
        """calendarList.update: replace his settings for that calendar."""
        return self.service.update_calendar_list(self.email, calendar_id, body)

    def delete_calendar_list(self, calendar_id):
        """Remove a calendar shared with him from his list (calendarList.delete)."""
        self.service.delete_calendar_list(self.email, calendar_id)
