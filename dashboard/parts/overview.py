"""The CNN Explainer picture: every stage as a column, left to right, built from the stage registry by kind."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.colours import IMAGE, POSITIVE, SIGNED, Scale, color_limit
from dashboard.figures.base import Figure
from dashboard.figures.rows import rows_figure
from dashboard.figures.layout import fits
from dashboard.figures.overview import DEFAULT_SCREEN, Column, Geometry, Screen, clicked_column, overview_figure
from lenet.data import CLASS_NAMES, class_name
from lenet.explain import never_negative, stage_params
from lenet.i18n import _
from lenet.model import LeNet
from lenet.stages import Stage, Stages

Acts = dict[str, np.ndarray]


@dataclass(frozen=True)
class View:
    """What every column is drawn for: the model, the image's stage outputs, the display settings."""

    model: LeNet
    acts: Acts
    true_label: int | None
    limits: dict[str, float]  # colour limit per map stage (none: each stage or map its own)
    per_map: bool  # each map scaled to its own range
    stage: str  # the stage whose map or neuron is selected ("" for none)
    selected: int  # that map or neuron
    difference: bool = False  # the outputs are A − B of two models: every value may have either sign
    marks: dict[str, list[int]] | None = None  # by stage: the maps (neurons) that raise the class asked about most
    marked_for: str = ""  # that class
    framed: str = ""  # the stage framed (its column; a folded activation frames its dense stage's)


def _folded(stage: Stage) -> bool:
    """What follows a dense layer (its BatchNorm, activation, dropout) is drawn in that layer's column: the data
    flows on through it."""
    return stage.kind in ("batchnorm", "activation", "dropout") and not stage.is_map


def shown(stages: Stages, name: str) -> str:
    """The stage whose values a column shows: a dense stage's own, or the last of its folded stages' (its
    activation, or the dropout after it, which passes the same values at inference)."""
    after = stages.next(name)
    while after is not None and _folded(after):
        name, after = after.name, stages.next(after.name)
    return name


def _layout(stages: Stages) -> tuple[list[str], list[str]]:
    """The columns (stage names, left to right) and of those the coloured map columns, once per stage registry."""
    found = _LAYOUTS.get(id(stages))
    if found is None or found[0] is not stages:
        names = [s.name for s in stages if s.kind in COLUMN_BUILDERS and not _folded(s)]
        found = _LAYOUTS[id(stages)] = (stages, names,
                                         [n for n in names if COLUMN_BUILDERS[stages.by_name[n].kind] is _maps_column])
    return found[1], found[2]


def columns_of(stages: Stages) -> list[str]:
    """The overview's columns: one per stage, left to right, a dense layer's BatchNorm, activation and dropout
    folded into its column."""
    return _layout(stages)[0]


def map_columns(stages: Stages) -> list[str]:
    """The columns coloured as maps."""
    return _layout(stages)[1]


_LAYOUTS: dict[int, tuple[Stages, list[str], list[str]]] = {}


def scale_of(view: View, name: str) -> Scale:
    """What the colours of a stage's values mean: sequential from 0 for values that are never negative."""
    if view.difference:
        return SIGNED
    if view.model.stages.by_name[name].kind == "input":
        return IMAGE
    return POSITIVE if never_negative(view.model, shown(view.model.stages, name)) else SIGNED


def colouring(view: View, name: str, c: int | None = None) -> tuple[Scale, float]:
    """How the overview colours a stage (map c of it): its scale and limit, for detail views to match."""
    scale = scale_of(view, name)
    values = view.acts[shown(view.model.stages, name)]
    if scale is IMAGE:
        return scale, 1.0
    if view.per_map and c is not None and np.ndim(values) == 3:
        return scale, color_limit(values[c])
    return scale, view.limits.get(name, color_limit(values))


