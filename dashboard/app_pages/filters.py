"""The Filters page: what the filters learned. Every kernel of the first conv layer and of a later one (the last
by default; the member's only one where it has one), beside the same kernels at their random initialisation, on
the weights' colour scale; for a map of that layer (a click on its row), the 9 test images that excite it most, the
part of each image its strongest pixel sees outlined."""
from __future__ import annotations

import streamlit as st

from dashboard.app_pages.model_pick import page_head
from dashboard.core.cache import gallery, get_model, initial_of, top_images_of
from dashboard.core.charts import CHART_OPTIONS, chart
from dashboard.figures.base import clicked_index
from dashboard.figures.filters import kernels_figure, top_figure
from dashboard.figures.overview import DEFAULT_SCREEN, LINE, STRIP, text_width
from dashboard.figures.rows import row_font
from dashboard.core.keys import taps_ui
from dashboard.core.screen import screen_ui
from lenet.data import class_name
from lenet.filters import receptive_field
from lenet.i18n import _

RESERVED = 150  # px above the kernels: the menu, the row of controls, the caption
SLICES = 16  # input maps drawn per output map's row (a 64-map layer's first 16: its rows stay readable)


def _pick_map(key: str) -> None:
    picked = clicked_index(st.session_state.get(key))
    if picked is not None:
        st.session_state["filters_map"] = picked


def show() -> None:
    room = screen_ui(RESERVED, "screen_filters") or DEFAULT_SCREEN
    choice = page_head(_("Filters"), "filters_model", [2.3, 2.6, 1.6, 2.5])[0]
    if choice is None:
        return
    model = get_model(choice.key)
    initial, how = initial_of(choice.key)
    convs = [s.name for s in model.stages.of_kind("conv")]
    deep = _deep_layer(convs)
    st.caption(_("{model}; beside each layer, {how}. Click (tap) a {layer} map's row for the images it likes most.")
               .format(model=choice.label, how=how, layer=deep))
    maps = getattr(model, deep).out_channels
    c = min(max(int(st.session_state.get("filters_map", 0)), 0), maps - 1)
    font = room.font
    layers = [convs[0]] + ([deep] if deep != convs[0] else [])
    learned = [getattr(model, n).weight.detach().numpy()[:, :SLICES] for n in layers]
    start = [getattr(initial, n).weight.detach().numpy()[:, :SLICES] for n in layers]
    if room.narrow:
        _narrow(room.width, layers, learned, start, c, choice, deep)
    else:
        # the first layer's row (at twice the size) and the later layer's rows of kernels (k + 1 px units each
        # with the gaps) fill the height, with texts; no grid wider than its half of the page
        k0, (O, I, k) = learned[0].shape[-1], learned[-1].shape[:3]
        units = 2 * (k0 + 1) + (O * (k + 1) if len(layers) > 1 else 0)
        px = max(2.5, min(9.0, (room.height - 4 * (LINE * font + STRIP + 8)) / units,
                          (room.width / 2 - 80 - 4 * font) / (2 * I * (k + 1))))  # (80: the rows' names)
        left, right = st.columns([1, 1], gap="large")
        with left:
            chart(kernels_figure(learned[0], start[0], layers[0], font, 2 * px,
                                 selected=c if len(layers) == 1 and learned[0].shape[1] > 1 else None),
                  key="conv1_kernels", width="content", config=CHART_OPTIONS)
            if len(layers) > 1:
                chart(kernels_figure(learned[1], start[1], deep, font, px, selected=c), key="conv2_kernels",
                      on_select=lambda: _pick_map("conv2_kernels"), selection_mode="points", width="content",
                      config={**CHART_OPTIONS, "displayModeBar": "hover"})
            _slices_note(model, deep)
        with right:
            _top_images(choice, model, deep, c, min(96.0, (room.width / 2 - 40) / 9), font)


