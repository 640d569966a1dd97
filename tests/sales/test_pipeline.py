"""Signals and opportunities: validation, defaults, stage history and table edits (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.models import Opportunity, Signal, StageChange
from rollout.sales.pipeline import (
    CellError,
    FieldError,
    TableEditError,
    apply_table_edits,
    clean_opportunity,
    count_opportunities,
    create_opportunity,
    load_pipeline_config,
    log_signal,
    opportunities,
    update_opportunity,
)
from tests.conftest import ACTOR, TODAY
from tests.factories import add, count
from tests.sales_factories import deal, get_deal, history, move, signal

START = date(2026, 9, 1)
CONFIG = load_pipeline_config()


@pytest.fixture
def spain(engine):
    add(engine, "ES", START)
    return "ES"


# --- signals ---------------------------------------------------------------------------------------


def test_log_signal_keeps_what_was_seen(engine, spain):
    with write_session(engine) as session:
        logged = log_signal(
            session,
            code="es",
            kind="meeting",
            occurred_on=date(2026, 11, 20),
            by=" Seller@Rollout.Example ",
            qualified=True,
            account="  Acme S.L. ",
            note=" good fit ",
            today=TODAY,
        )
        signal_id = logged.id
    with read_session(engine) as session:
        stored = session.get(Signal, signal_id)
    assert (stored.country_code, stored.kind, stored.occurred_on, stored.qualified) == (
        "ES",
        "meeting",
        date(2026, 11, 20),
        True,
    )
    assert (stored.account, stored.note, stored.logged_by) == (
        "Acme S.L.",
        "good fit",
        "seller@rollout.example",
    )
    assert (stored.content_title, stored.requested_by) == ("", "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "lunch"}, "kind: 'lunch' is not one of meeting, demo"),
        ({"occurred_on": TODAY + timedelta(days=1)}, "date: 2026-11-27 is in the future"),
        ({"kind": "content_request", "content_title": "  "}, "content: say which piece was requested"),
        (
            {"kind": "content_request", "content_title": "Pricing sheet", "requested_by": "customer"},
            "requested by: must be prospect or partner, not 'customer'",
        ),
        ({"code": "FR"}, "FR (France) is not in the rollout yet"),
        ({"code": "XX"}, "'XX' is not an ISO 3166-1 alpha-2 country code"),
        ({"by": "seller"}, "'seller' is not an email address"),
    ],
)
def test_bad_signals_are_refused_and_change_nothing(engine, spain, changes, message):
    arguments = {"code": "ES", "kind": "meeting", "occurred_on": TODAY, "by": ACTOR, "today": TODAY}
    with pytest.raises(RolloutError, match="^" + re.escape(message)), write_session(engine) as session:
        log_signal(session, **(arguments | changes))
    assert count(engine, Signal) == 0


def test_signal_on_today_is_allowed(engine, spain):
    signal(engine, "ES", TODAY)
    assert count(engine, Signal) == 1


def test_only_meetings_are_qualified_and_only_content_requests_keep_a_title(engine, spain):
    meeting = signal(engine, "ES", TODAY, "meeting", qualified=True)
    demo = signal(
        engine, "ES", TODAY, "demo", qualified=True, content_title="ignored", requested_by="partner"
    )
    request = signal(
        engine,
        "ES",
        TODAY,
        "content_request",
        qualified=True,
        content_title=" Pricing sheet ",
        requested_by="partner",
    )
    with read_session(engine) as session:
        stored = {i: session.get(Signal, i) for i in (meeting, demo, request)}
    assert [stored[i].qualified for i in (meeting, demo, request)] == [True, False, False]
    assert (stored[demo].content_title, stored[demo].requested_by) == ("", "")
    assert (stored[request].content_title, stored[request].requested_by) == ("Pricing sheet", "partner")


# --- creating opportunities -----------------------------------------------------------------------


def test_create_opportunity_defaults_to_the_country_currency_today_and_the_first_stage(engine):
    add(engine, "IN", START)
    opportunity_id = deal(engine, "IN", account=" Tata Pvt Ltd ", amount="220000")
    created = get_deal(engine, opportunity_id)
    assert (created.country_code, created.account, created.amount, created.currency) == (
        "IN",
        "Tata Pvt Ltd",
        Decimal("220000.00"),
        "INR",
    )
    assert (created.stage, created.created_on, created.closed_on) == ("appointment_scheduled", TODAY, None)
    assert (created.source, created.updated_by) == ("manual", ACTOR)
    assert created.crm_id == f"rollout-{opportunity_id}"
    assert history(engine, opportunity_id) == [("appointment_scheduled", TODAY)]


def test_an_explicit_crm_id_is_kept(engine, spain):
    opportunity_id = deal(engine, "ES", crm_id="hs-42")
    assert get_deal(engine, opportunity_id).crm_id == "hs-42"


def test_creating_in_a_closed_stage_closes_it_today(engine, spain):
    opportunity_id = deal(engine, "ES", stage="Closed Won", created_on=date(2026, 10, 1))
    created = get_deal(engine, opportunity_id)
    assert (created.stage, created.created_on, created.closed_on) == ("won", date(2026, 10, 1), TODAY)
    assert history(engine, opportunity_id) == [("won", TODAY)]


def test_creating_with_a_close_date_keeps_it_and_records_it_as_the_stage_entry(engine, spain):
    opportunity_id = deal(
        engine, "ES", stage="lost", created_on=date(2026, 10, 1), closed_on=date(2026, 10, 20)
    )
    assert get_deal(engine, opportunity_id).closed_on == date(2026, 10, 20)
    assert history(engine, opportunity_id) == [("lost", date(2026, 10, 20))]


def test_an_open_deal_drops_a_close_date(engine, spain):
    opportunity_id = deal(
        engine, "ES", stage="proposal", created_on=date(2026, 10, 1), closed_on="2026-10-20"
    )
    assert get_deal(engine, opportunity_id).closed_on is None


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"stage": "won", "created_on": date(2026, 10, 1), "closed_on": date(2026, 9, 30)},
            "closed_on",
            "closed_on: is before the opportunity was created",
        ),
        ({"created_on": TODAY + timedelta(days=1)}, "created_on", "created_on: 2026-11-27 is in the future"),
        (
            {"stage": "won", "closed_on": date(2026, 12, 1)},
            "closed_on",
            "closed_on: 2026-12-01 is in the future",
        ),
        ({"amount": "abc"}, "amount", "amount: 'abc' is not a number"),
        ({"amount": "-1"}, "amount", "amount: must be zero or more, not -1"),
        ({"account": "  "}, "account", "account: required"),
        ({"currency": "XYZ"}, "currency", "currency: 'XYZ' is not an ISO 4217 currency code"),
        ({"stage": "Maybe"}, "stage", "stage: 'Maybe' is not a stage (Appointment scheduled, Qualified"),
        ({"created_on": "26/11/2026"}, "created_on", "created_on: '26/11/2026' is not a YYYY-MM-DD date"),
        ({"probability": 50}, "probability", "probability: cannot be edited"),
    ],
)
def test_bad_opportunities_are_refused_naming_the_field(engine, spain, values, field, message):
    with pytest.raises(FieldError) as error, write_session(engine) as session:
        create_opportunity(
            session, code="ES", values={"account": "Acme", "amount": 1} | values, by=ACTOR, today=TODAY
        )
    assert error.value.field == field
    assert str(error.value).startswith(message)
    assert (count(engine, Opportunity), count(engine, StageChange)) == (0, 0)


def test_create_in_an_unknown_country_is_refused(engine, spain):
    with (
        pytest.raises(NotFound, match="IN \\(India\\) is not in the rollout yet"),
        write_session(engine) as s,
    ):
        create_opportunity(s, code="IN", values={"account": "A", "amount": 1}, by=ACTOR, today=TODAY)


# --- updating opportunities -----------------------------------------------------------------------


def test_a_stage_change_is_recorded_in_the_history(engine, spain):
    opportunity_id = deal(engine, "ES", created_on=date(2026, 10, 1), today=date(2026, 10, 1))
    assert move(engine, opportunity_id, date(2026, 10, 5), stage="Qualified To Buy") is True
    assert move(engine, opportunity_id, date(2026, 10, 9), amount="2500.5") is True
    updated = get_deal(engine, opportunity_id)
    assert (updated.stage, updated.amount, updated.closed_on) == ("qualified", Decimal("2500.50"), None)
    assert history(engine, opportunity_id) == [
        ("appointment_scheduled", date(2026, 10, 1)),
        ("qualified", date(2026, 10, 5)),
    ]  # the amount change made no stage entry


def test_closing_sets_closed_on_and_reopening_clears_it(engine, spain):
    opportunity_id = deal(engine, "ES", created_on=date(2026, 10, 1), today=date(2026, 10, 1))
    move(engine, opportunity_id, date(2026, 10, 20), stage="closedwon")
    assert get_deal(engine, opportunity_id).closed_on == date(2026, 10, 20)
    move(engine, opportunity_id, date(2026, 11, 2), stage="Proposal")
    reopened = get_deal(engine, opportunity_id)
    assert (reopened.stage, reopened.closed_on) == ("proposal", None)
    assert history(engine, opportunity_id)[1:] == [
        ("won", date(2026, 10, 20)),
        ("proposal", date(2026, 11, 2)),
    ]


def test_closing_with_an_explicit_date_uses_it(engine, spain):
    opportunity_id = deal(engine, "ES", created_on=date(2026, 10, 1), today=date(2026, 10, 1))
    move(engine, opportunity_id, TODAY, stage="lost", closed_on="2026-11-03", lost_reason="Price")
    lost = get_deal(engine, opportunity_id)
    assert (lost.stage, lost.closed_on, lost.lost_reason) == ("lost", date(2026, 11, 3), "Price")
    assert history(engine, opportunity_id)[-1] == ("lost", date(2026, 11, 3))


def test_an_update_that_changes_nothing_reports_unchanged(engine, spain):
    opportunity_id = deal(engine, "ES", amount="1000", segment="smb", created_on=date(2026, 10, 1))
    before = get_deal(engine, opportunity_id)
    with write_session(engine) as session:
        _, changed = update_opportunity(
            session,
            opportunity_id=opportunity_id,
            changes={
                "amount": "1000.00",
                "stage": "Appointment Scheduled",
                "segment": "SMB",
                "account": "Acme",
            },
            by="other@rollout.example",
            today=TODAY,
        )
    assert changed is False
    after = get_deal(engine, opportunity_id)
    assert (after.updated_by, after.updated_at) == (before.updated_by, before.updated_at)
    assert len(history(engine, opportunity_id)) == 1


def test_updating_a_missing_opportunity_is_not_found(engine, spain):
    with pytest.raises(NotFound, match="opportunity #999 does not exist"), write_session(engine) as session:
        update_opportunity(session, opportunity_id=999, changes={"amount": 1}, by=ACTOR, today=TODAY)


def test_a_bad_update_is_refused_and_nothing_changes(engine, spain):
    opportunity_id = deal(engine, "ES", created_on=date(2026, 10, 1), today=date(2026, 10, 1))
    changes = {"stage": "won", "closed_on": "2026-09-01"}
    with pytest.raises(FieldError, match="^closed_on: is before"), write_session(engine) as session:
        update_opportunity(session, opportunity_id=opportunity_id, changes=changes, by=ACTOR, today=TODAY)
    kept = get_deal(engine, opportunity_id)
    assert (kept.stage, kept.closed_on) == ("appointment_scheduled", None)
    assert len(history(engine, opportunity_id)) == 1


# --- clean_opportunity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Closed Won", "won"),
        ("closedwon", "won"),
        ("Qualified To Buy", "qualified"),
        ("qualified", "qualified"),
        ("Proposal/Price Quote", "proposal"),
        ("Decision Maker Bought-In", "proposal"),
        ("Negotiation/Review", "negotiation"),
        ("appointment_scheduled", "appointment_scheduled"),
        ("  closed LOST ", "lost"),
    ],
)
def test_stage_names_keys_and_crm_aliases_are_accepted(label, key):
    assert clean_opportunity({"stage": label}, CONFIG) == {"stage": key}


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Mid-market", "mid_market"),
        ("mid_market", "mid_market"),
        ("SMB", "smb"),
        ("enterprise", "enterprise"),
        ("", None),
        (None, None),
    ],
)
def test_segment_keys_or_labels_are_accepted(value, key):
    assert clean_opportunity({"segment": value}, CONFIG) == {"segment": key}


def test_unknown_segment_is_refused():
    with pytest.raises(FieldError, match="segment: 'Huge' is not one of smb, mid_market, enterprise"):
        clean_opportunity({"segment": "Huge"}, CONFIG)


def test_clean_normalises_every_field():
    cleaned = clean_opportunity(
        {
            "account": "  Acme  ",
            "amount": 1234.5,
            "currency": " usd ",
            "created_on": "2026-10-01T00:00:00",
            "expected_close": "",
            "owner": " ana@rollout.example ",
            "lost_reason": None,
        },
        CONFIG,
    )
    assert cleaned == {
        "account": "Acme",
        "amount": Decimal("1234.50"),
        "currency": "USD",
        "created_on": date(2026, 10, 1),
        "expected_close": None,
        "owner": "ana@rollout.example",
        "lost_reason": "",
    }


# --- table edits ------------------------------------------------------------------------------------


@pytest.fixture
def three_deals(engine, spain):
    """Three Spanish deals, as the editor shows them: newest first."""
    ids = [deal(engine, "ES", account=name, created_on=date(2026, 10, 1)) for name in ("A", "B", "C")]
    return list(reversed(ids))


def edit(engine, row_ids, edited_rows=None, added_rows=None, code="ES"):
    with write_session(engine) as session:
        return apply_table_edits(
            session,
            code=code,
            row_ids=row_ids,
            edited_rows=edited_rows or {},
            added_rows=added_rows or [],
            by=ACTOR,
            today=TODAY,
        )


def test_edits_go_to_the_row_ids_by_position(engine, three_deals):
    c, b, a = three_deals
    result = edit(
        engine,
        three_deals,
        edited_rows={0: {"amount": 1500}, "2": {"stage": "Qualified", "segment": "Mid-market"}},
    )
    assert result == (2, 0)
    assert get_deal(engine, c).amount == Decimal("1500.00")
    assert (get_deal(engine, a).stage, get_deal(engine, a).segment) == ("qualified", "mid_market")
    assert (get_deal(engine, b).amount, get_deal(engine, b).stage) == (
        Decimal("1000.00"),
        "appointment_scheduled",
    )
    assert [stage for stage, _ in history(engine, a)] == ["appointment_scheduled", "qualified"]


def test_an_edit_that_changes_nothing_is_not_counted(engine, three_deals):
    assert edit(engine, three_deals, edited_rows={1: {"account": "B"}}) == (0, 0)


def test_added_rows_are_created_with_defaults(engine, three_deals):
    assert edit(engine, three_deals, added_rows=[{"account": "New Co", "amount": 2000, "stage": None}]) == (
        0,
        1,
    )
    with read_session(engine) as session:
        new = session.exec(select(Opportunity).where(Opportunity.account == "New Co")).one()
    assert (new.currency, new.stage, new.created_on, new.closed_on) == (
        "EUR",
        "appointment_scheduled",
        TODAY,
        None,
    )
    assert new.amount == Decimal("2000.00")
    assert new.crm_id == f"rollout-{new.id}"
    assert count(engine, Opportunity) == 4


def test_every_bad_cell_is_reported_and_nothing_is_written(engine, three_deals):
    c, b, a = three_deals
    with pytest.raises(TableEditError) as error:
        edit(
            engine,
            three_deals,
            edited_rows={
                0: {"amount": "abc"},
                1: {"account": "B renamed"},  # good, but not written either
                2: {"segment": "Huge"},
            },
            added_rows=[
                {"account": "Good new row", "amount": 5},
                {"account": "Bad new row", "amount": 5, "stage": "Maybe"},
            ],
        )
    assert [(e.row, e.field) for e in error.value.errors] == [
        (f"#{c}", "amount"),
        (f"#{a}", "segment"),
        ("new row 2", "stage"),
    ]
    assert error.value.errors[0] == CellError(f"#{c}", "amount", "amount: 'abc' is not a number")
    assert f"#{c}, amount: 'abc' is not a number" in str(error.value)
    assert count(engine, Opportunity) == 3
    assert get_deal(engine, b).account == "B"
    assert count(engine, StageChange) == 3


def test_a_new_row_without_an_account_is_reported_as_a_cell(engine, three_deals):
    """BUG: create_opportunity never requires account/amount when they are absent, so the INSERT fails
    with an IntegrityError (NOT NULL) instead of a TableEditError naming the row and field."""
    c = three_deals[0]
    with pytest.raises(TableEditError) as error:
        edit(
            engine, three_deals, edited_rows={0: {"amount": "abc"}}, added_rows=[{"amount": 5, "account": ""}]
        )
    assert [(e.row, e.field) for e in error.value.errors] == [(f"#{c}", "amount"), ("new row 1", "account")]
    assert count(engine, Opportunity) == 3


def test_an_id_of_another_country_is_refused(engine, three_deals):
    add(engine, "IN", START)
    indian = deal(engine, "IN", account="Tata")
    with pytest.raises(TableEditError) as error:
        edit(engine, [*three_deals, indian], edited_rows={3: {"amount": 1}, 0: {"amount": 7}})
    assert error.value.errors == [CellError(f"#{indian}", "id", f"#{indian}: not a deal of ES")]
    assert get_deal(engine, indian).amount == Decimal("1000.00")
    assert get_deal(engine, three_deals[0]).amount == Decimal("1000.00")


# --- the editor's pages -----------------------------------------------------------------------------


@pytest.fixture
def five_deals(engine, spain):
    """Five Spanish deals, oldest first; their CRM ids are rollout-<id>."""
    names = ("Acme", "Beta 100%", "Gamma", "acme iberia", "Delta")
    return [deal(engine, "ES", account=name, created_on=date(2026, 10, 1)) for name in names]


def test_deals_come_newest_first_a_page_at_a_time(engine, five_deals):
    with read_session(engine) as session:
        first = [o.id for o in opportunities(session, "ES", limit=2)]
        second = [o.id for o in opportunities(session, "ES", limit=2, offset=2)]
        last = [o.id for o in opportunities(session, "ES", limit=2, offset=4)]
        total = count_opportunities(session, "ES")
    assert first + second + last == list(reversed(five_deals)) and total == 5


@pytest.mark.parametrize(
    ("search", "accounts"),
    [
        ("ACME", ["acme iberia", "Acme"]),  # any case, anywhere in the account
        ("100%", ["Beta 100%"]),  # % is a character, not a wildcard
        ("%", ["Beta 100%"]),
        ("  ", ["Delta", "acme iberia", "Gamma", "Beta 100%", "Acme"]),  # blank: every deal
    ],
)
def test_deals_are_found_by_account(engine, five_deals, search, accounts):
    with read_session(engine) as session:
        found = [o.account for o in opportunities(session, "ES", search=search)]
        assert count_opportunities(session, "ES", search=search) == len(accounts)
    assert found == accounts


def test_a_deal_is_found_by_its_crm_id_and_not_in_another_market(engine, five_deals):
    add(engine, "IN", START)
    deal(engine, "IN", account="Acme India", created_on=date(2026, 10, 1))
    with read_session(engine) as session:
        assert [o.id for o in opportunities(session, "ES", search=f"rollout-{five_deals[2]}")] == [
            five_deals[2]
        ]
        assert [o.account for o in opportunities(session, "ES", search="acme")] == ["acme iberia", "Acme"]


def test_edits_on_a_later_page_go_to_the_deals_of_that_page(engine, five_deals):
    with read_session(engine) as session:
        page = opportunities(session, "ES", limit=2, offset=2)  # Gamma, Beta 100%
        row_ids, versions = [o.id for o in page], {o.id: o.version for o in page}
    with write_session(engine) as session:
        result = apply_table_edits(
            session,
            code="ES",
            row_ids=row_ids,
            edited_rows={1: {"amount": 2500}},
            added_rows=[],
            by=ACTOR,
            opened_versions=versions,
            today=TODAY,
        )
    assert result == (1, 0)
    assert get_deal(engine, five_deals[1]).amount == Decimal("2500.00")
    assert [get_deal(engine, i).amount for i in five_deals if i != five_deals[1]] == [Decimal("1000.00")] * 4