def header(model: LeNet, name: str) -> tuple[str, str, str]:
    """Title, output shape, parameters: the seed's shape printout, alive."""
    stage = model.stages.by_name[name]
    shape = "×".join(str(d) for d in stage.shape)
    params = stage_params(model, name)
    if stage.kind == "dense":  # (its values are shown after the activation that follows it, if any)
        logits = stage is model.stages.logits
        count = (_("{n} logits") if logits else _("{n} neurons")).format(n=stage.shape[0])
        return stage.title, count, _("{n:,} weights").format(n=params)
    return stage.title, shape, _("{n:,} weights").format(n=params) if params else ""


def _picked(view: View, name: str) -> int | None:
    return view.selected if view.stage == name else None


def _input_column(view: View, name: str) -> Column:
    return Column(name, header(view.model, name), "input", view.acts[name], IMAGE,
                  note=_("green: {cls}").format(cls=view.marked_for) if view.marks else "")


def _marked(view: View, name: str) -> tuple[int, ...]:
    return tuple((view.marks or {}).get(shown(view.model.stages, name), ()))


def _maps_column(view: View, name: str) -> Column:
    return Column(name, header(view.model, name), "maps", view.acts[name], scale_of(view, name),
                  limit=view.limits.get(name), per_map=view.per_map, selected=_picked(view, name),
                  marked=_marked(view, name))


def _dense_column(view: View, name: str) -> Column:
    logits = view.model.stages.logits.name == name
    return Column(name, header(view.model, name), "vector", view.acts[shown(view.model.stages, name)],
                  scale_of(view, name),
                  limit=view.limits.get(name), selected=_picked(view, name), labels=CLASS_NAMES if logits else None,
                  marked=_marked(view, name))


def _softmax_column(view: View, name: str) -> Column:
    return Column(name, (view.model.stages.by_name[name].title, _("{n} classes").format(n=len(CLASS_NAMES)), ""),
                  "softmax",
                  view.acts[name], labels=CLASS_NAMES, true_label=view.true_label)


COLUMN_BUILDERS = {"input": _input_column, "conv": _maps_column, "batchnorm": _maps_column,
                   "activation": _maps_column, "pool": _maps_column, "dense": _dense_column,
                   "softmax": _softmax_column}  # by stage kind


def limits(stages: Stages, acts: Acts, mode: str) -> dict[str, float]:
    """Colour limit per map stage: none (each stage or map its own) or, for 'network', one shared value."""
    if mode != "network":
        return {}
    names = map_columns(stages)
    lim = max(color_limit(acts[name]) for name in names)
    return {name: lim for name in names}


@dataclass(frozen=True)
class Look:
    """The page's settings that change how an overview looks: colour-range mode and the selected map."""

    mode: str = "stage"  # "stage", "network" or "map" (see limits)
    stage: str = ""  # the stage whose map or neuron is selected ("" for none)
    selected: int = 0  # that map or neuron
    why: int = -1  # the class whose maps that matter are outlined (-1: none)
    framed: str = ""  # the stage framed as the one being talked about (presentation mode's →/PgDn), "" none


def look() -> Look:
    """The current session's Look."""
    why = st.session_state.get("why") or ""
    framed = (st.session_state.get("present_at") or "") if st.session_state.get("present") else ""
    return Look(st.session_state.get("color_range", "stage"), st.session_state.get("stage", "") or "",
                int(st.session_state.get("map", 0)), CLASS_NAMES.index(why) if why in CLASS_NAMES else -1, framed)


def view_of(model: LeNet, acts: Acts, true_label: int | None, difference: bool = False,
            shared: dict[str, float] | None = None, settings: Look | None = None,
            marks: dict[str, list[int]] | None = None) -> View:
    """The view of these outputs under a Look (default: the page's); shared: colour limits set by the caller
    (compare mode's, one per column for A, B and A − B), unless each map has its own."""
    settings = settings or look()
    lims = shared if shared is not None and settings.mode != "map" else limits(model.stages, acts, settings.mode)
    return View(model, acts, true_label, lims, settings.mode == "map", settings.stage, settings.selected,
                difference, marks, class_name(settings.why) if marks and settings.why >= 0 else "", settings.framed)


