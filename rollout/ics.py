"""Calendar files: RFC 5545 .ics (for Google Calendar and Outlook) and CSV.

All-day entries use DATE values with the exclusive end RFC 5545 asks for; campaigns are timed and
written in UTC, which every client converts to its own zone. UIDs are stable, so importing a newer
export updates events instead of duplicating them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from rollout.exports import csv_bytes
from rollout.local_calendar import CalendarEntry

PRODID = "-//Rollout//Local calendar//EN"
CSV_HEADER = (
    "start",
    "end",
    "name",
    "local_name",
    "kind",
    "category",
    "starts_at_utc",
    "duration_minutes",
    "note",
)


def _uid(country: str, entry: CalendarEntry) -> str:
    if entry.campaign_id is not None:
        return f"campaign-{entry.campaign_id}@rollout"
    digest = hashlib.sha1(f"{country}|{entry.kind}|{entry.start}|{entry.name}".encode()).hexdigest()[:16]
    return f"{entry.kind}-{entry.start.isoformat()}-{digest}@rollout"


def _event(country: str, entry: CalendarEntry, stamp: datetime) -> Event:
    if entry.starts_at is not None:
        start, end = entry.starts_at, entry.starts_at + timedelta(minutes=entry.duration_minutes or 60)
    else:
        start, end = entry.start, entry.end + timedelta(days=1)  # DTEND of an all-day event is exclusive
    description = "\n".join(
        filter(None, [entry.local_name and f"Local name: {entry.local_name}", entry.note])
    )
    event = Event.new(
        summary=entry.name,
        start=start,
        end=end,
        uid=_uid(country, entry),
        stamp=stamp,
        description=description or None,
        categories=[entry.kind, entry.category],
    )
    if entry.starts_at is None:
        event.add("transp", "TRANSPARENT")  # holidays and events do not make anyone busy
    return event


def calendar_ics(entries: Iterable[CalendarEntry], *, name: str, country: str, stamp: datetime) -> bytes:
    calendar = Calendar.new(prodid=PRODID, name=name)
    for entry in entries:
        calendar.add_component(_event(country, entry, stamp))
    return calendar.to_ical()


def calendar_csv(entries: Sequence[CalendarEntry]) -> bytes:
    rows = (
        [
            e.start,
            e.end,
            e.name,
            e.local_name,
            e.kind,
            e.category,
            e.starts_at.isoformat() if e.starts_at else "",
            e.duration_minutes or "",
            e.note,
        ]
        for e in entries
    )
    return csv_bytes(CSV_HEADER, rows)
