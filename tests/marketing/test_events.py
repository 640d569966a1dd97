"""Cultural and commercial events: dates typed from published sources (cited beside them), rules checked.

In the habit of python-holidays' tests, each expected date names where it was read.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.marketing import events
from rollout.marketing.events import (
    DEFAULT_EVENTS,
    EventOccurrence,
    EventRuleError,
    events_between,
    load_event_rules,
    occurrences,
    parse_event_rules,
)
from rollout.platform.config_files import ConfigFileError
from rollout.platform.locales import iso_country_codes

SOURCE = "bad-events.toml"


@pytest.fixture(scope="module")
def rules():
    return load_event_rules()


def spans(rules, key: str, year: int, country: str | None = None) -> list[tuple[date, date]]:
    return [(o.start, o.end) for o in occurrences(rules, [year], country) if o.key == key]


def starts(rules, key: str, years) -> list[date]:
    return [o.start for o in occurrences(rules, years) if o.key == key]


def event(key: str = "a", rule: str = "fixed = { month = 11, day = 11 }", extra: str = "") -> str:
    """One [[events]] entry; `rule` is its date rule, `extra` more lines."""
    return (
        f'[[events]]\nkey = "{key}"\nname = "Event {key}"\nkind = "opportunity"\n'
        f'countries = ["US"]\nsource = "https://example.org/{key}"\n{rule}\n{extra}\n'
    )


def parsed(*entries: str):
    return parse_event_rules("\n".join(entries), source=SOURCE)


# --- The shipped file ---


def test_shipped_rules_load_and_cite_their_sources(rules):
    assert len(rules) >= 15
    assert len({rule.key for rule in rules}) == len(rules)
    for rule in rules:
        assert rule.source.strip(), rule.key
        assert rule.kind in ("opportunity", "quiet")
        assert rule.countries


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_every_shipped_rule_occurs_each_year(rules, year):
    found = {o.key for o in occurrences(rules, [year])}
    assert found == {rule.key for rule in rules}


def test_load_is_cached_until_the_file_changes(tmp_path):
    path = tmp_path / "events.toml"
    path.write_text(event("first"), encoding="utf-8")
    first = load_event_rules(path)
    assert load_event_rules(path) is first
    path.write_text(event("second"), encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 1_000_000))
    assert [rule.key for rule in load_event_rules(path)] == ["second"]
    assert load_event_rules() is load_event_rules(DEFAULT_EVENTS)


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(EventRuleError, match="nope.toml"):
        load_event_rules(missing)


# --- Retail peaks ---


def test_black_friday_is_the_day_after_the_fourth_thursday_of_november(rules):
    # US Thanksgiving, 5 U.S.C. 6103(a): 2025-11-27, 2026-11-26, 2027-11-25 (OPM federal holiday lists,
    # https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/); Black Friday is the day after.
    assert starts(rules, "black_friday", [2025, 2026, 2027]) == [
        date(2025, 11, 28),
        date(2026, 11, 27),
        date(2027, 11, 26),
    ]
    assert spans(rules, "black_friday", 2026, "GB") == [(date(2026, 11, 27), date(2026, 11, 27))]
    assert spans(rules, "black_friday", 2026, "CN") == []


def test_cyber_monday_is_relative_to_black_friday(rules):
    # The Monday after Black Friday (Shop.org, 2005): 2026-11-30.
    assert spans(rules, "cyber_monday", 2026, "US") == [(date(2026, 11, 30), date(2026, 11, 30))]
    assert starts(rules, "cyber_monday", [2025, 2027]) == [date(2025, 12, 1), date(2027, 11, 29)]


def test_singles_day_is_eleventh_of_november_in_china(rules):
    assert spans(rules, "singles_day", 2026, "CN") == [(date(2026, 11, 11), date(2026, 11, 11))]
    assert spans(rules, "singles_day", 2026, "US") == []


def test_memorial_day_weekend_runs_saturday_to_the_last_monday_of_may(rules):
    # 5 U.S.C. 6103(a): Memorial Day, the last Monday in May; OPM lists 2026-05-25 and 2027-05-31.
    assert spans(rules, "memorial_day_weekend_us", 2026, "US") == [(date(2026, 5, 23), date(2026, 5, 25))]
    assert spans(rules, "memorial_day_weekend_us", 2027, "US") == [(date(2027, 5, 29), date(2027, 5, 31))]


def test_mothers_days(rules):
    # 36 U.S.C. 117: the second Sunday in May (2026-05-10); Spain and Portugal: the first Sunday (2026-05-03).
    assert spans(rules, "mothers_day_second_sunday_may", 2026, "JP") == [
        (date(2026, 5, 10), date(2026, 5, 10))
    ]
    assert spans(rules, "mothers_day_first_sunday_may", 2026, "ES") == [(date(2026, 5, 3), date(2026, 5, 3))]
    # Mothering Sunday, three weeks before Easter (Easter 2026-04-05, 2027-03-28): 2026-03-15, 2027-03-07.
    assert starts(rules, "mothering_sunday", [2026, 2027]) == [date(2026, 3, 15), date(2027, 3, 7)]


def test_dia_dos_namorados_is_twelfth_of_june_in_brazil(rules):
    assert spans(rules, "dia_dos_namorados", 2027, "BR") == [(date(2027, 6, 12), date(2027, 6, 12))]


# --- Lunar calendars ---


def test_chinese_new_year(rules):
    # Hong Kong Observatory, Gregorian-Lunar Calendar Conversion Table
    # (https://www.hko.gov.hk/en/gts/time/conversion.htm): first day of the first lunar month.
    assert starts(rules, "chinese_new_year", range(2025, 2029)) == [
        date(2025, 1, 29),
        date(2026, 2, 17),
        date(2027, 2, 6),
        date(2028, 1, 26),
    ]
    assert all(not o.estimated for o in occurrences(rules, [2026]) if o.key == "chinese_new_year")


def test_spring_festival_quiet_week_is_new_years_eve_to_the_sixth_day(rules):
    assert spans(rules, "spring_festival_quiet_cn", 2026, "CN") == [(date(2026, 2, 16), date(2026, 2, 23))]
    # The State Council's notice of 4 November 2025 set the 2026 holiday at 15-23 February (9 days, with
    # swapped weekends): the rule's approximation lies inside it.
    start, end = spans(rules, "spring_festival_quiet_cn", 2026)[0]
    assert date(2026, 2, 15) <= start and end <= date(2026, 2, 23)


def test_diwali(rules):
    # 2025-10-20: Government of India (DoPT) list of holidays for Central Government offices, 2025, which
    # python-holidays' India class also gives. (The library's generic diwali_date table says 2025-11-19,
    # which is why the adapter uses diwali_india_date.)
    # 2026-11-08 and 2027-10-29: https://www.timeanddate.com/holidays/india/diwali (python-holidays' source).
    assert starts(rules, "diwali", [2025, 2026, 2027]) == [
        date(2025, 10, 20),
        date(2026, 11, 8),
        date(2027, 10, 29),
    ]


def test_ramadan_and_eid_al_fitr_2026(rules):
    # The UAE moon-sighting committee announced 18 February 2026 as the first day of Ramadan
    # (https://connector.ae/updates/14913/crescent-moon-sighted-in-the-uae-ramadan-to-begin-on-18-february);
    # Eid al-Fitr fell on Friday 20 March 2026 (The National, 13 March 2026; python-holidays' UAE class lists
    # it as confirmed). Ramadan therefore ran 18 February - 19 March.
    assert spans(rules, "ramadan", 2026, "AE") == [(date(2026, 2, 18), date(2026, 3, 19))]
    assert spans(rules, "eid_al_fitr", 2026, "AE") == [(date(2026, 3, 20), date(2026, 3, 22))]


def test_ramadan_and_eid_al_fitr_2027_are_estimates(rules):
    # The Umm al-Qura calendar gives 1 Ramadan 1448 = 8 February 2027 and 1 Shawwal 1448 = 9 March 2027.
    # Each country fixes the day by sighting the crescent, so the real day can be one later: in 2026
    # astronomers forecast 19 February while the UAE announced 18 February. That uncertainty is what the
    # `estimated` flag says; the dates asserted here are the calendar's, exactly.
    found = {o.key: o for o in occurrences(rules, [2027], "SA") if o.key in ("ramadan", "eid_al_fitr")}
    assert (found["ramadan"].start, found["ramadan"].end) == (date(2027, 2, 8), date(2027, 3, 8))
    assert found["eid_al_fitr"].start == date(2027, 3, 9)
    assert found["ramadan"].estimated and found["eid_al_fitr"].estimated


def test_a_lunar_holiday_falling_twice_in_a_year_gives_both(rules):
    # Ramadan begins on 5 January and again on 26 December 2030 (Umm al-Qura); the second span runs into
    # 2031, and belongs to 2030, the year it starts in.
    assert spans(rules, "ramadan", 2030) == [
        (date(2030, 1, 5), date(2030, 2, 3)),
        (date(2030, 12, 26), date(2031, 1, 23)),
    ]
    assert date(2030, 12, 26) not in starts(rules, "ramadan", [2031])


def test_lunar_adapters_return_dates_in_the_requested_year():
    assert events.lunar_dates("chinese", "new_year", 2026) == ((date(2026, 2, 17), False),)
    assert events.lunar_dates("hindu", "diwali", 2036) == ()  # beyond the library's India table
    for day, estimated in events.lunar_dates("islamic", "eid_al_adha", 2026):
        assert day.year == 2026 and estimated


# --- Windows ---


def test_golden_week_japan(rules):
    # Act on National Holidays: Showa Day 29 April ... Children's Day 5 May.
    assert spans(rules, "golden_week_jp", 2026, "JP") == [(date(2026, 4, 29), date(2026, 5, 5))]
    assert next(o for o in occurrences(rules, [2026]) if o.key == "golden_week_jp").kind == "quiet"


def test_august_shutdown(rules):
    for country in ("FR", "IT", "ES"):
        assert spans(rules, "august_shutdown", 2026, country) == [(date(2026, 8, 1), date(2026, 8, 31))]
    assert spans(rules, "august_shutdown", 2026, "DE") == []


def test_christmas_lull_crosses_the_year_end_and_belongs_to_the_year_it_starts(rules):
    assert spans(rules, "christmas_new_year_lull", 2026, "DE") == [(date(2026, 12, 24), date(2027, 1, 2))]
    assert spans(rules, "christmas_new_year_lull", 2027) == [(date(2027, 12, 24), date(2028, 1, 2))]
    new_year = events_between(rules, date(2027, 1, 1), date(2027, 1, 1), "BR")
    assert [(o.key, o.start) for o in new_year] == [("christmas_new_year_lull", date(2026, 12, 24))]


def test_the_christmas_lull_names_its_markets_and_spares_the_gulf_india_and_japan(rules):
    for country in ("AE", "IN", "JP", "SA"):
        assert spans(rules, "christmas_new_year_lull", 2026, country) == []
    for country in ("ES", "GB", "BR", "US"):
        assert spans(rules, "christmas_new_year_lull", 2026, country) == [
            (date(2026, 12, 24), date(2027, 1, 2))
        ]
    lull = next(r for r in rules if r.key == "christmas_new_year_lull")
    assert "*" not in lull.countries and lull.source


def test_japan_keeps_its_own_year_end_break_by_law(rules):
    # Act on Holidays of Administrative Organs (Act No. 91 of 1988), Article 1: 29 December to 3 January.
    assert spans(rules, "year_end_break_jp", 2026, "JP") == [(date(2026, 12, 29), date(2027, 1, 3))]
    assert spans(rules, "year_end_break_jp", 2026, "DE") == []


# --- Queries ---


def test_occurrences_are_sorted_and_filtered_to_a_country(rules):
    found = occurrences(rules, [2027, 2026], "jp")
    assert [o.start for o in found] == sorted(o.start for o in found)
    assert {o.key for o in found} >= {
        "golden_week_jp",
        "year_end_break_jp",
        "mothers_day_second_sunday_may",
    }
    assert "black_friday" not in {o.key for o in found}
    assert all(o.applies_to("JP") for o in found)


def test_applies_to():
    everywhere = EventOccurrence("x", "X", "quiet", date(2026, 1, 1), date(2026, 1, 1), ("*",), "src")
    some = EventOccurrence("y", "Y", "quiet", date(2026, 1, 1), date(2026, 1, 1), ("FR", "IT"), "src")
    assert everywhere.applies_to("NZ")
    assert some.applies_to("fr") and not some.applies_to("DE")


def test_events_between_returns_every_overlapping_occurrence(rules):
    found = events_between(rules, date(2026, 3, 1), date(2026, 3, 20), "AE")
    assert [(o.key, o.start) for o in found] == [
        ("ramadan", date(2026, 2, 18)),
        ("eid_al_fitr", date(2026, 3, 20)),
    ]
    with pytest.raises(ValueError, match="before it starts"):
        events_between(rules, date(2026, 3, 2), date(2026, 3, 1))


def test_150_countries_over_3_years_is_fast(rules):
    events._all_occurrences.cache_clear()
    events.lunar_dates.cache_clear()
    began = time.perf_counter()
    for country in iso_country_codes()[:150]:
        occurrences(rules, [2026, 2027, 2028], country)
    assert time.perf_counter() - began < 1.0


# --- Rule types on small files ---


def test_nth_weekday_counts_from_the_end_with_minus_one():
    # May 2026 has five Sundays (3 ... 31): the last is the 31st, the second-to-last the 24th.
    rules = parsed(
        event("last", 'nth_weekday = { month = 5, weekday = "sunday", n = -1 }'),
        event("second_last", 'nth_weekday = { month = 5, weekday = "sunday", n = -2 }'),
        event("fourth", 'nth_weekday = { month = 5, weekday = "sunday", n = 4 }'),
    )
    assert {o.key: o.start for o in occurrences(rules, [2026])} == {
        "last": date(2026, 5, 31),
        "second_last": date(2026, 5, 24),
        "fourth": date(2026, 5, 24),
    }


def test_relative_rules_chain_and_cross_the_year_end():
    rules = parsed(
        event("new_year", "fixed = { month = 1, day = 1 }"),
        event("eve", 'relative = { to = "new_year", offset_days = -1 }', "days = 2"),
        event("eve_week", 'relative = { to = "eve", offset_days = 7 }'),
    )
    # The eve of 1 January 2027 is 31 December 2026: it belongs to 2026, and the week after it to 2027.
    assert [(o.key, o.start, o.end) for o in occurrences(rules, [2026]) if o.key != "new_year"] == [
        ("eve_week", date(2026, 1, 7), date(2026, 1, 7)),
        ("eve", date(2026, 12, 31), date(2027, 1, 1)),
    ]
    assert ("eve", date(2026, 12, 31)) not in [(o.key, o.start) for o in occurrences(rules, [2027])]


def test_relative_to_easter():
    rules = parsed(event("good_friday", 'relative = { to = "easter", offset_days = -2 }'))
    assert starts(rules, "good_friday", [2026, 2027]) == [date(2026, 4, 3), date(2027, 3, 26)]


def test_until_ends_a_span_at_the_next_occurrence_of_another_event():
    rules = parsed(
        event("advent", "fixed = { month = 12, day = 1 }", 'until = "epiphany"\nuntil_offset_days = -1'),
        event("epiphany", "fixed = { month = 1, day = 6 }"),
    )
    assert spans(rules, "advent", 2026) == [(date(2026, 12, 1), date(2027, 1, 5))]


def test_dates_rule_lists_one_off_editions():
    rules = parsed(event("fair", 'dates = [2027-04-12, "2026-04-20"]', "days = 5"))
    assert spans(rules, "fair", 2026) == [(date(2026, 4, 20), date(2026, 4, 24))]
    assert spans(rules, "fair", 2027) == [(date(2027, 4, 12), date(2027, 4, 16))]
    assert spans(rules, "fair", 2028) == []


def test_a_rule_whose_reference_is_left_out_is_named():
    rules = parsed(event("a"), event("b", 'relative = { to = "a" }'))
    with pytest.raises(ValueError, match="'a'"):
        occurrences(rules[1:], [2026])


# --- Errors name the file and the rule key ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (event("bad_kind", extra="").replace('"opportunity"', '"maybe"'), "'kind' must be one of"),
        (event("no_source").replace('source = "https://example.org/no_source"', ""), "missing key 'source'"),
        (event("blank_source").replace('"https://example.org/blank_source"', '"  "'), "'source' is empty"),
        (
            event(
                "two_rules", extra="window = { start = { month = 1, day = 1 }, end = { month = 1, day = 2 } }"
            ),
            "exactly one date rule",
        ),
        (event("no_rule", rule=""), "exactly one date rule"),
        (event("lost", 'relative = { to = "nowhere", offset_days = 1 }'), "unknown event 'nowhere'"),
        (event("lost_until", extra='until = "nowhere"'), "unknown event 'nowhere'"),
        (event("month13", "fixed = { month = 13, day = 1 }"), "'month' must be between 1 and 12"),
        (event("day32", "fixed = { month = 1, day = 32 }"), "'day' must be between 1 and 31"),
        (event("leap", "fixed = { month = 2, day = 29 }"), "'day' must be between 1 and 28"),
        (
            event("funday", 'nth_weekday = { month = 5, weekday = "funday", n = 1 }'),
            "'weekday' must be one of",
        ),
        (event("n_zero", 'nth_weekday = { month = 5, weekday = "sunday", n = 0 }'), "'n' must be"),
        (event("n_five", 'nth_weekday = { month = 5, weekday = "sunday", n = 5 }'), "'n' must be between"),
        (
            event("moon", 'lunar = { calendar = "martian", holiday = "new_year" }'),
            "'calendar' must be one of",
        ),
        (event("eid", 'lunar = { calendar = "chinese", holiday = "eid_al_fitr" }'), "chinese calendar knows"),
        (event("typo", extra='desciption = "x"'), "unknown key(s) desciption"),
        (event("table_typo", "fixed = { month = 1, dya = 2 }"), "unknown key(s) dya"),
        (event("not_table", "fixed = 11"), "'fixed' must be a table"),
        (event("uk").replace('["US"]', '["UK"]'), "not ISO 3166 alpha-2 country codes: UK"),
        (event("star_mixed").replace('["US"]', '["*", "US"]'), "stands alone"),
        (event("no_countries").replace('["US"]', "[]"), "'countries' is empty"),
        (
            event(
                "window_days",
                "window = { start = { month = 8, day = 1 }, end = { month = 8, day = 3 } }",
                "days = 3",
            ),
            "does not apply to a window",
        ),
        (event("both", extra='days = 2\nuntil = "both"'), "not both"),
        (event("offset_alone", extra="until_offset_days = -1"), "needs 'until'"),
        (event("far", 'relative = { to = "easter", offset_days = 400 }'), "between -365 and 365"),
        (event("zero_days", extra="days = 0"), "'days' must be between 1 and 366"),
        (event("bad_date", 'dates = ["2027-02-30"]'), "must be dates"),
        (event("easter", "fixed = { month = 4, day = 1 }"), "not 'easter'"),
        (event("Bad-Key"), "lower-case"),
        (event("twice") + event("twice"), "appears twice"),
    ],
)
def test_errors_name_the_file_and_the_rule(text, expected):
    with pytest.raises(EventRuleError) as error:
        parse_event_rules(text, source=SOURCE)
    message = str(error.value)
    assert message.startswith(SOURCE), message
    assert expected in message, message
    key = text.split('key = "', 1)[1].split('"', 1)[0]
    assert f"'{key}'" in message, message
    assert isinstance(error.value, ConfigFileError)


def test_a_cycle_of_relative_rules_is_named():
    with pytest.raises(EventRuleError) as error:
        parsed(event("a", 'relative = { to = "b" }'), event("b", 'relative = { to = "a", offset_days = 1 }'))
    message = str(error.value)
    assert message.startswith(SOURCE)
    assert "a → b → a" in message


def test_a_rule_ending_at_itself_is_a_cycle():
    with pytest.raises(EventRuleError, match="cycle: selfish → selfish"):
        parsed(event("selfish", extra='until = "selfish"'))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[events]\nkey =", "bad-events.toml: "),
        ("title = 'x'", "unknown key(s) title"),
        ("", "no [[events]]"),
    ],
)
def test_file_level_errors_name_the_file(text, expected):
    with pytest.raises(EventRuleError) as error:
        parse_event_rules(text, source=SOURCE)
    assert str(error.value).startswith(SOURCE)
    assert expected in str(error.value)


# --- Property: generated rules behave for every year ---

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
month_days = st.integers(1, 12).flatmap(lambda m: st.tuples(st.just(m), st.integers(1, DAYS_IN_MONTH[m - 1])))
years = st.integers(1990, 2100)


@settings(max_examples=150, deadline=None)
@given(month_day=month_days, days=st.integers(1, 40), year=years)
def test_fixed_rules_occur_once_a_year_with_their_length(month_day, days, year):
    month, day = month_day
    rules = parsed(event("f", f"fixed = {{ month = {month}, day = {day} }}", f"days = {days}"))
    [found] = occurrences(rules, [year])
    assert found.start == date(year, month, day)
    assert found.start <= found.end
    assert (found.end - found.start).days + 1 == days


@settings(max_examples=150, deadline=None)
@given(first=month_days, last=month_days, year=years)
def test_windows_start_in_the_year_and_wrap_when_the_end_comes_first(first, last, year):
    window = (
        f"window = {{ start = {{ month = {first[0]}, day = {first[1]} }}, "
        f"end = {{ month = {last[0]}, day = {last[1]} }} }}"
    )
    [found] = occurrences(parsed(event("w", window)), [year])
    end_year = year if last >= first else year + 1
    assert (found.start, found.end) == (date(year, *first), date(end_year, *last))
    assert found.start <= found.end
    assert (found.end - found.start).days < 366


@settings(max_examples=150, deadline=None)
@given(
    month=st.integers(1, 12),
    weekday=st.integers(0, 6),
    n=st.sampled_from([1, 2, 3, 4, -1, -2, -3, -4]),
    offset=st.integers(-40, 40),
    days=st.integers(1, 10),
    year=years,
)
def test_nth_weekday_rules_land_on_the_right_weekday(month, weekday, n, offset, days, year):
    name = WEEKDAY_NAMES[weekday]
    rule = f'nth_weekday = {{ month = {month}, weekday = "{name}", n = {n}, offset_days = {offset} }}'
    rules = parsed(event("n", rule, f"days = {days}"))
    found = occurrences(rules, [year])
    # An offset can push a date into a neighbouring year, so a year may hold its own and last year's date.
    assert len(found) <= 2
    for occurrence in found:
        assert occurrence.start.year == year
        assert occurrence.start <= occurrence.end
        assert (occurrence.end - occurrence.start).days + 1 == days
        base = occurrence.start - timedelta(days=offset)
        assert (base.month, base.weekday()) == (month, weekday)
        last_day = (date(base.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        position = (base.day - 1) // 7 + 1 if n > 0 else -((last_day - base.day) // 7 + 1)
        assert position == n
    # Every year's date appears in exactly one year's occurrences.
    own = [o for y in (year - 1, year, year + 1) for o in occurrences(rules, [y])]
    assert sum((o.start - timedelta(days=offset)).year == year for o in own) == 1
