"""The .ics export parses back to what was exported: exclusive all-day ends, UTC times, escaped text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from rollout.marketing.ics import calendar_csv, calendar_ics
from rollout.marketing.local_calendar import CalendarEntry
from tests.factories import local_event_entry

STAMP = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def parse(content: bytes):
    return [c for c in Calendar.from_ical(content).walk("VEVENT")]


def test_all_day_entries_end_the_day_after():
    entry = CalendarEntry(
        start=date(2026, 12, 24), end=date(2027, 1, 2), name="Christmas lull", kind="event", category="quiet"
    )
    [event] = parse(calendar_ics([entry], name="Rollout ES", stamp=STAMP))
    assert event.decoded("dtstart") == date(2026, 12, 24)
    assert event.decoded("dtend") == date(2027, 1, 3)  # RFC 5545: DTEND of a DATE event is exclusive
    assert str(event["transp"]) == "TRANSPARENT"


def test_campaigns_are_timed_in_utc_with_stable_uids():
    entry = CalendarEntry(
        start=date(2026, 12, 1),
        end=date(2026, 12, 1),
        name="Webinar",
        kind="campaign",
        category="webinar",
        starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        duration_minutes=45,
        campaign_id=7,
    )
    content = calendar_ics([entry], name="Rollout ES", stamp=STAMP)
    [event] = parse(content)
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert b"DTSTART:20261201T090000Z" in content
    assert str(event["uid"]).startswith("campaign-")
    again = calendar_ics([entry], name="Rollout ES", stamp=STAMP + timedelta(days=1))
    assert parse(again)[0]["uid"] == event["uid"]  # re-importing updates, never duplicates


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")),  # control characters: see below
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip() == t and t)


@settings(max_examples=150, deadline=None)
@given(name=text, note=text)
@example(name="C:\\New plan; a, b", note="\\N is not a line break here")  # icalendar alone reads one
def test_arbitrary_text_survives_a_round_trip_and_lines_are_folded(name, note):
    entry = local_event_entry(
        name=name,
        note=note,
    )
    content = calendar_ics([entry], name="Rollout", stamp=STAMP)
    [event] = parse(content)
    assert str(event["summary"]) == name
    assert str(event["description"]) == note
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))  # folded at 75 octets


def test_csv_export_neutralises_formulas():
    entry = local_event_entry(
        name='=HYPERLINK("x")',
    )
    assert b"'=HYPERLINK" in calendar_csv([entry])


def test_one_holiday_in_several_countries_keeps_one_uid_each_and_names_its_country():
    def christmas(country: str, name: str) -> CalendarEntry:
        return CalendarEntry(
            start=date(2026, 12, 25),
            end=date(2026, 12, 25),
            name=name,
            kind="holiday",
            category="public",
            country=country,
            key="public:Weihnachten",
        )

    events = parse(
        calendar_ics(
            [christmas("DE", "Christmas Day"), christmas("AT", "Christmas Day")],
            name="Rollout DE-AT",
            stamp=STAMP,
        )
    )
    assert len({str(e["uid"]) for e in events}) == 2
    assert {str(e["summary"]) for e in events} == {"DE: Christmas Day", "AT: Christmas Day"}
    in_german = parse(calendar_ics([christmas("DE", "Erster Weihnachtstag")], name="Rollout DE", stamp=STAMP))
    assert in_german[0]["uid"] == next(e["uid"] for e in events if str(e["summary"]).startswith("DE"))


def test_a_cancelled_campaign_is_exported_as_cancelled():
    entry = CalendarEntry(
        start=date(2026, 12, 1),
        end=date(2026, 12, 1),
        name="Webinar",
        kind="campaign",
        category="webinar",
        starts_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        campaign_id=3,
        country="ES",
        key="3",
        cancelled=True,
    )
    [event] = parse(calendar_ics([entry], name="Rollout ES", stamp=STAMP))
    assert str(event["status"]) == "CANCELLED"


# Text as people paste it: line breaks of every kind, control characters, and what looks like iCalendar.
INJECTIONS = ["\r\n", "\n", "\r", "\x00", "\x0c", "\t", ";", ",", ":", "\\", "BEGIN:VEVENT", "END:VCALENDAR"]
pasted = st.lists(
    st.one_of(st.sampled_from(INJECTIONS), st.characters(blacklist_categories=("Cs",))),
    min_size=1,
    max_size=30,
).map("".join)


def as_calendar_text(text: str) -> str:
    """What a calendar shows of `text`: control characters other than tab and line breaks dropped (first:
    CR NUL LF is one line break once the NUL is gone), then line breaks as LF."""
    text = "".join(c for c in text if c in "\t\r\n" or not (ord(c) < 32 or ord(c) == 127))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_lines(content: bytes) -> list[str]:
    """The unfolded content lines of a calendar (a line starting with a blank continues the previous)."""
    return content.decode().replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


@settings(max_examples=150, deadline=None)
@given(name=pasted, local_name=pasted, note=pasted, campaign_name=pasted, occasion=pasted)
def test_pasted_text_cannot_add_lines_properties_or_events(name, local_name, note, campaign_name, occasion):
    local_event = local_event_entry(
        name=name,
        local_name=local_name,
        note=note,
        country="ES",
    )
    campaign = CalendarEntry(
        start=date(2026, 5, 4),
        end=date(2026, 5, 4),
        name=campaign_name,
        kind="campaign",
        category="webinar",
        note=occasion,
        starts_at=datetime(2026, 5, 4, 8, tzinfo=UTC),
        country="IN",
        campaign_id=1,
        key="1",
    )
    content = calendar_ics([local_event, campaign], name="Rollout ES-IN", stamp=STAMP)
    lines = content_lines(content)
    assert all(line[:1].isupper() and ":" in line for line in lines)  # every line a property of ours
    assert [line for line in lines if line.startswith(("BEGIN:", "END:"))] == [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    first, second = parse(content)
    assert str(first["summary"]) == as_calendar_text(f"ES: {name}")
    assert str(first["description"]) == as_calendar_text(f"Local name: {local_name}\n{note}")
    assert str(second["summary"]) == as_calendar_text(f"IN: {campaign_name}")
    assert str(second.get("description", "")) == as_calendar_text(occasion)  # none when nothing is left
    timed = {"SUMMARY", "DTSTART", "DTEND", "UID", "DTSTAMP", "CATEGORIES"}
    assert set(first) == timed | {"DESCRIPTION", "TRANSP"}
    assert set(second) - {"DESCRIPTION"} == timed


def test_a_regional_holiday_names_its_region_in_the_ics_and_the_csv():
    entry = CalendarEntry(
        start=date(2027, 1, 15),
        end=date(2027, 1, 15),
        name="Makar Sankranti",
        kind="holiday",
        category="public",
        country="IN",
        region="KA",
    )
    national = entry._replace(name="Republic Day", start=date(2027, 1, 26), end=date(2027, 1, 26), region="")
    summaries = [
        str(e["summary"]) for e in parse(calendar_ics([entry, national], name="Rollout IN", stamp=STAMP))
    ]
    assert summaries == ["Makar Sankranti (Karnataka)", "Republic Day"]
    bavarian = entry._replace(name="Heilige Drei Könige", country="DE", region="BY")
    [event] = parse(calendar_ics([bavarian], name="Rollout DE", stamp=STAMP, locale="de"))
    assert str(event["summary"]) == "Heilige Drei Könige (Bayern)"
    header, *rows = csv.reader(io.StringIO(calendar_csv([entry, national]).decode("utf-8-sig")))
    regions = [dict(zip(header, row, strict=True))["region"] for row in rows]
    assert regions == ["Karnataka", ""]
