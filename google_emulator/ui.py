"""A small web page for people trying the demo: "your phone's calendar".

``GET /`` lists the accounts; ``GET /ui/<email>`` lists each calendar's events
with a form to change an event's title, start and end or delete it, and one
to create an event (on a primary calendar, also an out-of-office, focus time or
working location one; an event's type is shown beside it). Every change goes
through :class:`service.Phone`, so the connector sees it exactly as a change
made by the Google user on a phone (new etag, sync tokens, push
notifications). Plain HTML, no JavaScript.
"""

import html
from datetime import datetime
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Response

from .errors import ApiError
from .events import decode_eid, parse_bounds
from .service import Phone
from .timeutil import get_zone

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#202124}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #dadce0;
padding:.3em .5em;text-align:left}th{background:#f1f3f4}.msg{background:#fce8e6;
padding:.5em}.ok{background:#e6f4ea}button{margin:0 .2em}code{background:#f1f3f4}
"""


# How the phone names the event types (French / English).
TYPE_LABELS = {
    "outOfOffice": "Absent / Out of office",
    "focusTime": "Concentration / Focus time",
    "workingLocation": "Lieu de travail / Working location",
    "birthday": "Anniversaire / Birthday",
    "fromGmail": "Gmail",
}
# Status events the new-event form can make on a primary calendar, with the
# properties the status events guide requires of each.
NEW_TYPES = (
    ("default", "Événement / Event", {}),
    (
        "outOfOffice",
        TYPE_LABELS["outOfOffice"],
        {"outOfOfficeProperties": {"autoDeclineMode": "declineNone"}},
    ),
    (
        "focusTime",
        TYPE_LABELS["focusTime"],
        {"focusTimeProperties": {"autoDeclineMode": "declineNone", "chatStatus": "doNotDisturb"}},
    ),
    (
        "workingLocation",
        "Lieu de travail : domicile / Working location: home",
        {
            "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
            "visibility": "public",
            "transparency": "transparent",
        },
    ),
)


def escape(text):
    """HTML-escape any value."""
    return html.escape("" if text is None else str(text), quote=True)


def render_page(title, body):
    """A complete HTML page."""
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        "<title>%s</title><style>%s</style></head><body>%s</body></html>"
        % (escape(title), STYLE, body)
    )


def _html(body, title="Google emulator", status=200):
    return Response(render_page(title, body), status=status, mimetype="text/html")


def _see_other(location):
    return Response("", status=303, headers={"Location": location})


class WebUI:
    """The pages under ``/`` and ``/ui/``."""

    def __init__(self, service):
        self.service = service

    def handle(self, request):
        """Route a request to a page; None when the path is not ours."""
        path = request.path
        if path == "/" and request.method == "GET":
            return self.home(request)
        if path == "/ui/event":
            return self.open_event(request)
        parts = [p for p in path.split("/") if p][1:] if path.startswith("/ui/") else None
        if not parts:
            return None
        email = parts[0]
        if len(parts) == 1 and request.method == "GET":
            return self.account(request, email)
        if request.method == "POST" and len(parts) == 3 and parts[2] == "new":
            return self._act(
                email,
                lambda phone: phone.insert_event(
                    parts[1],
                    self._typed(
                        request.form, self._times_from_form(request.form, None, parts[1], email)
                    ),
                ),
            )
        if request.method == "POST" and len(parts) == 4 and parts[3] in ("edit", "delete"):
            cal_id, event_id, action = parts[1], parts[2], parts[3]
            if action == "delete":
                return self._act(email, lambda phone: phone.delete_event(cal_id, event_id))
            return self._act(
                email, lambda phone: self._edit(phone, request.form, cal_id, event_id, email)
            )
        return None

    # -- pages ------------------------------------------------------------------
    def home(self, request):
        """List of accounts and the endpoints to configure."""
        base = request.host_url.rstrip("/")
        accounts = self.service.store.accounts
        rows = (
            "".join(
                '<li><a href="/ui/%s">%s</a></li>' % (quote(a, safe="@"), escape(a))
                for a in accounts
            )
            or "<li>(aucun compte / no account yet)</li>"
        )
        body = (
            "<h1>Émulateur Google Agenda / Google Calendar emulator</h1>"
            "<h2>Comptes / Accounts</h2><ul>%s</ul>"
            "<h2>Points d'accès / Endpoints</h2><table>"
            "<tr><th>Calendar API (api_endpoint)</th><td><code>%s/calendar/v3/</code></td></tr>"
            "<tr><th>Batch</th><td><code>%s/batch/calendar/v3</code></td></tr>"
            "<tr><th>auth_uri</th><td><code>%s/o/oauth2/auth</code></td></tr>"
            "<tr><th>token_uri</th><td><code>%s/token</code></td></tr>"
            "<tr><th>revoke_uri</th><td><code>%s/revoke</code></td></tr>"
            "<tr><th>Admin</th><td><code>%s/_emulator/</code></td></tr></table>"
            % (rows, base, base, base, base, base, base)
        )
        return _html(body)

    def open_event(self, request):
        """Target of ``htmlLink``: jump to the owner's page at the event."""
        decoded = decode_eid(request.args.get("eid", ""))
        if decoded:
            cal = self.service.store.calendars.get(decoded[1])
            if cal is not None:
                return _see_other("/ui/%s#%s" % (quote(cal.owner, safe="@"), quote(decoded[0])))
        return _html("<p>Événement introuvable / Event not found</p>", status=404)

    def account(self, request, email):
        """The "phone" view of one account."""
        if email not in self.service.store.accounts:
            return _html("<p>Compte inconnu / Unknown account: %s</p>" % escape(email), status=404)
        message = request.args.get("msg")
        body = ['<p><a href="/">&larr; Accueil / Home</a></p>', "<h1>%s</h1>" % escape(email)]
        if message:
            css = "msg ok" if request.args.get("ok") else "msg"
            body.append('<p class="%s">%s</p>' % (css, escape(message)))
        for cal in self.service.calendars_of(email):
            body.append(self._calendar_section(email, cal))
        return _html("".join(body), title=email)

    def _calendar_section(self, email, cal):
        phone = Phone(self.service, email)
        events = [e for e in phone.list_events(cal.id) if e.get("status") != "cancelled"]
        rows = []
        base = "/ui/%s/%s" % (quote(email, safe="@"), quote(cal.id, safe="@"))
        for event in events:
            kind, start, end = self._form_values(event, cal.time_zone)
            note = " (récurrent / recurring)" if event.get("recurrence") else ""
            if event.get("recurringEventId"):
                note = " (occurrence modifiée / changed occurrence)"
            if event.get("eventType") in TYPE_LABELS:
                note += " — %s" % TYPE_LABELS[event["eventType"]]
            if event.get("transparency") == "transparent":
                note += " (disponible / free)"
            rows.append(
                '<tr id="%s"><td><code>%s</code>%s</td><td>'
                '<form method="post" action="%s/%s/edit">'
                '<input name="summary" value="%s" size="30"> '
                '<input type="%s" name="start" value="%s"> &rarr; '
                '<input type="%s" name="end" value="%s">'
                '<button type="submit">Enregistrer / Save</button></form></td><td>'
                '<form method="post" action="%s/%s/delete">'
                '<button type="submit">Supprimer / Delete</button></form></td></tr>'
                % (
                    escape(event["id"]),
                    escape(event["id"]),
                    escape(note),
                    base,
                    quote(event["id"]),
                    escape(event.get("summary", "")),
                    kind,
                    start,
                    kind,
                    end,
                    base,
                    quote(event["id"]),
                )
            )
        table = (
            (
                "<table><tr><th>Id</th><th>Titre, début, fin / Title, start, end</th>"
                "<th></th></tr>%s</table>" % "".join(rows)
            )
            if rows
            else "<p>(aucun événement / no event)</p>"
        )
        kinds = ""
        if cal.primary:
            kinds = '<select name="event_type">%s</select> ' % "".join(
                '<option value="%s">%s</option>' % (value, escape(label))
                for value, label, _ in NEW_TYPES
            )
        new = (
            '<form method="post" action="%s/new"><b>Nouvel événement / New event:</b> '
            '<input name="summary" placeholder="Titre / Title" required> %s'
            '<input type="datetime-local" name="start" required> &rarr; '
            '<input type="datetime-local" name="end" required>'
            '<button type="submit">Créer / Create</button></form>' % (base, kinds)
        )
        return "<h2>%s <small><code>%s</code> (%s)</small></h2>%s%s" % (
            escape(cal.summary),
            escape(cal.id),
            escape(cal.time_zone),
            table,
            new,
        )

    @staticmethod
    def _form_values(event, calendar_zone):
        start, end = parse_bounds(event)
        if start.all_day:
            return "date", start.day.isoformat(), end.day.isoformat()
        zone = get_zone(start.zone_name or calendar_zone)
        fmt = "%Y-%m-%dT%H:%M"
        return (
            "datetime-local",
            start.instant.astimezone(zone).strftime(fmt),
            end.instant.astimezone(zone).strftime(fmt),
        )

    # -- actions ------------------------------------------------------------------
    def _times_from_form(self, form, event, cal_id, email):
        body = {"summary": form.get("summary", "")}
        cal = self.service.calendar(email, cal_id)
        all_day = event is not None and "date" in event["start"]
        zone = (event or {}).get("start", {}).get("timeZone") or cal.time_zone
        for key in ("start", "end"):
            value = form.get(key, "").strip()
            if all_day:
                body[key] = {"date": value}
            else:
                try:
                    datetime.strptime(value[:16], "%Y-%m-%dT%H:%M")
                except ValueError as exc:
                    raise ApiError(400, "invalid", "Invalid %s time." % key) from exc
                body[key] = {"dateTime": value[:16] + ":00", "timeZone": zone}
        return body

    @staticmethod
    def _typed(form, body):
        """The new event's type and the properties it needs (default: none)."""
        for value, _, extra in NEW_TYPES:
            if value == form.get("event_type", "default") and value != "default":
                body.update(eventType=value, **extra)
        return body

    def _edit(self, phone, form, cal_id, event_id, email):
        event = phone.get_event(cal_id, event_id)
        return phone.patch_event(
            cal_id, event_id, self._times_from_form(form, event, cal_id, email)
        )

    def _act(self, email, action):
        phone = Phone(self.service, email)
        target = "/ui/%s" % quote(email, safe="@")
        try:
            with self.service.lock:
                action(phone)
        except ApiError as exc:
            return _see_other(
                target + "?" + urlencode({"msg": "%s (%s)" % (exc.message, exc.reason)})
            )
        return _see_other(target + "?" + urlencode({"msg": "Enregistré / Saved", "ok": 1}))
