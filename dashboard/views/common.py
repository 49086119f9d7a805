"""What every detail view shares: what it is given (Detail) and the row of controls that picks an output."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from dashboard.figures import clicked_index
from dashboard.figures_detail import Paint
from dashboard.overview import View, colouring
from lenet.model import LeNet

Acts = dict[str, np.ndarray]  # stage name -> one image's output, no batch dimension


@dataclass(frozen=True)
class Detail:
    """A detail view's inputs: the model shown, its stage outputs for the image, the stage to explain."""

    model: LeNet
    acts: Acts
    stage: str
    view: View  # how the overview shows these outputs: detail views colour them the same way
    other: tuple[LeNet, Acts] | None = None  # compare mode: the model compared with, and its outputs
    font: int = 12  # figure text size for this screen

    def paint(self, stage: str, c: int | None = None) -> Paint:
        """The colours of a stage's map c (or all of it) as the overview has them."""
        return Paint(*colouring(self.view, stage, c))


def map_ui(count: int, label: str) -> int:
    """Which map (or neuron) of the stage: a number input, kept in range."""
    st.session_state["map"] = min(int(st.session_state.get("map", 0)), count - 1)
    return st.number_input(f"{label} (0–{count - 1})", 0, count - 1, key="map")


def position_ui(C: int, H: int, W: int, label: str, steps: bool = False) -> tuple[int, int, int]:
    """One row of controls: the map, the output pixel's row and column (a click on the output map sets them
    too) and, with steps, step back / play / step forward along the sliding window's path.

    Number inputs rather than sliders: the page redraws every control after each input change, and a slider
    measures the page as it draws (a forced layout, ~10 ms of the browser's time per change, per slider).
    """
    st.session_state["row"] = min(int(st.session_state.get("row", 0)), H - 1)
    st.session_state["col"] = min(int(st.session_state.get("col", 0)), W - 1)
    cols = st.columns([1.2, 1, 1, 0.8, 0.8, 0.8] if steps else [1.2, 1, 1, 2.4], vertical_alignment="bottom")
    with cols[0]:
        c = map_ui(C, label)
    cols[1].number_input(f"output row i (0–{H - 1})", 0, H - 1, key="row")
    cols[2].number_input(f"output column j (0–{W - 1})", 0, W - 1, key="col")
    if steps:
        cols[3].button("◀ step", key="step_back", on_click=step, args=(H, W, -1))
        cols[4].toggle("play", key="playing", help="slide the window across the map, one position every 0.7 s")
        cols[5].button("step ▶", key="step_fwd", on_click=step, args=(H, W, 1))
    return c, st.session_state["row"], st.session_state["col"]


def step(H: int, W: int, delta: int) -> None:
    """Move the output pixel by delta positions in reading order (the sliding window's path)."""
    flat = (st.session_state.get("row", 0) * W + st.session_state.get("col", 0) + delta) % (H * W)
    st.session_state["row"], st.session_state["col"] = divmod(flat, W)


def clicked_pixel(key: str, W: int) -> None:
    """A click on an output map's pixel (its picker) chooses that pixel."""
    flat = clicked_index(st.session_state.get(key))
    if flat is not None:
        st.session_state["row"], st.session_state["col"] = divmod(flat, W)