def _deep_layer(convs: list[str]) -> str:
    """The conv layer whose maps the page examines: a menu where the member has more than two (the last by
    default), else its last."""
    if len(convs) <= 2:
        return convs[-1]
    if st.session_state.get("filters_layer") not in convs[1:]:
        st.session_state["filters_layer"] = convs[-1]
    return st.segmented_control(_("Layer"), convs[1:], key="filters_layer") or convs[-1]


def _slices_note(model, layer: str) -> None:
    inputs = getattr(model, layer).in_channels
    if inputs > SLICES:
        st.caption(_("Each row shows its first {k} of {n} input maps' kernels.").format(k=SLICES, n=inputs))


def _narrow(width: float, layers: list[str], learned: list, start: list, c: int, choice, deep: str) -> None:
    """A phone's Filters page: each grid as wide as the screen, learned above the initial weights (one colour
    scale for both); the rows of the later layer tapped (the page scrolls under a finger), the images three to a
    row."""
    font = row_font(width)
    taps_ui("filters_taps", _tapped)
    for k, (layer, a, b) in enumerate(zip(layers, learned, start)):
        left = text_width(_("map {r}").format(r=a.shape[0] - 1), font) + 12 if a.shape[1] > 1 else 0
        units = (a.shape[-1] + 1) * (a.shape[1] if a.shape[1] > 1 else a.shape[0])  # kernels side by side
        px = min(12.0, (width - (left if k else 0) - 4) / units)
        for n, (first, other, title) in enumerate(((a, b, _("learned")), (b, a, _("at initialisation")))):
            chart(kernels_figure(first, other, layer, font, px, selected=c if a.shape[1] > 1 else None,
                                 titles=(title, ""), single=True, dragmode=False), key=f"conv{k + 1}_kernels_{n}",
                  width="content", config={"displayModeBar": False})
    _top_images(choice, get_model(choice.key), deep, c, (width - 8) / 3, font, per_row=3)


def _tapped(hit) -> None:
    if isinstance(hit, int) and 0 <= hit < 64:
        st.session_state["filters_map"] = hit


def _top_images(choice, model, layer: str, c: int, cell: float, font: int, per_row: int | None = None) -> None:
    """A map's 9 favourite images (its number chosen above them), per_row to a row (default: one row)."""
    maps = getattr(model, layer).out_channels
    st.session_state["filters_map"] = min(max(int(st.session_state.get("filters_map", 0)), 0), maps - 1)
    st.number_input(_("{layer} map").format(layer=layer), 0, maps - 1, key="filters_map", width=180)
    samples, full = gallery()
    top = top_images_of(choice.key, layer)
    positions = top.images[c]
    boxes = [receptive_field(layer, int(i), int(j), config=model.config) for i, j in top.pixels[c]]
    r0, r1, c0, c1 = receptive_field(layer, 0, 0, size=10**6, config=model.config, clip=False)
    seen = r1 - r0
    said = _("#{n}: {cls}; map {c}'s largest output {v:.3f} at row {i}, column {j}")
    hover = [said.format(n=int(samples.indices[n]), cls=class_name(samples.labels[n]), c=c, v=v, i=i, j=j)
             for n, v, (i, j) in zip(positions, top.values[c], top.pixels[c])]
    st.markdown((_("The {k} test images that excite **{layer} map {c}** most; outlined, the pixels its strongest "
                   "output sees (its receptive field, {n}×{n} inside the image).") if full else
                 _("The {k} bundled test images that excite **{layer} map {c}** most; outlined, the pixels its "
                   "strongest output sees (its receptive field, {n}×{n} inside the image).")).format(
        k=len(positions), c=c, layer=layer, n=seen))
    chart(top_figure(samples.images[positions], boxes, hover, cell, font, per_row), key="top_images",
          width="content", config=CHART_OPTIONS)
    classes = [class_name(samples.labels[n]) for n in positions]
    common = max(set(classes), key=classes.count)
    st.caption(_("{k} of {n} are {cls}: {classes}.").format(k=classes.count(common), n=len(classes), cls=common,
                                                            classes=_(", ").join(classes)))
