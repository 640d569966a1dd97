"""Who owns shared things: a catalogue piece belongs to the markets it is translated for, a saved CRM
column mapping to the salesperson who saved it. Each refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from rollout.marketing.content import TranslationChange, save_content, save_translation
from rollout.platform.access import PermissionDenied
from rollout.platform.countries import add_country
from rollout.platform.db import read_session, write_session
from rollout.platform.models import AuditEntry, ContentItem, ImportMapping
from rollout.platform.users import add_user
from rollout.sales.deals_import import save_mapping, saved_mappings
from tests.conftest import ACTOR, TODAY

GERMANY = "marketer.de@rollout.example"
FRANCE = "marketer.fr@rollout.example"
EVERYWHERE = "marketer.all@rollout.example"
SELLER_DE = "sales.de@rollout.example"
SELLER_FR = "sales.fr@rollout.example"
ADMIN = "admin@rollout.example"


@pytest.fixture
def team(engine):
    """Germany and France; a marketer and a salesperson of each, a marketer of all countries."""
    with write_session(engine) as session:
        for code in ("DE", "FR"):
            add_country(session, code=code, start_date=TODAY - timedelta(days=30), by=ACTOR)
        add_user(session, email=GERMANY, role="marketer", countries=["DE"], by=ACTOR)
        add_user(session, email=FRANCE, role="marketer", countries=["FR"], by=ACTOR)
        add_user(session, email=EVERYWHERE, role="marketer", by=ACTOR)
        add_user(session, email=SELLER_DE, role="sales", countries=["DE"], by=ACTOR)
        add_user(session, email=SELLER_FR, role="sales", countries=["FR"], by=ACTOR)
    return engine


def piece(engine, by: str, translated_for: tuple[str, ...] = ()) -> int:
    """A piece written in English, started (in progress) for each of `translated_for` in its language."""
    with write_session(engine) as session:
        item_id = save_content(session, by=by, title="Pricing sheet", content_type="ebook").id
        for code in translated_for:
            locale = {"DE": "de_DE", "FR": "fr_FR"}[code]
            change = TranslationChange(status="in_progress")
            save_translation(session, code=code, content_id=item_id, locale=locale, change=change, by=ACTOR)
    return item_id


def rename(engine, item_id: int, by: str, title: str = "Price list") -> None:
    with write_session(engine) as session:
        save_content(session, by=by, item_id=item_id, title=title)


def title(engine, item_id: int) -> str:
    with read_session(engine) as session:
        return session.get(ContentItem, item_id).title


def audit_count(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


# --- catalogue pieces ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markets", "by"),
    [
        ((), GERMANY),  # no market has started it: any marketer shapes it
        (("DE",), GERMANY),
        (("DE", "FR"), EVERYWHERE),
        (("DE", "FR"), ADMIN),
    ],
)
def test_a_marketer_covering_every_market_of_a_piece_may_change_it(team, markets, by):
    item_id = piece(team, FRANCE if not markets else EVERYWHERE, markets)
    rename(team, item_id, by)
    assert title(team, item_id) == "Price list"


@pytest.mark.parametrize(("markets", "outside"), [(("FR",), "FR"), (("DE", "FR"), "FR")])
def test_a_piece_translated_for_another_market_is_refused_and_unchanged(team, markets, outside):
    item_id = piece(team, EVERYWHERE, markets)
    before = audit_count(team)
    with pytest.raises(PermissionDenied) as refused:
        rename(team, item_id, GERMANY)
    assert str(refused.value) == (
        f"'Pricing sheet' is translated for {outside}, which {GERMANY} does not work on: only a marketer of "
        "every market it is translated for, or an admin, may change it. Nothing was changed."
    )
    assert (title(team, item_id), audit_count(team)) == ("Pricing sheet", before)


def test_any_marketer_may_add_a_piece(team):
    with write_session(team) as session:
        assert save_content(session, by=GERMANY, title="Case study", content_type="case_study").id


# --- saved mappings ------------------------------------------------------------------------------


def save(engine, by: str, columns: dict[str, str], name: str = "Pipedrive") -> None:
    with write_session(engine) as session:
        save_mapping(session, name=name, columns=columns, by=by)


def stored(engine, name: str = "Pipedrive") -> tuple[dict[str, str], str]:
    with read_session(engine) as session:
        mapping = session.get(ImportMapping, name)
        return mapping.columns, mapping.updated_by


def test_the_author_of_a_mapping_may_save_over_it(team):
    save(team, SELLER_DE, {"crm_id": "Deal #"})
    save(team, SELLER_DE, {"crm_id": "Deal ID"})
    assert stored(team) == ({"crm_id": "Deal ID"}, SELLER_DE)


def test_another_salesperson_may_use_a_mapping_but_not_save_over_it(team):
    save(team, SELLER_DE, {"crm_id": "Deal #"})
    before = audit_count(team)
    with pytest.raises(PermissionDenied) as refused:
        save(team, SELLER_FR, {"crm_id": "Other"})
    assert str(refused.value) == (
        f"mapping name: 'Pipedrive' is {SELLER_DE}'s mapping, so only they or an admin may save over it: "
        "save yours under another name. Nothing was changed."
    )
    assert (stored(team), audit_count(team)) == (({"crm_id": "Deal #"}, SELLER_DE), before)
    save(team, SELLER_FR, {"crm_id": "Other"}, name="Pipedrive (France)")
    with read_session(team) as session:
        assert set(saved_mappings(session)) == {"Pipedrive", "Pipedrive (France)"}


def test_an_admin_may_save_over_anyone_s_mapping_and_then_holds_it(team):
    save(team, SELLER_DE, {"crm_id": "Deal #"})
    save(team, ADMIN, {"crm_id": "Deal ID"})
    assert stored(team) == ({"crm_id": "Deal ID"}, ADMIN)
    with pytest.raises(PermissionDenied):
        save(team, SELLER_DE, {"crm_id": "Deal #"})
