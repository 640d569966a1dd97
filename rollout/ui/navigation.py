"""The page list per role: a page is offered, and served, only to the roles that work with it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from rollout.platform.access import Principal
from rollout.platform.models import Role

EVERYONE = frozenset(Role)
LEADERSHIP = frozenset({Role.LEADERSHIP, Role.ADMIN})
SALES = frozenset({Role.SALES, Role.ADMIN})
MARKETING = frozenset({Role.MARKETER, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class PageSpec:
    group: str
    path: str
    title: str
    icon: str
    roles: frozenset[Role]
    url_path: str | None = None  # kept when a page's file is renamed, so links and bookmarks still work

    @property
    def address(self) -> str:
        """The page's URL path, as Streamlit serves it."""
        return self.url_path or Path(self.path).stem


PAGES = (
    # No group: shown first, above the groups, for every role; the start page.
    PageSpec("", "app_pages/this_week.py", "This week", ":material/today:", EVERYONE),
    PageSpec("Leadership", "app_pages/portfolio.py", "Portfolio", ":material/public:", EVERYONE),
    PageSpec("Leadership", "app_pages/country.py", "Country", ":material/flag:", EVERYONE),
    PageSpec("Leadership", "app_pages/decisions.py", "Decisions", ":material/gavel:", LEADERSHIP),
    PageSpec("Leadership", "app_pages/reviews.py", "Gate reviews", ":material/groups:", LEADERSHIP),
    PageSpec("Leadership", "app_pages/history.py", "History", ":material/history:", LEADERSHIP),
    PageSpec("Sales", "app_pages/sales_log.py", "Sales log", ":material/edit_note:", SALES),
    PageSpec("Sales", "app_pages/deals_import.py", "Import deals", ":material/upload_file:", SALES),
    PageSpec(
        "Sales", "app_pages/sales_analytics.py", "Sales analytics", ":material/insights:", SALES | LEADERSHIP
    ),
    PageSpec(
        "Marketing",
        "app_pages/local_calendar.py",
        "Local calendar",
        ":material/calendar_month:",
        EVERYONE,
        url_path="calendar",
    ),
    PageSpec("Marketing", "app_pages/campaigns.py", "Campaigns", ":material/campaign:", MARKETING),
    PageSpec("Marketing", "app_pages/content.py", "Content", ":material/translate:", MARKETING),
    PageSpec("Marketing", "app_pages/talent.py", "Local talent", ":material/group_add:", MARKETING),
    PageSpec("Setup", "app_pages/playbook.py", "Playbook", ":material/menu_book:", EVERYONE),
    PageSpec("Setup", "app_pages/rates.py", "Exchange rates", ":material/currency_exchange:", ADMIN),
    PageSpec("Setup", "app_pages/users.py", "Users", ":material/manage_accounts:", ADMIN),
)


def page_specs_for(role: str) -> list[PageSpec]:
    return [spec for spec in PAGES if role in spec.roles]


def pages_for(user: Principal) -> dict[str, list[st.Page]]:
    groups: dict[str, list[st.Page]] = {}
    for number, spec in enumerate(page_specs_for(user.role)):
        page = st.Page(
            spec.path, title=spec.title, icon=spec.icon, default=number == 0, url_path=spec.url_path
        )
        groups.setdefault(spec.group, []).append(page)
    return groups
