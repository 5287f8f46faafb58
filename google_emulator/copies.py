"""Events copied to their attendees' calendars, as Google keeps them.

Google's concepts overview describes an event created in a team calendar as
"copied to Susan and Wei as attendees"; the Events reference then speaks of
"the calendar on which this copy of the event appears" (``organizer.self``,
``attendees[].self``) and of properties "private to the copy of the event that
appears on this calendar" (``extendedProperties.private``). A client that syncs
a calendar must therefore expect, in an attendee's calendar, an item it did not
write: same ``id`` and ``iCalUID``, someone else as organizer, and changes that
arrive whenever the organizer (or another attendee answering) changes the event.

The emulator keeps the event in its organizer calendar and one copy in the
calendar of each attendee it knows: an account's primary calendar (e-mails
compare case-insensitively), or a calendar invited by its id. A copy is a stored
event like any other (its own etag, ``updated``, change number, push
notifications), marked with the organizer calendar's id. Work is O(attendees)
per write: nothing scans other calendars.

What belongs to a copy alone: the attendee's ``reminders`` (the reference calls
them "the event's reminders for the authenticated user"), ``colorId``,
``transparency`` and private extended properties. Everything else is the
organizer's; see :meth:`AttendeeCopies._write_copy` for what an attendee's own
change does.
"""

import copy

from . import errors
from .events import WRITABLE, html_link, public, writable_fields
from .timeutil import UTC, format_datetime, get_zone, parse_datetime

# Fields each copy keeps for itself (plus extendedProperties.private).
COPY_OWN = ("reminders", "colorId", "transparency")
# The shared event properties of Google's "403: Forbidden for non-organizer"
# (errors guide), with the defaults the Events reference gives them: a request
# that leaves them out sets them to these defaults.
GUEST_PERMISSIONS = (
    ("guestsCanInviteOthers", True),
    ("guestsCanModify", False),
    ("guestsCanSeeOtherGuests", True),
)
# What an attendee answers on his own attendee entry.
RESPONSE_KEYS = ("responseStatus", "comment", "additionalGuests")
# Bookkeeping that says nothing about a copy's content.
_STAMPS = ("etag", "updated", "_change", "_ms")


def email_key(email):
    """E-mail addresses compare case-insensitively."""
    return email.lower() if isinstance(email, str) else None


def own_entry(attendees, calendar_id):
    """The attendee entry that stands for ``calendar_id``, or None."""
    me = email_key(calendar_id)
    for attendee in attendees or ():
        if isinstance(attendee, dict) and email_key(attendee.get("email")) == me:
            return attendee
    return None


def flag_attendees(attendees, calendar_id, organizer_email):
    """Set the read-only ``self`` and ``organizer`` flags of attendee entries for
    the calendar the event is on (whatever a client sent in them)."""
    me, organizer = email_key(calendar_id), email_key(organizer_email)
    for attendee in attendees or ():
        attendee.pop("self", None)
        attendee.pop("organizer", None)
        email = email_key(attendee.get("email"))
        if email == organizer:
            attendee["organizer"] = True
        if email == me:
            attendee["self"] = True


def _shared_properties(event):
    return (event.get("extendedProperties") or {}).get("shared") or {}


def _private_properties(event):
    return (event.get("extendedProperties") or {}).get("private") or {}


def _localize(value, zone_name):
    """A ``dateTime`` without its own zone is shown in the copy calendar's zone."""
    if "dateTime" not in value or value.get("timeZone"):
        return value
    instant = parse_datetime(value["dateTime"])
    if instant is None or instant.tzinfo is None:
        return value
    return {"dateTime": format_datetime(instant.astimezone(get_zone(zone_name) or UTC))}


def _content(event):
    return {key: value for key, value in event.items() if key not in _STAMPS}


def _own_fields(event):
    """The copy-own fields of an event or of a validated body, as an event dict."""
    own = {key: copy.deepcopy(event[key]) for key in COPY_OWN if key in event}
    own.setdefault("reminders", {"useDefault": True})
    private = _private_properties(event)
    if private:
        own["extendedProperties"] = {"private": copy.deepcopy(private)}
    return own


