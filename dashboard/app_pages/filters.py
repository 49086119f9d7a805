"""The Filters page: what the filters learned. Every conv1 and conv2 kernel of the model, beside the same
kernels at their random initialisation, on the weights' colour scale; for a conv2 map (a click on its row), the
9 test images that excite it most, the part of each image its strongest pixel sees outlined."""
from __future__ import annotations

import streamlit as st

from dashboard.app_pages.model_pick import page_head
from dashboard.cache import gallery, get_model, initial_of, top_images_of
from dashboard.charts import CHART_OPTIONS, chart
from dashboard.figures.base import clicked_index
from dashboard.figures.filters import kernels_figure, top_figure
from dashboard.figures.overview import DEFAULT_SCREEN, LINE, STRIP, text_width
from dashboard.figures.rows import row_font
from dashboard.keys import taps_ui
from dashboard.screen import screen_ui
from lenet.data import class_name
from lenet.filters import receptive_field
from lenet.i18n import _

RESERVED = 150  # px above the kernels: the menu, the row of controls, the caption


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
    st.caption(_("{model}; beside each layer, {how}. Click (tap) a conv2 map's row for the images it likes most.")
               .format(model=choice.label, how=how))
    c = min(max(int(st.session_state.get("filters_map", 0)), 0), 15)
    font = room.font
    learned = model.conv1.weight.detach().numpy(), model.conv2.weight.detach().numpy()
    start = initial.conv1.weight.detach().numpy(), initial.conv2.weight.detach().numpy()
    if room.narrow:
        _narrow(room.width, learned, start, c, choice)
    else:
        # conv1's row and conv2's 16 rows of kernels (6 px units each with the gaps) fill the height, with texts
        px = max(3.5, min(9.0, (room.height - 4 * (LINE * font + STRIP + 8)) / (18 * 6)))  # (conv1's at twice)
        left, right = st.columns([1, 1], gap="large")
        with left:
            chart(kernels_figure(learned[0], start[0], "conv1", font, 2 * px), key="conv1_kernels",
                  width="content", config=CHART_OPTIONS)
            chart(kernels_figure(learned[1], start[1], "conv2", font, px, selected=c), key="conv2_kernels",
                  on_select=lambda: _pick_map("conv2_kernels"), selection_mode="points", width="content",
                  config={**CHART_OPTIONS, "displayModeBar": "hover"})
        with right:
            _top_images(choice, c, min(96.0, (room.width / 2 - 40) / 9), font)


def _narrow(width: float, learned: tuple, start: tuple, c: int, choice) -> None:
    """A phone's Filters page: each grid as wide as the screen, learned above the initial weights (one colour
    scale for both); the rows of conv2 tapped (the page scrolls under a finger), the images three to a row."""
    font = row_font(width)
    taps_ui("filters_taps", _tapped)
    left = text_width(_("map {r}").format(r=15), font) + 12  # (as kernels_figure places the rows' names)
    for layer, k, (a, b) in (("conv1", 0, (learned[0], start[0])), ("conv2", 1, (learned[1], start[1]))):
        units = 6 * (6 if k else a.shape[0])  # the kernels side by side in one grid: 6 px units each
        px = min(12.0, (width - (left if k else 0) - 4) / units)
        for n, (first, other, title) in enumerate(((a, b, _("learned")), (b, a, _("at initialisation")))):
            chart(kernels_figure(first, other, layer, font, px, selected=c if k else None, titles=(title, ""),
                                 single=True, dragmode=False), key=f"{layer}_kernels_{n}", width="content",
                  config={"displayModeBar": False})
    _top_images(choice, c, (width - 8) / 3, font, per_row=3)


def _tapped(hit) -> None:
    if isinstance(hit, int) and 0 <= hit < 16:
        st.session_state["filters_map"] = hit


def _top_images(choice, c: int, cell: float, font: int, per_row: int | None = None) -> None:
    """A conv2 map's 9 favourite images (its number chosen above them), per_row to a row (default: one row)."""
    st.number_input(_("conv2 map"), 0, 15, key="filters_map", width=180)
    samples, full = gallery()
    top = top_images_of(choice.key)
    positions = top.images[c]
    boxes = [receptive_field("conv2", int(i), int(j)) for i, j in top.pixels[c]]
    said = _("#{n}: {cls}; map {c}'s largest output {v:.3f} at row {i}, column {j}")
    hover = [said.format(n=int(samples.indices[n]), cls=class_name(samples.labels[n]), c=c, v=v, i=i, j=j)
             for n, v, (i, j) in zip(positions, top.values[c], top.pixels[c])]
    st.markdown((_("The {k} test images that excite **conv2 map {c}** most; outlined, the pixels its strongest "
                   "output sees (its receptive field, 14×14 inside the image).") if full else
                 _("The {k} bundled test images that excite **conv2 map {c}** most; outlined, the pixels its "
                   "strongest output sees (its receptive field, 14×14 inside the image).")).format(k=len(positions),
                                                                                                  c=c))
    chart(top_figure(samples.images[positions], boxes, hover, cell, font, per_row), key="top_images",
          width="content", config=CHART_OPTIONS)
    classes = [class_name(samples.labels[n]) for n in positions]
    common = max(set(classes), key=classes.count)
    st.caption(_("{k} of {n} are {cls}: {classes}.").format(k=classes.count(common), n=len(classes), cls=common,
                                                            classes=_(", ").join(classes)))
