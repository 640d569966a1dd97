"""Calendar files: RFC 5545 .ics (for Google Calendar and Outlook) and CSV.

All-day entries use DATE values with the exclusive end RFC 5545 asks for; campaigns are timed and
written in UTC, which every client converts to its own zone. UIDs are stable, so importing a newer
export updates events instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vText

from rollout.marketing.local_calendar import CalendarEntry
from rollout.platform.exports import csv_bytes
from rollout.platform.locales import region_name

PRODID = "-//Rollout//Local calendar//EN"
CSV_HEADER = (
    "country",
    "start",
    "end",
    "name",
    "local_name",
    "region",
    "kind",
    "category",
    "starts_at_utc",
    "duration_minutes",
    "note",
    "status",
)


# RFC 5545 TEXT allows no control character but tab; line breaks are kept (`_Text` escapes them as \n).
_FORBIDDEN_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Text(vText):
    """TEXT escaped as RFC 5545 (3.3.11) says. icalendar's own escaping first reads a typed backslash and N
    as a line break, so a name like 'C:\\New' would come back cut in two."""

    encoding: str  # set in vText.__new__, where type checkers do not look

    def to_ical(self) -> bytes:
        escaped = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        lines = escaped.replace("\r\n", "\n").replace("\r", "\n")
        return lines.replace("\n", "\\n").encode(self.encoding)


def _text(value: str) -> _Text:
    """Free text as a calendar value: a pasted control character (NUL, form feed…) would make some
    clients reject the whole file, so it is dropped."""
    return _Text(_FORBIDDEN_CONTROLS.sub("", value))


def _uid(entry: CalendarEntry) -> str:
    """Stable across exports, viewers' languages and selections: country, kind, identity and day."""
    identity = f"{entry.country}|{entry.kind}|{entry.key or entry.name}|{entry.start.isoformat()}"
    return f"{entry.kind}-{hashlib.sha1(identity.encode()).hexdigest()[:20]}@rollout"


def _event(entry: CalendarEntry, stamp: datetime, name_country: bool, locale: str) -> Event:
    start: date  # datetimes for a timed event, days for an all-day one
    end: date
    if entry.starts_at is not None:
        start, end = entry.starts_at, entry.starts_at + timedelta(minutes=entry.duration_minutes or 60)
    else:
        start, end = entry.start, entry.end + timedelta(days=1)  # DTEND of an all-day event is exclusive
    description = _text(
        "\n".join(filter(None, [entry.local_name and f"Local name: {entry.local_name}", entry.note]))
    )
    label = entry.label(locale)  # a regional holiday names its region: "Makar Sankranti (Karnataka)"
    summary = _text(f"{entry.country}: {label}" if name_country else label)
    event = Event.new(
        summary=summary,
        start=start,
        end=end,
        uid=_uid(entry),
        stamp=stamp,
        description=description or None,
        categories=[entry.kind, entry.category],
    )
    if entry.starts_at is None:
        event.add("transp", "TRANSPARENT")  # holidays and events do not make anyone busy
    if entry.cancelled:
        event.add("status", "CANCELLED")  # so calendars that imported it drop it
    return event


def calendar_ics(
    entries: Sequence[CalendarEntry], *, name: str, stamp: datetime, locale: str = "en"
) -> bytes:
    """One calendar; with entries of several countries, each summary starts with its country code.
    Regions are named in `locale`."""
    several = len({entry.country for entry in entries}) > 1
    calendar = Calendar.new(prodid=PRODID, name=name)
    for entry in entries:
        calendar.add_component(_event(entry, stamp, several, locale))
    return calendar.to_ical()


def calendar_csv(entries: Sequence[CalendarEntry], locale: str = "en") -> bytes:
    """Every entry, a regional holiday's region by name (in `locale`) in its own column."""
    rows = (
        [
            e.country,
            e.start,
            e.end,
            e.name,
            e.local_name,
            region_name(e.country, e.region, locale) if e.region else "",
            e.kind,
            e.category,
            e.starts_at.isoformat() if e.starts_at else "",
            e.duration_minutes or "",
            e.note,
            "cancelled" if e.cancelled else "",
        ]
        for e in entries
    )
    return csv_bytes(CSV_HEADER, rows)