def shared_limits(stages: Stages, *all_acts: Acts) -> dict[str, float]:
    """One colour limit per coloured column covering every given set of outputs (compare mode)."""
    return {name: max(color_limit(acts[shown(stages, name)]) for acts in all_acts) for name in columns_of(stages)
            if COLUMN_BUILDERS[stages.by_name[name].kind] in (_maps_column, _dense_column)}


def columns_for(view: View) -> list[Column]:
    """The overview's columns, from the registry. For a difference (A − B) the input (the same image) and the
    softmax keep their places, empty, so that the columns line up with A's and B's."""
    out, stages = [], view.model.stages
    for name in columns_of(stages):
        kind = stages.by_name[name].kind
        if view.difference and kind in ("input", "softmax"):
            out.append(Column(name, (stages.by_name[name].title, "", ""), "empty", np.zeros(0),
                              labels=(_("the same<br>image"),) if kind == "input" else ("",)))
        else:
            out.append(COLUMN_BUILDERS[kind](view, name))
        if view.framed and view.framed in (name, shown(stages, name)):
            out[-1] = replace(out[-1], framed=True)
    return out


def _select(key: str) -> None:
    hit = clicked_column(st.session_state.get(key))
    if hit is not None:
        st.session_state["stage"], st.session_state["map"] = hit
        st.session_state["why_open"] = False  # one dialog at a time: the map's


def build_overview(model: LeNet, acts: Acts, true_label: int | None, screen: Screen = DEFAULT_SCREEN,
                   difference: bool = False, geo: Geometry | None = None,
                   limits: dict[str, float] | None = None, settings: Look | None = None,
                   marks: dict[str, list[int]] | None = None, colour_key: bool = True) -> Figure:
    """The whole network as one figure of the screen's size (see figures.overview), under a Look (default: the
    page's); marks: the maps (neurons) of each stage to outline as those that matter; colour_key: say under
    the legends what the colours mean."""
    columns = columns_for(view_of(model, acts, true_label, difference, limits, settings, marks))
    if screen.narrow or (geo is None and not fits(columns, screen)):  # a phone or a tablet, or a network too
        return rows_figure(columns, screen.width)  # wide for the screen's width: a stage a row, top to bottom
    return overview_figure(columns, screen, geo, colour_key)


def overview_ui(fig: Figure, key: str = "overview") -> None:
    """Draw an overview; a click on a map or neuron selects it for the detail view. A figure that leaves dragging
    to the page (a phone's, figures.rows) is no selection widget: its taps come through keys.py."""
    if fig.layout.get("dragmode") is False:
        chart(fig, key=key, width="content", config={**CHART_OPTIONS, "displayModeBar": False})
        return
    chart(fig, key=key, on_select=lambda: _select(key), selection_mode="points", width="content",
          config={**CHART_OPTIONS, "displayModeBar": "hover"})


def focus_ui(model: LeNet, acts: Acts, true_label: int | None, screen: Screen) -> None:
    """One stage, large, for a projector: the overview's own column, given the whole width."""
    current, stages = st.session_state.get("stage"), model.stages
    names = columns_of(stages)
    if st.session_state.get("focus_stage") not in names:  # (another member's stage, from before a model change)
        st.session_state.pop("focus_stage", None)
    name = st.selectbox(_("Stage"), names, index=names.index(current) if current in names else 1,
                        key="focus_stage", format_func=lambda n: stages.by_name[n].title)
    column = COLUMN_BUILDERS[stages.by_name[name].kind](view_of(model, acts, true_label), name)
    chart(overview_figure([column], screen), key="focus_fig", width="content", config=CHART_OPTIONS)
    st.caption(stages.by_name[name].describe(model.config))
