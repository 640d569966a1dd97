"""Planning campaigns at the right local moment: warnings, suggested slots, local events.

Times are entered and shown in the country's local time; instants are stored in UTC with the zone
they were planned in, so a webinar stays at 10:00 Madrid time across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.gates.metrics import MetricWindow, register
from rollout.marketing.campaign_playbooks import CampaignPlaybooks, load_campaign_playbooks
from rollout.marketing.campaign_tasks import cancel_open_tasks, create_tasks, reschedule_open_tasks
from rollout.marketing.local_calendar import (
    CalendarEntry,
    blocked_reasons,
    calendar_entries,
    campaigns_between,
    subdivisions,
    weekend_days,
)
from rollout.marketing.local_habits import LocalHabits, local_habits
from rollout.platform import settings
from rollout.platform.access import Action, authorize
from rollout.platform.countries import get_country
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.locales import all_time_zones, country_locale
from rollout.platform.locking import locked, require_version, touch
from rollout.platform.models import CHANNELS, Campaign, CampaignTask, Country, LocalEvent, utc_now

MIN_DAYS_APART = 3  # two campaigns closer than this in one market compete for the same attention
GOOD_WEEKDAYS = {1, 2, 3}  # Tuesday to Thursday: the usual best days for B2B webinars and emails
LEAD_DAYS = 14  # an opportunity up to this many days ahead makes a good hook


@dataclass(frozen=True)
class CampaignWarning:
    kind: str  # holiday, weekend, quiet, hours, lunch, too_close, dst; or opportunity (good news)
    message: str

    @property
    def is_problem(self) -> bool:
        return self.kind != "opportunity"


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # local, timezone-aware
    score: int
    reasons: tuple[str, ...]


def to_utc(local_start: datetime, time_zone: str) -> datetime:
    """The instant of a local wall-clock time; refuses times that do not exist or happen twice."""
    zone = ZoneInfo(time_zone)
    first, second = local_start.replace(tzinfo=zone, fold=0), local_start.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local_start:
        raise RolloutError(
            f"time: {local_start:%H:%M} does not exist on {local_start:%Y-%m-%d} in {time_zone} "
            "(clocks go forward): choose another time"
        )
    if first.astimezone(UTC) != second.astimezone(UTC):
        raise RolloutError(
            f"time: {local_start:%H:%M} happens twice on {local_start:%Y-%m-%d} in {time_zone} "
            "(clocks go back): choose another time"
        )
    return first.astimezone(UTC)


def default_time_zone(country: Country) -> str:
    """Where a campaign's local time is set unless the marketer chooses another of the country's zones."""
    return country.main_time_zone or (country.time_zones[0] if country.time_zones else "UTC")


def hq_time_zone() -> str:
    return settings.current().hq_time_zone


def in_hq_time(starts_at: datetime) -> datetime:
    return starts_at.astimezone(ZoneInfo(hq_time_zone()))


def _validate(
    code: str, name: str, channel: str, time_zone: str, duration: int, locale: str, subdivision: str | None
) -> None:
    if not name.strip():
        raise RolloutError("name: required")
    if channel not in CHANNELS:
        raise RolloutError(f"channel: '{channel}' is not one of {', '.join(CHANNELS)}")
    if time_zone not in all_time_zones():
        raise RolloutError(f"time zone: '{time_zone}' is not in the IANA time zone database")
    if not 1 <= duration <= 24 * 60:
        raise RolloutError(f"duration: must be 1 to 1440 minutes, not {duration}")
    if locale:
        try:
            Locale.parse(locale)
        except (UnknownLocaleError, ValueError):
            raise RolloutError(f"locale: '{locale}' is not a CLDR locale (e.g. es_ES, hi_IN)") from None
    if subdivision and subdivision not in subdivisions(code):
        raise RolloutError(f"region: '{subdivision}' is not a subdivision of {code}")


def campaign_warnings(
    session: Session,
    *,
    code: str,
    local_start: datetime,
    time_zone: str,
    duration_minutes: int = 60,
    subdivision: str | None = None,
    ignore_campaign: int | None = None,
) -> list[CampaignWarning]:
    """Everything that speaks against (or for) this local date and time in this market."""
    country = get_country(session, code)
    day = local_start.date()
    entries = calendar_entries(session, country.code, *_around(day, day), subdiv=subdivision)
    habits = local_habits(country.code)
    return _warnings(entries, weekend_days(country), habits, local_start, duration_minutes, ignore_campaign)


def _around(first: date, last: date) -> tuple[date, date]:
    """The calendar span the warnings of campaigns on days first…last read: campaigns a few days either
    side, and the hooks ahead."""
    return first - timedelta(days=MIN_DAYS_APART), last + timedelta(days=max(MIN_DAYS_APART, LEAD_DAYS))


def _warnings(
    entries: list[CalendarEntry],
    weekend: frozenset[int],
    habits: LocalHabits,
    local_start: datetime,
    duration_minutes: int,
    ignore_campaign: int | None,
) -> list[CampaignWarning]:
    """campaign_warnings() from calendar entries covering _around() the day (more days do no harm)."""
    day = local_start.date()
    warnings = [_blocked_warning(reason, day) for reason in blocked_reasons(day, entries, weekend)]
    end = (datetime.combine(day, local_start.time()) + timedelta(minutes=duration_minutes)).time()
    warnings += _hours_warnings(habits, local_start.time(), end)
    warnings += _too_close(entries, day, ignore_campaign)
    warnings += [
        CampaignWarning("opportunity", f"{e.name} starts {_days_ahead(e.start, day)}: a hook to use")
        for e in entries
        if e.category == "opportunity" and day <= e.start <= day + timedelta(days=LEAD_DAYS)
    ]
    return warnings


def _hours_warnings(habits: LocalHabits, start: time, end: time) -> list[CampaignWarning]:
    """Against the country's own business hours and lunch break (rollout/data/local_habits.toml)."""
    if not habits.within_hours(start, end):
        return [
            CampaignWarning(
                "hours", f"{start:%H:%M}–{end:%H:%M} is outside local business hours ({habits.hours_text()})"
            )
        ]
    if habits.lunch is not None and habits.over_lunch(start, end):
        lunch = f"{habits.lunch[0]:%H:%M}–{habits.lunch[1]:%H:%M}"
        return [
            CampaignWarning("lunch", f"{start:%H:%M}–{end:%H:%M} runs into the local lunch break ({lunch})")
        ]
    return []


