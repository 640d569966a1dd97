"""The app's plotly figures, drawn with graph objects (plotly express took ~40 ms a figure here, graph objects
~2 ms); the timeline keeps express for its patterned bars. Pages draw them through `data.chart`, which keeps
each figure as a dict per distinct input. The world map reads its topojson from our static folder."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from babel.dates import format_skeleton

from rollout.gates.playbook import Playbook
from rollout.gates.portfolio import HEALTH_COLORS, HEALTH_LABELS, ON_HOLD
from rollout.platform.locales import viewer_locale
from rollout.ui.format import format_date_cell, words

# Served by Streamlit's static file serving (see static/topojson/README.md): no CDN needed.
MAP_CONFIG = {"topojsonURL": "app/static/topojson/", "displayModeBar": False}
HOLD_COLOR = "#D3D3D3"
PALETTE = ["#4C78A8", "#F58518", "#B279A2", "#72B7B2", "#54A24B", "#9D9D9D", "#E45756"]


def _days(values: Iterable[Any]) -> list[date]:
    return [pd.Timestamp(v).date() for v in values if v is not None and not pd.isna(v)]


def date_ticks(values: Iterable[Any], locale: str) -> dict[str, list]:
    """Tick positions and labels for a date axis, written by babel in the viewer's locale (plotly would
    write English month names): month starts ("Jan 2027", "janv. 2027") over a long span, Mondays
    ("Jan 4", "4 janv.") over a short one. Empty when there is no date."""
    days = _days(values)
    if not days:
        return {}
    first, last = min(days), max(days)
    if (last - first).days > 70:
        ticks, month = [], first.replace(day=1)
        while month <= last:
            ticks.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        step = -(-len(ticks) // 12)  # a dozen labels at most
        ticks, skeleton = ticks[::step], "yMMM"
    else:
        monday = first - timedelta(days=first.weekday())
        ticks, skeleton = [monday + timedelta(weeks=n) for n in range((last - monday).days // 7 + 1)], "MMMd"
    return {
        "tickvals": [pd.Timestamp(day) for day in ticks],
        "ticktext": [format_skeleton(skeleton, day, locale=locale) for day in ticks],
    }


def day_text(value: Any, locale: str) -> str:
    """A date for a hover, in the viewer's locale."""
    days = _days([value])
    return format_date_cell(days[0], locale) if days else ""


def phase_colors(playbook: Playbook) -> dict[str, str]:
    names = [phase.name for phase in playbook.phases] + ["Established", "Exited"]
    return dict(zip(names, PALETTE, strict=False)) | {ON_HOLD: HOLD_COLOR}


def world_map(frame: pd.DataFrame, playbook: Playbook, locale: str = "en", by: str = "phase") -> go.Figure:
    """The countries coloured by phase or by health (`by`), one trace (and legend entry) per colour."""
    if by == "health":
        colors = {HEALTH_LABELS[key]: color for key, color in HEALTH_COLORS.items()}
        column = "health_label"
    else:
        colors, column = phase_colors(playbook), "phase"
    phases = [*colors, *sorted(set(frame[column]) - set(colors))]
    figure = go.Figure()
    for phase in phases:
        rows = frame[frame[column] == phase]
        if rows.empty:
            continue
        color = colors.get(phase, PALETTE[-1])
        figure.add_trace(
            go.Choropleth(
                locations=rows["iso3"],
                locationmode="ISO-3",
                z=[1] * len(rows),
                colorscale=[[0, color], [1, color]],
                showscale=False,
                name=phase,
                showlegend=True,
                customdata=[
                    [country, status or "", format_date_cell(due, locale) or "—"]
                    for country, status, due in rows[["country", "health_label", "gate_due"]].itertuples(
                        index=False
                    )
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>gate due %{customdata[2]}"
                f"<extra>{phase}</extra>",
            )
        )
    figure.update_geos(
        showframe=False,
        showcoastlines=False,
        projection_type="natural earth",
        showland=True,
        landcolor="#e8e8e8",
        showcountries=True,
        countrycolor="#ffffff",
        lataxis_range=[-58, 85],
    )
    figure.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=380, legend_title_text=by.capitalize()
    )
    return figure


