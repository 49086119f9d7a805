"""How the app shows a Plotly figure: every chart goes through chart().

st.plotly_chart takes a plotly.py figure or dict, validates it by building a go.Figure (deep copies of every
trace), converts that back to a dict and encodes it as JSON: per input change more server time than the rest
of the page together. The app's figures are already plain data with their JSON made once (figures.Figure), so
chart() puts that JSON into the same PlotlyChart element that st.plotly_chart makes, with the same kind of
identity (it changes when the figure does: computed from the JSON's checksum rather than the whole JSON),
selection widget and layout (tests/dashboard/test_charts.py compares the two elements, so that a Streamlit
upgrade that changes the element fails there rather than in a browser).
"""
from __future__ import annotations

import json
from typing import Callable

import streamlit as st
from streamlit.elements.lib.form_utils import current_form_id
from streamlit.elements.lib.layout_utils import LayoutConfig
from streamlit.elements.lib.utils import compute_and_register_element_id, to_key
from streamlit.elements.plotly_chart import PlotlyChartSelectionSerde, parse_selection_mode
from streamlit.proto.PlotlyChart_pb2 import PlotlyChart as PlotlyChartProto
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import register_widget

from dashboard.figures.base import Figure

# the toolbar of a chart: no Plotly logo; its camera button saves a PNG at 3× the size shown (for slides)
CHART_OPTIONS = {"displaylogo": False, "toImageButtonOptions": {"scale": 3}}


def chart(fig: Figure, key: str, where=st, on_select: Callable[[], None] | None = None,
          selection_mode: str = "points", width: int | str = "stretch", height: int | str = "content",
          config: dict | None = None):
    """Show a figure (in `where`, a container; default the current one) without Streamlit's theme.

    The figures carry their own look (figures.STYLE) and no template: with Streamlit's theme the browser adds
    a template to every figure, and Plotly then redraws each new chart in full a second time (see
    figures.make_figure). With on_select, a click on a point reruns the page (calling on_select first) and the
    chart's selection state is returned, as st.plotly_chart(on_select=...) does; width and height as there
    ("content": the figure's own size).
    """
    dg = st._main if where is st else where  # (its _enqueue puts the element in the current container)
    proto = PlotlyChartProto()
    proto.theme = ""
    proto.form_id = current_form_id(dg)
    proto.spec = fig.json
    proto.config = json.dumps(config or {})
    selecting = on_select is not None
    proto.id = compute_and_register_element_id(
        "plotly_chart", user_key=to_key(key), key_as_main_identity=False, dg=dg, plotly_spec=fig.digest,
        plotly_config=proto.config, selection_mode=selection_mode, is_selection_activated=selecting, theme=None,
        width=width, height=height, alt=None)
    layout = fig["layout"]
    size = LayoutConfig(width=int(layout.get("width") or 700) if width == "content" else width,
                        height=int(layout.get("height") or 450) if height == "content" else height)
    if not selecting:
        dg._enqueue("plotly_chart", proto, layout_config=size)
        return None
    proto.selection_mode.extend(parse_selection_mode(selection_mode))
    serde = PlotlyChartSelectionSerde()
    state = register_widget(proto.id, on_change_handler=on_select, deserializer=serde.deserialize,
                            serializer=serde.serialize, ctx=get_script_run_ctx(), value_type="string_value")
    dg._enqueue("plotly_chart", proto, layout_config=size)
    return state.value