def _blocked_warning(reason: str, day: date) -> CampaignWarning:
    if reason == "weekend":
        return CampaignWarning("weekend", f"{day:%A %d %B} is a weekend day in this market")
    return CampaignWarning("holiday", f"{day.isoformat()}: {reason} — people are off or not listening")


def _too_close(entries: list[CalendarEntry], day: date, ignore: int | None) -> list[CampaignWarning]:
    return [
        CampaignWarning(
            "too_close",
            f"'{e.name}' is planned {abs((e.start - day).days)} day(s) away on "
            f"{e.start.isoformat()} in the same market",
        )
        for e in entries
        if e.kind == "campaign" and e.campaign_id != ignore and abs((e.start - day).days) < MIN_DAYS_APART
    ]


def _days_ahead(start: date, day: date) -> str:
    days = (start - day).days
    return "that day" if days == 0 else f"{days} day(s) later, on {start.isoformat()}"


def plan_campaign(
    session: Session,
    *,
    code: str,
    name: str,
    channel: str,
    local_start: datetime,
    by: str,
    time_zone: str | None = None,
    duration_minutes: int = 60,
    locale: str = "",
    subdivision: str | None = None,
    owner: str = "",
    occasion: str = "",
    linked_content: str = "",
) -> tuple[Campaign, list[CampaignWarning]]:
    """Save a campaign; returns it with its warnings (warnings inform, they do not refuse)."""
    country = get_country(session, code)
    by = authorize(session, by, Action.MANAGE_MARKETING, country.code)
    time_zone = time_zone or default_time_zone(country)
    _validate(country.code, name, channel, time_zone, duration_minutes, locale, subdivision)
    starts_at = to_utc(local_start, time_zone)
    twin = session.exec(
        select(Campaign.id).where(
            Campaign.country_code == country.code,
            Campaign.name == name.strip(),
            Campaign.starts_at == starts_at,
            col(Campaign.cancelled).is_(False),
        )
    ).first()
    if twin is not None:
        raise RolloutError(f"'{name.strip()}' is already planned at that time (campaign #{twin})")
    warnings = campaign_warnings(
        session,
        code=country.code,
        local_start=local_start,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        subdivision=subdivision,
    )
    campaign = Campaign(
        country_code=country.code,
        name=name.strip(),
        channel=channel,
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        locale=locale,
        subdivision=subdivision or None,
        owner=owner.strip().lower(),
        occasion=occasion.strip(),
        linked_content=linked_content.strip(),
        updated_at=utc_now(),
        updated_by=by,
    )
    session.add(campaign)
    session.flush()
    return campaign, warnings