class AttendeeCopies:
    """The copy logic of :class:`service.CalendarService` (which provides
    ``store``, ``_commit``, ``_lookup``, ``_replace`` and ``_valid_fields``)."""

    # -- who gets a copy ----------------------------------------------------------
    def _attendee_calendar(self, email):
        """The calendar an attendee's address stands for: an account's primary
        calendar, or a calendar invited by its own id; None for outsiders."""
        key = email_key(email)
        if key is None:
            return None
        account = self.store.account_index.get(key)
        return self.store.calendars.get(self.store.accounts[account][0] if account else key)

    def _copy_targets(self, cal, event):
        """{calendar id: Calendar} holding a copy of ``event`` organized by ``cal``;
        an attendee whose calendar is the organizer calendar itself gets none."""
        targets = {}
        for attendee in (event or {}).get("attendees") or ():
            target = self._attendee_calendar(attendee.get("email"))
            if target is not None and target.id != cal.id:
                targets[target.id] = target
        return targets

    # -- organizer's change -> copies -------------------------------------------
    def _propagate(self, cal, event, previous=None, own=None):
        """Bring every copy of the organizer's ``event`` (just committed in ``cal``)
        in line; an attendee dropped from the list loses his copy. ``own`` maps a
        copy calendar id to the copy-own fields it must take (an attendee's write)."""
        if "_organizer" in event:
            return
        targets = self._copy_targets(cal, event)
        for target in targets.values():
            self._sync_copy(cal, event, target, (own or {}).get(target.id))
        for target_id, target in self._copy_targets(cal, previous).items():
            if target_id not in targets:
                self._uninvite(cal, target, event["id"])

    def _sync_copy(self, cal, main, target, own=None):
        existing = target.events.get(main["id"])
        if existing is not None and existing.get("_organizer") != cal.id:
            return  # the attendee's calendar holds an event of its own under this id
        if existing is not None and existing.get("_left"):
            return  # he removed the invitation from his calendar
        cancelled = main["status"] == "cancelled"
        master_id = main.get("recurringEventId")
        master = target.events.get(master_id) if master_id else None
        if master is not None and master.get("_organizer") == cal.id:
            cancelled = cancelled or master["status"] == "cancelled"
        if existing is None and cancelled and master is None:
            return  # nothing to cancel
        if existing is not None and cancelled and existing["status"] == "cancelled":
            return
        event = self._build_copy(cal, main, target, existing, own)
        if cancelled:
            event["status"] = "cancelled"
        if existing is not None and _content(existing) == _content(event):
            return
        touch = existing is None or any(
            existing.get(key) != event.get(key)
            for key in set(existing) | set(event)
            if key not in _STAMPS and key != "reminders"
        )
        self._commit(target, event, touch_updated=touch)
        if existing is None:
            event["created"] = event["updated"]

    def _build_copy(self, cal, main, target, existing, own):
        skip = set(COPY_OWN) | set(_STAMPS) | {"_seq", "_left", "created", "extendedProperties"}
        event = {key: copy.deepcopy(value) for key, value in main.items() if key not in skip}
        event["_organizer"] = cal.id
        event["htmlLink"] = html_link(self.store.base_url, main["id"], target.id)
        organizer = {key: value for key, value in (main.get("organizer") or {}).items()}
        organizer.pop("self", None)
        event["organizer"] = organizer
        creator = dict(main.get("creator") or {})
        if creator:
            creator.pop("self", None)
            if email_key(creator.get("email")) == email_key(target.id):
                creator["self"] = True
            event["creator"] = creator
        flag_attendees(event.get("attendees"), target.id, organizer.get("email"))
        for key in ("start", "end"):
            if key in event:
                event[key] = _localize(event[key], target.time_zone)
        source = own if own is not None else (existing or {})
        for key in COPY_OWN:
            if key in source:
                event[key] = copy.deepcopy(source[key])
        event.setdefault("reminders", {"useDefault": True})
        props = {}
        if _shared_properties(main):
            props["shared"] = copy.deepcopy(_shared_properties(main))
        if _private_properties(source):
            props["private"] = copy.deepcopy(_private_properties(source))
        if props:
            event["extendedProperties"] = props
        if existing is not None:
            event["_seq"] = existing["_seq"]
            if "created" in existing:
                event["created"] = existing["created"]
        else:
            event["_seq"] = self.store.next_seq()
        return event

    def _uninvite(self, cal, target, event_id):
        """The organizer took the attendee off the list: his copy is cancelled (and
        would come back if he were invited again)."""
        existing = target.events.get(event_id)
        if existing is None or existing.get("_organizer") != cal.id:
            return
        existing.pop("_left", None)
        if existing["status"] != "cancelled":
            self._cancel_copy(target, existing)

    def _cancel_copy(self, target, event, left=False):
        """Cancel a copy (and, for a series, its copied exceptions) in ``target``."""
        event = copy.deepcopy(event)
        event["status"] = "cancelled"
        if left:
            event["_left"] = True
        self._commit(target, event)
        if event.get("recurrence"):
            for other in list(target.events.values()):
                if (
                    other.get("recurringEventId") == event["id"]
                    and other.get("_organizer") == event["_organizer"]
                    and other["status"] != "cancelled"
                ):
                    self._cancel_copy(target, other, left)

    def _cancel_copies_of(self, cal):
        """``cal`` is going away: the copies of its live events are cancelled."""
        for event in list(cal.events.values()):
            if "_organizer" not in event and event["status"] != "cancelled":
                gone = copy.deepcopy(event)
                gone["status"] = "cancelled"
                self._propagate(cal, gone, event)

    # -- attendee's change on his copy -------------------------------------------
    def _main_of(self, current):
        """(organizer Calendar, the organizer's event or occurrence) of a copy;
        (None, None) once the organizer calendar or event is gone."""
        main_cal = self.store.calendars.get(current["_organizer"])
        if main_cal is None:
            return None, None
        try:
            return main_cal, self._lookup(main_cal, current["id"])
        except errors.ApiError:
            return main_cal, None

    def _write_copy(self, cal, current, fields):
        """events.patch/update on an attendee's copy.

        * His own attendee entry's answer (``responseStatus``, ``comment``,
          ``additionalGuests``) is written to the organizer's event, and from
          there reaches every copy.
        * ``reminders``, ``colorId``, ``transparency`` and private extended
          properties stay on his copy.
        * Setting a shared property the organizer set differently -- the
          ``guestsCan*`` permissions, as Google's errors guide lists them, and
          shared extended properties -- is 403 ``forbiddenForNonOrganizer``
          ("Shared properties can only be changed by the organizer of the
          event."); the guide adds that an update leaving them out sets them to
          their defaults, hence the same refusal.
        * Other fields (summary, times, recurrence, other attendees...): with
          ``guestsCanModify`` ("whether attendees other than the organizer can
          modify the event") they change the organizer's event for everyone;
          without it they are ignored and the answer is 200 with the organizer's
          values, as googleapis/google-api-nodejs-client#2989 reports of Google.
        """
        is_instance = "recurringEventId" in current
        fields = self._valid_fields(
            cal,
            fields,
            current["id"],
            instance=is_instance,
            current_type=current.get("eventType", "default"),
        )
        can_modify = bool(current.get("guestsCanModify"))
        changed_permission = any(
            fields.get(key, default) != current.get(key, default)
            for key, default in GUEST_PERMISSIONS
        )
        if changed_permission or (
            not can_modify and _shared_properties(fields) != _shared_properties(current)
        ):
            raise errors.ApiError(
                403,
                "forbiddenForNonOrganizer",
                "Shared properties can only be changed by the organizer of the event.",
                domain="calendar",
            )
        own = _own_fields(fields)
        main_cal, main = self._main_of(current)
        new_main = None
        if main is not None:
            if can_modify:
                new_main = self._guest_edit(main, fields, cal.id)
            else:
                mine = own_entry(fields.get("attendees"), cal.id)
                if mine is not None and own_entry(main.get("attendees"), cal.id) is not None:
                    new_main = writable_fields(main)
                    entry = own_entry(new_main["attendees"], cal.id)
                    for key in RESPONSE_KEYS:
                        if key in mine:
                            entry[key] = copy.deepcopy(mine[key])
                        else:
                            entry.pop(key, None)
            if new_main is not None and new_main == writable_fields(main):
                new_main = None
        stored = cal.events.get(current["id"])
        if new_main is not None:
            answer = (own_entry(new_main.get("attendees"), cal.id) or {}).get("responseStatus")
            if stored is not None and stored.get("_left") and answer != "declined":
                stored.pop("_left")  # answering again puts the invitation back
            self._replace(main_cal, main, new_main, own={cal.id: own})
            result = cal.events.get(current["id"])
            if result is not None and not result.get("_left"):
                return public(result)
            stored = result
        event = copy.deepcopy(stored if stored is not None else current)
        for key in COPY_OWN:
            event.pop(key, None)
        event.update(copy.deepcopy({key: own[key] for key in COPY_OWN if key in own}))
        props = {}
        if _shared_properties(event):
            props["shared"] = _shared_properties(event)
        if _private_properties(own):
            props["private"] = copy.deepcopy(_private_properties(own))
        event.pop("extendedProperties", None)
        if props:
            event["extendedProperties"] = props
        before = stored if stored is not None else current
        reminders_only = before.get("reminders") != event.get("reminders") and all(
            before.get(key) == event.get(key) for key in WRITABLE if key != "reminders"
        )
        self._commit(cal, event, touch_updated=not reminders_only)
        return public(event)

    @staticmethod
    def _guest_edit(main, fields, calendar_id):
        """The organizer's event as an attendee allowed to modify it leaves it:
        his body for the event's fields; the copy-own ones, the permissions and the
        status untouched; the other attendees' answers kept."""
        fixed = (
            set(COPY_OWN)
            | {key for key, _ in GUEST_PERMISSIONS}
            | {
                "extendedProperties",
                "sequence",
                "status",  # a guest removes the event from his calendar, he does not cancel it
            }
        )
        new = writable_fields(main)
        for key in WRITABLE:
            if key in fixed:
                continue
            if key in fields:
                new[key] = copy.deepcopy(fields[key])
            else:
                new.pop(key, None)
        props = copy.deepcopy(new.get("extendedProperties") or {})
        props.pop("shared", None)
        if _shared_properties(fields):
            props["shared"] = copy.deepcopy(_shared_properties(fields))
        new.pop("extendedProperties", None)
        if props:
            new["extendedProperties"] = props
        before = {
            email_key(a.get("email")): a for a in main.get("attendees") or () if isinstance(a, dict)
        }
        me = email_key(calendar_id)
        for attendee in new.get("attendees") or ():
            key = email_key(attendee.get("email"))
            if key != me and key in before:
                for field in RESPONSE_KEYS:
                    if field in before[key]:
                        attendee[field] = copy.deepcopy(before[key][field])
                    else:
                        attendee.pop(field, None)
        return new

    def _leave_copy(self, cal, current):
        """events.delete on an attendee's copy: he declines (his entry on the
        organizer's event, hence on every copy, says ``declined``) and the copy
        leaves his calendar -- ``cancelled`` in his listings, while events.get still
        shows its details, as the Events reference says of "the events to which
        the user was invited and that they manually removed". Organizer changes no
        longer reach it, unless he answers again."""
        main_cal, main = self._main_of(current)
        if main is not None:
            theirs = own_entry(main.get("attendees"), cal.id)
            if theirs is not None and theirs.get("responseStatus") != "declined":
                new_main = writable_fields(main)
                own_entry(new_main["attendees"], cal.id)["responseStatus"] = "declined"
                self._replace(main_cal, main, new_main)
        stored = cal.events.get(current["id"])
        target = stored if stored is not None else current
        if target["status"] != "cancelled":
            self._cancel_copy(cal, target, left=True)
        else:
            target["_left"] = True
