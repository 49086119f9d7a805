"""The Filters page: what the filters learned. Every conv1 and conv2 kernel of the model, beside the same
kernels at their random initialisation, on the weights' colour scale; for a conv2 map (a click on its row), the
9 test images that excite it most, the part of each image its strongest pixel sees outlined."""
from __future__ import annotations

import streamlit as st

from dashboard.app_pages.model_pick import page_head
from dashboard.cache import gallery, get_model, initial_of, top_images_of
from dashboard.charts import CHART_OPTIONS, chart
from dashboard.figures import clicked_index
from dashboard.figures_filters import kernels_figure, top_figure
from dashboard.figures_overview import DEFAULT_SCREEN, LINE, STRIP
from dashboard.screen import screen_ui
from lenet.data import CLASS_NAMES
from lenet.filters import receptive_field

RESERVED = 150  # px above the kernels: the menu, the row of controls, the caption


def _pick_map(key: str) -> None:
    picked = clicked_index(st.session_state.get(key))
    if picked is not None:
        st.session_state["filters_map"] = picked


def show() -> None:
    room = screen_ui(RESERVED, "screen_filters") or DEFAULT_SCREEN
    choice, _ = page_head("Filters", "filters_model", [2.3, 2.6, 1.6, 2.5])
    if choice is None:
        return
    model = get_model(choice.key)
    initial, how = initial_of(choice.key)
    st.caption(f"{choice.label}; beside each layer, {how}. Click a conv2 map's row for the images it likes most.")
    c = min(max(int(st.session_state.get("filters_map", 0)), 0), 15)
    font = room.font
    # conv1's row and conv2's 16 rows of kernels (6 px units each with the gaps) fill the height, with their texts
    px = max(3.5, min(9.0, (room.height - 4 * (LINE * font + STRIP + 8)) / (18 * 6)))  # (conv1's at twice)
    left, right = st.columns([1, 1], gap="large")
    with left:
        chart(kernels_figure(model.conv1.weight.detach().numpy(), initial.conv1.weight.detach().numpy(), "conv1",
                             font, 2 * px), key="conv1_kernels", width="content", config=CHART_OPTIONS)
        chart(kernels_figure(model.conv2.weight.detach().numpy(), initial.conv2.weight.detach().numpy(), "conv2",
                             font, px, selected=c), key="conv2_kernels", on_select=lambda: _pick_map("conv2_kernels"),
              selection_mode="points", width="content", config={**CHART_OPTIONS, "displayModeBar": "hover"})
    with right:
        st.number_input("conv2 map", 0, 15, key="filters_map", width=180)
        samples, full = gallery()
        top = top_images_of(choice.key)
        positions = top.images[c]
        boxes = [receptive_field("conv2", int(i), int(j)) for i, j in top.pixels[c]]
        hover = [f"#{int(samples.indices[n])}: {CLASS_NAMES[samples.labels[n]]}; map {c}'s largest output "
                 f"{v:.3f} at row {i}, column {j}" for n, v, (i, j) in zip(positions, top.values[c], top.pixels[c])]
        st.markdown(f"The {len(positions)} {'test' if full else 'bundled test'} images that excite **conv2 map {c}** "
                    "most; outlined, the pixels its strongest output sees (its receptive field, 14×14 inside the "
                    "image).")
        chart(top_figure(samples.images[positions], boxes, hover, min(96.0, (room.width / 2 - 40) / 9), font),
              key="top_images", width="content", config=CHART_OPTIONS)
        classes = [CLASS_NAMES[samples.labels[n]] for n in positions]
        common = max(set(classes), key=classes.count)
        st.caption(f"{classes.count(common)} of {len(classes)} are {common}: " + ", ".join(classes) + ".")