def cancel_campaign(
    session: Session, *, campaign_id: int, by: str, expected_version: int | None = None
) -> Campaign:
    campaign = locked(session, Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign #{campaign_id} does not exist")
    by = authorize(session, by, Action.MANAGE_MARKETING, campaign.country_code)
    require_version(campaign, expected_version, f"campaign '{campaign.name}'")
    campaign.cancelled = True
    touch(campaign, by)
    session.add(campaign)
    session.flush()
    cancel_open_tasks(session, campaign_id, by)
    return campaign


@dataclass(frozen=True)
class PlannedCampaign:
    campaign: Campaign
    warnings: list[CampaignWarning]
    tasks: list[CampaignTask]


def plan_from_playbook(
    session: Session,
    *,
    code: str,
    playbook: str,
    local_start: datetime,
    by: str,
    name: str = "",
    subdivision: str | None = None,
    time_zone: str | None = None,
    owner: str = "",
    occasion: str = "",
    playbooks: CampaignPlaybooks | None = None,
) -> PlannedCampaign:
    """A campaign with the playbook's channel and length, and its tasks due on the market's working days
    counted from its local date; every task goes to the owner (else the planner) until reassigned."""
    chosen = (playbooks or load_campaign_playbooks()).get(playbook)
    campaign, warnings = plan_campaign(
        session,
        code=code,
        name=name.strip() or chosen.name,
        channel=chosen.channel,
        local_start=local_start,
        by=by,
        time_zone=time_zone,
        duration_minutes=chosen.duration_minutes,
        locale=country_locale(code),
        subdivision=subdivision,
        owner=owner,
        occasion=occasion,
    )
    tasks = create_tasks(
        session, campaign=campaign, playbook=chosen, assignee=campaign.owner or campaign.updated_by, by=by
    )
    return PlannedCampaign(campaign, warnings, tasks)


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign #{campaign_id} does not exist")
    return campaign


KEEP = "keep"  # edit_campaign: leave the region as it is


def edit_campaign(
    session: Session,
    *,
    campaign_id: int,
    by: str,
    expected_version: int | None = None,
    name: str | None = None,
    local_start: datetime | None = None,
    subdivision: str | None = KEEP,
    owner: str | None = None,
    duration_minutes: int | None = None,
) -> tuple[Campaign, list[CampaignWarning]]:
    """Change a planned campaign (None, or KEEP for the region: left as it is). Moving it, or changing its
    region, counts its open tasks again from the new date; the history keeps every earlier value."""
    campaign = locked(session, Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign #{campaign_id} does not exist")
    by = authorize(session, by, Action.MANAGE_MARKETING, campaign.country_code)
    require_version(campaign, expected_version, f"campaign '{campaign.name}'")
    if campaign.cancelled:
        raise RolloutError(f"campaign '{campaign.name}' was cancelled: plan a new one instead")
    region = campaign.subdivision if subdivision == KEEP else (subdivision or None)
    new_name = campaign.name if name is None else name.strip()
    duration = campaign.duration_minutes if duration_minutes is None else duration_minutes
    _validate(campaign.country_code, new_name, campaign.channel, campaign.time_zone, duration, "", region)
    starts_at = campaign.starts_at if local_start is None else to_utc(local_start, campaign.time_zone)
    moved = (starts_at, region) != (campaign.starts_at, campaign.subdivision)
    campaign.name, campaign.subdivision, campaign.duration_minutes = new_name, region, duration
    campaign.starts_at = starts_at
    if owner is not None:
        campaign.owner = owner.strip().lower()
    if session.is_modified(campaign):
        touch(campaign, by)
        session.add(campaign)
        session.flush()
    if moved:
        reschedule_open_tasks(session, campaign, by)
    local = starts_at.astimezone(ZoneInfo(campaign.time_zone)).replace(tzinfo=None)
    warnings = campaign_warnings(
        session,
        code=campaign.country_code,
        local_start=local,
        time_zone=campaign.time_zone,
        duration_minutes=duration,
        subdivision=region,
        ignore_campaign=campaign.id,
    )
    return campaign, warnings


def suggest_slots(
    session: Session,
    *,
    code: str,
    start: date,
    end: date,
    local_time: time | None = None,
    count: int = 5,
    subdivision: str | None = None,
    time_zone: str | None = None,
    today: date | None = None,
) -> list[Slot]:
    """The best `count` days in [start, end] at `local_time` (default: the country's usual webinar hour),
    ranked by fit, each with its reasons."""
    country = get_country(session, code)
    local_time = local_time or local_habits(country.code).webinar
    zone = ZoneInfo(time_zone or default_time_zone(country))
    start = max(start, today or date.today())  # a slot in the past is no suggestion
    entries = calendar_entries(
        session,
        country.code,
        start - timedelta(days=MIN_DAYS_APART),
        end + timedelta(days=LEAD_DAYS),
        subdiv=subdivision,
    )
    weekend = weekend_days(country)
    slots = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        if blocked_reasons(day, entries, weekend) or _too_close(entries, day, None):
            continue
        score, reasons = _fit(day, entries)
        slots.append(Slot(datetime.combine(day, local_time, tzinfo=zone), score, tuple(reasons)))
    return sorted(slots, key=lambda slot: (-slot.score, slot.starts_at))[:count]


def _fit(day: date, entries: list[CalendarEntry]) -> tuple[int, list[str]]:
    score, reasons = 1, ["a working day with no holiday, quiet period or nearby campaign"]
    if day.weekday() in GOOD_WEEKDAYS:
        score += 2
        reasons.append(f"{day:%A}: mid-week days draw the best B2B attendance")
    hooks = [
        e
        for e in entries
        if e.category == "opportunity" and day <= e.start <= day + timedelta(days=LEAD_DAYS)
    ]
    for hook in hooks:
        score += 3
        reasons.append(f"leads into {hook.name} ({_days_ahead(hook.start, day)})")
    return score, reasons


def add_local_event(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    start: date | None,
    end: date | None,
    by: str,
    note: str = "",
) -> LocalEvent:
    country = get_country(session, code)
    by = authorize(session, by, Action.MANAGE_MARKETING, country.code)
    if not name.strip():
        raise RolloutError("name: required")
    if kind not in ("opportunity", "quiet"):
        raise RolloutError(f"kind: must be opportunity or quiet, not '{kind}'")
    if start is None or end is None:
        raise RolloutError("dates: choose the first and the last day")
    if end < start:
        raise RolloutError(f"end: {end.isoformat()} is before the start {start.isoformat()}")
    _refuse_twin_event(session, country.code, name, start, end)
    event = LocalEvent(
        country_code=country.code,
        name=name.strip(),
        kind=kind,
        start_date=start,
        end_date=end,
        note=note.strip(),
        created_at=utc_now(),
        created_by=by,
    )
    session.add(event)
    session.flush()
    return event


def _refuse_twin_event(
    session: Session, code: str, name: str, start: date, end: date, event_id: int | None = None
) -> None:
    """The same event on the same days is there once (a second click on "Add event" adds nothing)."""
    twin = session.exec(
        select(LocalEvent.id).where(
            LocalEvent.country_code == code,
            LocalEvent.name == name.strip(),
            LocalEvent.start_date == start,
            LocalEvent.end_date == end,
            LocalEvent.id != event_id,
        )
    ).first()
    if twin is not None:
        raise RolloutError(f"'{name.strip()}' is already in the calendar on those days (local event #{twin})")


def planned_with_conflicts(
    session: Session, code: str, start: date, end: date
) -> list[tuple[Campaign, list[CampaignWarning]]]:
    """The campaigns planned on local days within [start, end], each with what speaks against it today
    (holidays and events may have been added since it was planned): campaign_warnings() of each, reading
    the calendar once per region rather than once per campaign."""
    country = get_country(session, code)
    planned = campaigns_between(session, country.code, start, end)
    weekend, calendars_by_region, habits = weekend_days(country), {}, local_habits(country.code)
    found = []
    for campaign in planned:
        region = campaign.subdivision or None
        if region not in calendars_by_region:
            calendars_by_region[region] = calendar_entries(
                session, country.code, *_around(start, end), subdiv=region
            )
        local = campaign.starts_at.astimezone(ZoneInfo(campaign.time_zone)).replace(tzinfo=None)
        warnings = _warnings(
            calendars_by_region[region], weekend, habits, local, campaign.duration_minutes, campaign.id
        )
        found.append((campaign, warnings))
    return found


@register(
    "timed_campaigns_next_quarter",
    description="Campaigns tied to a local holiday or event, planned for the 3 months after the window",
)
def timed_campaigns_next_quarter(session: Session, window: MetricWindow) -> float:
    first = datetime.combine(window.end + timedelta(days=1), time.min, tzinfo=UTC)
    last = first + timedelta(days=92)
    query = (
        select(func.count())
        .select_from(Campaign)
        .where(
            Campaign.country_code == window.country_code,
            Campaign.cancelled == False,  # noqa: E712
            Campaign.occasion != "",
            col(Campaign.starts_at) >= first,
            col(Campaign.starts_at) < last,
        )
    )
    return session.exec(query).one()
