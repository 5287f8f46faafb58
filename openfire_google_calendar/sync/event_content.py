# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a technician reads on his phone, generated from the RDV, and what of
it comes back.

The Odoo layer gathers the values (:class:`EventSource`, with the labels in
the technician's language); this module alone decides what the event shows
and what an edit on the phone changes in Odoo:

- the title is the RDV's name, with the customer when the name does not
  already say it (:func:`title`); a title edited on the phone comes back as
  the RDV's name, without the customer we added (:func:`name_after_pull`);
- the location is the intervention address on one line, as Google Maps reads
  it: street, postcode and city, country (:func:`address_line`);
- the description is the technician's own notes, then a generated block
  between two marker lines (customer, phones as ``tel:`` links, RDV number,
  task, other technicians, the RDV's notes, a link to the RDV in Odoo). The
  block never comes back: :func:`phone_notes_of` returns what is outside it,
  which Odoo keeps apart from the RDV's notes;
- the colour (Google's ``colorId``) by state or by task, and the reminders.

Everything generated is HTML-escaped (Google renders descriptions as HTML);
the technician's notes are kept as he typed them.
"""

from dataclasses import dataclass, field
from html import escape

# The generated block's marker lines: plain text, so that they survive a
# phone app rewriting the description as text or as HTML.
BLOCK_START = "──── OpenFire ────"
BLOCK_END = "──── /OpenFire ────"
TITLE_SEPARATOR = " – "

COLOR_NONE = "none"
COLOR_BY_STATE = "state"
COLOR_BY_TASK = "task"

# Google's event colours (colors.get: "1" lavender ... "11" tomato).
STATE_COLORS = {
    "draft": "5",  # banana: to confirm
    "confirm": "9",  # blueberry
    "done": "10",  # basil
    "unfinished": "6",  # tangerine
    "cancel": "8",  # graphite
    "postponed": "3",  # grape
}
GOOGLE_COLOR_COUNT = 11


@dataclass(frozen=True)
class Labels:
    """The block's labels, in the technician's language (the Odoo layer
    translates them)."""

    customer: str = "Customer"
    phone: str = "Phone"
    mobile: str = "Mobile"
    number: str = "RDV"
    task: str = "Task"
    technicians: str = "Other technicians"
    notes: str = "Notes"
    link: str = "Open in Odoo"


@dataclass(frozen=True)
class EventSource:
    """The values an event is generated from (the Odoo layer provides them)."""

    name: str = ""
    customer: str = ""
    phone: str = ""
    mobile: str = ""
    country_calling_code: int | None = None  # to turn 06... into +336...
    number: str = ""
    task: str = ""
    task_id: int | None = None
    technicians: tuple[str, ...] = ()
    notes: str = ""
    phone_notes: str = ""
    url: str = ""
    state: str = "confirm"
    street: str = ""
    street2: str = ""
    zip: str = ""
    city: str = ""
    country: str = ""
    labels: Labels = field(default_factory=Labels)
    # What the technician must read first: the planner refused his change.
    notice: str = ""


@dataclass(frozen=True)
class ContentSettings:
    """The database's choices: the customer in the title, the colour rule,
    the reminders (minutes before; empty: the calendar's defaults)."""

    customer_in_title: bool = True
    color_by: str = COLOR_NONE
    reminders: tuple[int, ...] = ()


def title(name, customer):
    """The RDV's name, with the customer when the name does not say it."""
    name, customer = (name or "").strip(), (customer or "").strip()
    if not customer or customer.casefold() in name.casefold():
        return name
    return "%s%s%s" % (name, TITLE_SEPARATOR, customer) if name else customer


def name_after_pull(pulled, current_name, customer, customer_in_title=True):
    """The RDV's name once Google's title ``pulled`` is synced: unchanged
    while Google shows what Odoo would send, else the title without the
    customer we appended."""
    pulled = (pulled or "").strip()
    shown = title(current_name, customer) if customer_in_title else (current_name or "")
    if current_name is not None and pulled == shown.strip():
        return current_name
    suffix = TITLE_SEPARATOR + (customer or "").strip()
    if customer and pulled.endswith(suffix) and len(pulled) > len(suffix):
        return pulled[: -len(suffix)].strip()
    return pulled


def address_line(street="", street2="", zip_code="", city="", country=""):
    """An address on one line as Google Maps finds it:
    "street, street2, postcode city, country"."""
    parts = [
        street,
        street2,
        " ".join(p.strip() for p in (zip_code, city) if p and p.strip()),
        country,
    ]
    return ", ".join(p.strip() for p in parts if p and p.strip())


def tel_uri(number, country_calling_code=None):
    """``tel:`` URI of a phone number as people type it ("06 12 34 56 78",
    "+33 (0)6.12.34.56.78", "0033 6..."), or "" when it has no digit."""
    text = (number or "").strip()
    international = text.startswith("+") or text.startswith("00")
    text = text.replace("(0)", "") if international else text
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return ""
    if text.startswith("+"):
        return "tel:+" + digits
    if digits.startswith("00"):
        return "tel:+" + digits[2:]
    if digits.startswith("0") and country_calling_code:
        return "tel:+%d%s" % (country_calling_code, digits[1:])
    return "tel:" + digits


def _phone_html(number, code):
    uri = tel_uri(number, code)
    shown = escape(number.strip(), quote=False)
    return '<a href="%s">%s</a>' % (escape(uri), shown) if uri else shown


def generated_block(source):
    """The generated part of the description, marker lines included."""
    labels = source.labels
    lines = [BLOCK_START]
    if (source.notice or "").strip():
        lines.append(escape(source.notice.strip(), quote=False))

    def add(label, value_html):
        if value_html:
            lines.append("%s : %s" % (escape(label, quote=False), value_html))

    add(labels.customer, escape(source.customer.strip(), quote=False))
    for label, number in ((labels.phone, source.phone), (labels.mobile, source.mobile)):
        if number and number.strip():
            add(label, _phone_html(number, source.country_calling_code))
    add(labels.number, escape(source.number.strip(), quote=False))
    add(labels.task, escape(source.task.strip(), quote=False))
    add(labels.technicians, escape(", ".join(t for t in source.technicians if t), quote=False))
    notes = (source.notes or "").strip()
    if notes:
        lines.append("%s :" % escape(labels.notes, quote=False))
        lines.append(escape(notes, quote=False))
    if source.url:
        lines.append('<a href="%s">%s</a>' % (escape(source.url), escape(labels.link, quote=False)))
    lines.append(BLOCK_END)
    return "\n".join(lines)


def description(source):
    """The technician's notes, then the generated block."""
    own = (source.phone_notes or "").strip()
    block = generated_block(source)
    return "%s\n\n%s" % (own, block) if own else block


def generated_part(text):
    """The generated block of a description, marker lines included, or None
    when it has none (an event made on the phone). Compared line by line,
    stripped, so that a phone app re-flowing the spaces is not an edit."""
    text = text or ""
    start = text.find(BLOCK_START)
    if start < 0:
        return None
    end = text.find(BLOCK_END, start)
    block = text[start : end + len(BLOCK_END)] if end >= 0 else text[start:]
    return tuple(line.strip() for line in block.splitlines() if line.strip())


def phone_notes_of(text):
    """What the technician wrote around the generated block (the whole text
    when there is no block, as in an event created on the phone). A block
    whose end marker was deleted runs to the end of the text."""
    text = text or ""
    start = text.find(BLOCK_START)
    if start < 0:
        return text.strip()
    end = text.find(BLOCK_END, start)
    after = text[end + len(BLOCK_END) :] if end >= 0 else ""
    before = text[:start]
    return "\n\n".join(part.strip() for part in (before, after) if part.strip())


def has_block(text):
    """True when ``text`` carries our generated block."""
    return BLOCK_START in (text or "")


def color_id(source, settings):
    """Google's colorId for the RDV, or None (the calendar's colour)."""
    if settings.color_by == COLOR_BY_STATE:
        return STATE_COLORS.get(source.state)
    if settings.color_by == COLOR_BY_TASK and source.task_id:
        return str(1 + (int(source.task_id) - 1) % GOOGLE_COLOR_COUNT)
    return None


def reminders_of(settings):
    """The minutes of the event's popup reminders (at most 5, as Google), or
    None to leave the calendar's defaults and what the technician set."""
    minutes = sorted({int(m) for m in settings.reminders if m is not None and int(m) >= 0})
    return tuple(minutes[:5]) or None


def parse_reminders(text):
    """Minutes from a setting such as "30, 1440" (invalid parts ignored)."""
    minutes = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit() and int(part) <= 40320:  # Google's maximum: 4 weeks
            minutes.append(int(part))
    return tuple(minutes)


def event_fields(source, settings):
    """The Rdv fields generated for an event: summary, description,
    location, color_id, reminders."""
    return {
        "summary": title(source.name, source.customer)
        if settings.customer_in_title
        else (source.name or ""),
        "description": description(source),
        "location": address_line(
            source.street, source.street2, source.zip, source.city, source.country
        ),
        "color_id": color_id(source, settings),
        "reminders": reminders_of(settings),
    }