MARKER_SYMBOLS = {
    "Go": "diamond",
    "Extend": "triangle-right",
    "Hold": "square",
    "Stop": "x",
    "Gate due": "line-ns-open",
}


def timeline_chart(
    frame: pd.DataFrame, markers: pd.DataFrame, playbook: Playbook, today: date, *, locale: str = "en"
) -> go.Figure:
    """Planned and actual phases per country; every decision and each open gate's due date as markers.
    Dates on the axis and in the hovers are written in the viewer's locale."""
    shown = frame.assign(
        hover_start=[day_text(v, locale) for v in frame["start"]],
        hover_end=[day_text(v, locale) for v in frame["end"]],
        hover_due=[day_text(v, locale) for v in frame["due"]],
    )
    figure = px.timeline(
        shown,
        x_start="start",
        x_end="end",
        y="row",
        color="phase",
        color_discrete_map=phase_colors(playbook),
        category_orders={"phase": list(phase_colors(playbook))},  # holds drawn last, over their phase
        pattern_shape="kind",
        pattern_shape_map={"plan": "/", "actual": ""},
        hover_data={"hover_start": True, "hover_end": True, "hover_due": True, "outcome": True},
    )
    # px's hover reads "start=2026-01-05": the phase, then its days and due date in words.
    figure.update_traces(
        hovertemplate="<b>%{y}</b><br>%{fullData.name}: %{customdata[0]} – %{customdata[1]}"
        "<br>gate due %{customdata[2]} %{customdata[3]}<extra></extra>"
    )
    for marker, symbol in MARKER_SYMBOLS.items():
        points = markers[markers["marker"] == marker]
        figure.add_trace(
            go.Scatter(
                x=points["day"],
                y=points["row"],
                mode="markers",
                name=marker,
                marker={"symbol": symbol, "size": 10, "color": "#222", "line": {"width": 1, "color": "#fff"}},
                hovertext=[day_text(day, locale) for day in points["day"]],
                hovertemplate=f"{marker} · %{{hovertext}}<extra></extra>",
            )
        )
    figure.update_xaxes(**date_ticks([*frame["start"], *frame["end"], *markers["day"]], locale))
    figure.add_vline(
        x=pd.Timestamp(today).timestamp() * 1000, line_dash="dot", line_color="#666", annotation_text="today"
    )
    # Each country's plan right above what actually happened.
    figure.update_yaxes(
        categoryorder="array", categoryarray=list(frame["row"].unique()), autorange="reversed", title=None
    )
    figure.update_layout(
        height=max(300, 36 * frame["row"].nunique()),
        legend_title_text="Phase",
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
    )
    return figure


# --- sales analytics ---------------------------------------------------------------------------------


def _bars(frame: pd.DataFrame, x: str, columns: list[str], **layout: Any) -> go.Figure:
    """One bar trace per column of `frame` over `x`, named after the column."""
    figure = go.Figure([go.Bar(x=frame[x], y=frame[column], name=column) for column in columns])
    figure.update_layout(xaxis_title=x, **layout)
    return figure


def _bars_by(frame: pd.DataFrame, x: str, y: str, by: str, **layout: Any) -> go.Figure:
    """One bar trace per value of `by`, stacked."""
    traces = [go.Bar(x=rows[x], y=rows[y], name=str(value)) for value, rows in frame.groupby(by, sort=False)]
    figure = go.Figure(traces)
    figure.update_layout(barmode="relative", xaxis_title=x, yaxis_title=y, legend_title_text=by, **layout)
    return figure


