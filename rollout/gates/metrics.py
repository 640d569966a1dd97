"""The registry of named metrics that gate criteria read.

A metric is a function `(session, window) -> float`, normally one SQL aggregate over the country's
data in the phase's time window. Feature modules (pipeline, content, talent, campaigns) register
theirs with `@register("name", description=...)`; gates.py only looks names up, so adding a metric
never touches the gate logic. A criterion whose metric nobody registered shows "not measured yet".
The providers are imported where the app, the CLI and the demo start (rollout.metric_providers).

A metric may also have a batch form, `(session, windows) -> {country: value}` (one window per country): the
same numbers for many countries from fewer queries (the portfolio evaluates every country's gate at once;
one query per metric per country is what made it slow with dozens of markets). Such a metric is registered
with `@register_batched("name", description=...)`; its one-window form is derived from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlmodel import Session


@dataclass(frozen=True)
class MetricWindow:
    """The data a gate looks at: one country, from the phase's start to `end` (both inclusive)."""

    country_code: str
    start: date
    end: date
    due: date


MetricFunction = Callable[[Session, MetricWindow], float]
BatchFunction = Callable[[Session, Sequence[MetricWindow]], Mapping[str, float]]


@dataclass(frozen=True)
class Metric:
    name: str
    description: str
    function: MetricFunction
    batch: BatchFunction | None = None


_registry: dict[str, Metric] = {}


def register(name: str, *, description: str) -> Callable[[MetricFunction], MetricFunction]:
    def decorator(function: MetricFunction) -> MetricFunction:
        existing = _registry.get(name)
        if existing and existing.function is not function:
            raise ValueError(f"metric '{name}' is registered twice")
        _registry[name] = Metric(name, description, function)
        return function

    return decorator


def register_batched(name: str, *, description: str) -> Callable[[BatchFunction], BatchFunction]:
    """Register a metric written for many windows at once; its one-window form asks for that one window."""

    def decorator(batch: BatchFunction) -> BatchFunction:
        def one_window(session: Session, window: MetricWindow) -> float:
            return batch(session, [window])[window.country_code]

        one_window.__name__ = one_window.__qualname__ = name
        register(name, description=description)(one_window)
        _registry[name] = replace(_registry[name], batch=batch)
        return batch

    return decorator


def unregister(name: str) -> None:
    _registry.pop(name, None)


def get(name: str) -> Metric | None:
    return _registry.get(name)


def registered() -> dict[str, Metric]:
    return dict(_registry)


@dataclass(frozen=True)
class Explanation:
    """Why a metric falls short, in words, and the records behind its value (plain, JSON-ready values)."""

    why: str
    rows: tuple[dict[str, Any], ...] = field(default=())


# (session, window, value, threshold) -> Explanation: asked only for a criterion that is not met, on one
# market's gate (the portfolio does not explain).
Explainer = Callable[[Session, MetricWindow, float, float], Explanation]
_explainers: dict[str, Explainer] = {}


def explains(name: str) -> Callable[[Explainer], Explainer]:
    def decorator(function: Explainer) -> Explainer:
        _explainers[name] = function
        return function

    return decorator


def explainer(name: str) -> Explainer | None:
    return _explainers.get(name)
