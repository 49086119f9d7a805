"""How the app shows a Plotly figure: every chart goes through chart()."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

# the toolbar of a chart: no Plotly logo; its camera button saves a PNG at 3× the size shown (for slides)
CHART_OPTIONS = {"displaylogo": False, "toImageButtonOptions": {"scale": 3}}


def chart(fig: go.Figure, key: str, where=st, **kwargs):
    """st.plotly_chart without Streamlit's theme (in `where`, a container; default the current one).

    The figures carry their own look (figures.STYLE) and no template: with Streamlit's theme the browser adds
    a template to every figure, and Plotly then redraws each new chart in full a second time (see
    figures.make_figure). Returns the chart's selection state where kwargs ask for selections.
    """
    return where.plotly_chart(fig, key=key, theme=None, **kwargs)
