"""Regional holidays are shown once, as the region's, by the region's name in the viewer's language.

python-holidays gives a region's calendar as the national holidays and the region's together; India lists
Makar Sankranti as an optional holiday nationally and Karnataka keeps it as a public one (2027-01-15).
"""

from __future__ import annotations

from datetime import date

from rollout.marketing.calendar_views import agenda, month_weeks
from rollout.marketing.local_calendar import public_holidays
from rollout.platform.locales import region_name

SANKRANTI = date(2027, 1, 15)


def named(entries, name: str):
    return [e for e in entries if e.name == name]


def test_karnatakas_makar_sankranti_is_shown_once_as_karnatakas():
    entries = public_holidays("IN", date(2027, 1, 1), date(2027, 1, 31), locale="en", subdiv="KA")
    [sankranti] = named(entries, "Makar Sankranti")
    assert (sankranti.start, sankranti.category, sankranti.region) == (SANKRANTI, "public", "KA")
    assert sankranti.label("en") == "Makar Sankranti (Karnataka)"
    [republic_day] = named(entries, "Republic Day")
    assert republic_day.region == "" and republic_day.label("en") == "Republic Day"  # national


def test_without_a_region_the_national_holidays_are_unmarked():
    entries = public_holidays("IN", date(2027, 1, 1), date(2027, 1, 31), locale="en")
    [sankranti] = named(entries, "Makar Sankranti")
    assert (sankranti.category, sankranti.region) == ("optional", "")


def test_the_agenda_and_the_month_name_the_region_in_the_viewers_language():
    entries = public_holidays("DE", date(2027, 1, 1), date(2027, 1, 31), locale="en", subdiv="BY")
    what = agenda(entries, "en")["what"].tolist()
    assert "⊘ Epiphany (Bavaria)" in what and "⊘ New Year's Day" in what
    weeks = month_weeks(2027, 1, first_week_day=0, entries=entries, weekend=frozenset({5, 6}), locale="fr")
    labels = [
        label for week in weeks for cell in week if cell.day == date(2027, 1, 6) for label in cell.labels
    ]
    assert any(label.endswith("(Bavière)") for label in labels)


def test_regions_by_name_in_the_viewers_language():
    assert region_name("DE", "BY", "en") == "Bavaria"
    assert region_name("DE", "BY", "de") == "Bayern"
    assert region_name("IN", "KA", "en") == "Karnataka"
    assert region_name("ES", "MD", "fr") == "Communauté de Madrid"  # ISO's "Madrid, Communauté de"