def sales_funnel(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure(go.Funnel(x=frame["opportunities"], y=frame["stage"]))
    figure.update_layout(yaxis_title="stage")
    return figure


def weekly_signals(frame: pd.DataFrame, *, locale: str = "en") -> go.Figure:
    figure = _bars_by(frame, "week", "signals", "kind")
    figure.update_xaxes(**date_ticks(frame["week"], locale))
    for trace in figure.data:
        trace.hovertext = [day_text(week, locale) for week in trace.x]
        trace.hovertemplate = f"{trace.name}, week of %{{hovertext}}: %{{y}}<extra></extra>"
    return figure


def days_in_stage(frame: pd.DataFrame) -> go.Figure:
    return _bars(frame, "stage", ["median_days"], yaxis_title="median_days")


def gate_thresholds(frame: pd.DataFrame) -> go.Figure:
    figure = _bars(frame, "criterion", ["share_of_threshold", "projected_share"], barmode="group")
    figure.add_hline(y=1, line_dash="dot", annotation_text="threshold")
    figure.update_yaxes(tickformat=".0%", title=None)
    return figure


def open_pipeline(frame: pd.DataFrame, currency: str) -> go.Figure:
    return _bars(frame, "country", ["open_pipeline"], yaxis_title=currency)


# --- calendar and content --------------------------------------------------------------------------


DAY_STATES = {0: "open", 1: "weekend", 2: "holiday or quiet"}


def blocked_days(month: pd.DataFrame, *, locale: str = "en") -> go.Figure:
    """Each country's days (rows) coloured open, weekend, or holiday or quiet (the `state` 0, 1, 2)."""
    heat = month.pivot(index="country", columns="day", values="state")
    days = [day_text(day, locale) for day in heat.columns]
    figure = go.Figure(
        go.Heatmap(
            z=heat.to_numpy(),
            x=list(heat.columns),
            y=list(heat.index),
            zmin=0,
            zmax=2,
            colorscale=[[0, "#ffffff"], [0.5, "#cccccc"], [1, "#e06666"]],
            showscale=False,
            hovertext=[
                [
                    f"{country}, {day}: {DAY_STATES.get(int(state), '')}"
                    for day, state in zip(days, row, strict=True)
                ]
                for country, row in zip(heat.index, heat.to_numpy(), strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    figure.update_xaxes(**date_ticks(heat.columns, locale))
    figure.update_yaxes(autorange="reversed")  # countries top to bottom, as in the table
    figure.update_layout(height=60 + 36 * len(heat), margin={"t": 10, "b": 10})
    return figure


def translation_progress(shares: pd.DataFrame) -> go.Figure:
    """Per locale, the shares of pieces translated and published."""
    measures = [column for column in shares.columns if column != "locale"]
    figure = _bars(shares, "locale", measures, barmode="group", legend_title_text="measure")
    figure.update_yaxes(tickformat=".0%", title=None, range=[0, 1])
    return figure


def localized(figure: go.Figure, locale: str) -> go.Figure:
    """Numbers with the viewer's decimal and group separators (plotly's `separators`); trace names, axis
    and legend titles as words, never codes like median_days."""
    symbols = viewer_locale(locale).number_symbols.get("latn", {})
    figure.update_layout(separators=symbols.get("decimal", ".") + symbols.get("group", ","))
    for trace in figure.data:
        if isinstance(trace.name, str):
            trace.name = words(trace.name)
    for axis in ("xaxis", "yaxis"):
        title = figure.layout[axis].title.text
        if isinstance(title, str):
            figure.layout[axis].title.text = words(title)
    if isinstance(legend := figure.layout.legend.title.text, str):
        figure.layout.legend.title.text = words(legend)
    return figure


CHARTS: dict[str, Callable[..., go.Figure]] = {
    "world_map": world_map,
    "timeline": timeline_chart,
    "blocked_days": blocked_days,
    "translation_progress": translation_progress,
    "sales_funnel": sales_funnel,
    "weekly_signals": weekly_signals,
    "days_in_stage": days_in_stage,
    "gate_thresholds": gate_thresholds,
    "open_pipeline": open_pipeline,
}
