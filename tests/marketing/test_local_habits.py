"""Local habits: each country's business hours, lunch and usual hours, from a file citing its sources."""

from __future__ import annotations

from datetime import time

import pytest

from rollout.marketing.local_habits import (
    LocalHabitsError,
    load_local_habits,
    local_habits,
    parse_local_habits,
)

SOURCE = "bad-habits.toml"
DEFAULT = '[default]\nbusiness_hours = ["09:00", "18:00"]\nwebinar = "10:00"\nemail = "09:30"\nsource = "s"\n'


def parse_error(text: str) -> str:
    with pytest.raises(LocalHabitsError) as error:
        parse_local_habits(text, source=SOURCE)
    message = str(error.value)
    assert message.startswith(SOURCE), message
    return message


def test_every_shipped_rule_cites_a_source_and_spain_lunches_late():
    book = load_local_habits()
    assert {"ES", "FR", "DE", "IT", "GB", "BR", "JP", "AE", "IN"} <= set(book.by_country)
    assert all(habits.source for habits in book.by_country.values())
    spain = local_habits("es")
    assert spain.business_hours == (time(9), time(19)) and spain.lunch == (time(14), time(15, 30))
    assert spain.over_lunch(time(14, 30), time(15, 30)) and not spain.over_lunch(time(10), time(11))
    assert spain.within_hours(time(17, 30), time(18, 30)) and not spain.within_hours(
        time(18, 30), time(19, 30)
    )


def test_usual_hours_by_channel_and_the_default_for_other_countries():
    india = local_habits("IN")
    assert india.usual_time("webinar") == time(15) and india.usual_time("emailing") == time(10, 30)
    nowhere = local_habits("NZ")
    assert nowhere == load_local_habits().default and nowhere.business_hours == (time(9), time(18))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "missing key 'default'"),
        (DEFAULT.replace('"18:00"', '"6pm"'), "[default] business_hours: '6pm' is not a time in HH:MM"),
        (DEFAULT.replace('"18:00"', '"08:00"'), "'business_hours' ends at 08:00, not after its start"),
        (DEFAULT.replace('"10:00"', '"20:00"'), "the usual webinar hour is outside 'business_hours'"),
        (DEFAULT.replace('source = "s"', 'source = " "'), "'source' must say where"),
        (DEFAULT + "colour = 1\n", "unknown key(s) colour"),
        (DEFAULT + '[[countries]]\ncode = "XX"\n', "country 'XX': 'code' must be an ISO 3166"),
        (
            DEFAULT
            + "[[countries]]\n"
            + DEFAULT.replace("[default]\n", 'code = "ES"\nlunch = ["08:00", "09:00"]\n'),
            "country 'ES': 'lunch' must fall within 'business_hours'",
        ),
    ],
)
def test_mistakes_name_the_file_and_the_key(text, expected):
    assert expected in parse_error(text)
