"""charts.chart makes the same element as st.plotly_chart, from a figure's JSON made once."""
import json

from streamlit.testing.v1 import AppTest


def _script():
    import plotly.graph_objects as go
    import streamlit as st

    from dashboard.core.charts import chart
    from dashboard.figures.base import make_figure

    fig = make_figure([dict(type="scatter", x=[1, 2], y=[3.5, 4], name="p", customdata=[[0], [1]])],
                      dict(width=300, height=200, clickmode="event+select", dragmode="pan"))
    theirs = go.Figure(dict(fig), _validate=False)  # what the app used to give st.plotly_chart
    theirs.layout.template = None
    for k, selecting in enumerate([True, False]):
        kw = dict(on_select=lambda: None, selection_mode="points") if selecting else {}
        with st.container():
            st.plotly_chart(theirs, key=f"theirs{k}", theme=None, width="content", config={"displaylogo": False},
                            **kw)
        with st.container():
            chart(fig, key=f"ours{k}", width="content", config={"displaylogo": False}, **kw)


def test_chart_makes_the_element_st_plotly_chart_makes():
    at = AppTest.from_function(_script).run()
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 4
    for theirs, ours in (charts[0:2], charts[2:4]):  # (in page order)
        a, b = theirs.proto, ours.proto
        assert json.loads(a.spec) == json.loads(b.spec)
        assert (a.config, a.theme, a.form_id, list(a.selection_mode)) == (b.config, b.theme, b.form_id,
                                                                           list(b.selection_mode))
        assert a.id.rsplit("-", 1)[1].replace("theirs", "ours") == b.id.rsplit("-", 1)[1]  # keyed alike
    assert list(charts[1].proto.selection_mode) and not list(charts[3].proto.selection_mode)
    # a selecting chart is a widget: its selection state lives under its key, as st.plotly_chart's does
    assert "ours0" in at.session_state and "ours1" not in at.session_state


def _two_figures():
    import streamlit as st

    from dashboard.core.charts import chart
    from dashboard.figures.base import make_figure

    y = st.session_state.get("y", 3.5)
    chart(make_figure([dict(type="scatter", x=[1, 2], y=[y, 4])], {}), key="changing")
    chart(make_figure([dict(type="scatter", x=[1, 2], y=[0, 1])], {}), key="fixed")


def test_a_charts_identity_changes_with_its_figure_and_only_then():
    at = AppTest.from_function(_two_figures).run()
    first = [c.proto.id for c in at.get("plotly_chart")]
    at.run()
    assert [c.proto.id for c in at.get("plotly_chart")] == first  # the same figures: the same charts
    at.session_state["y"] = 3.6
    at.run()
    changing, fixed = (c.proto.id for c in at.get("plotly_chart"))
    assert changing != first[0] and fixed == first[1]
