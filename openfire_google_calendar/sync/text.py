# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Text as Odoo can store it, whatever Google sends.

PostgreSQL refuses NUL characters and Python refuses to encode lone UTF-16
surrogates (JSON can carry both), and an event description can be megabytes.
Both mapping directions and the content hash clean text the same way, so that
a cleaned text round-trips without looking like a change.
"""

MAX_TEXT = 65536


def clean_text(value, field, max_length=MAX_TEXT):
    """Return (text, problems): ``value`` made storable, and what was changed.

    None becomes ""; any other non-string is converted with ``str``.
    """
    problems = []
    if value is None:
        return "", problems
    if not isinstance(value, str):
        problems.append("%s: not a text (%s), converted" % (field, type(value).__name__))
        value = str(value)
    if "\x00" in value:
        problems.append("%s: NUL characters removed" % field)
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        problems.append("%s: invalid unicode (lone surrogates) replaced" % field)
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if len(value) > max_length:
        problems.append("%s: %d characters, truncated to %d" % (field, len(value), max_length))
        value = value[:max_length]
    return value, problems
