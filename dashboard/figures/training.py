"""The seed's animator as a Plotly figure: train loss, train accuracy and test accuracy against epochs."""
from __future__ import annotations

from dashboard.figures.base import FONT, Figure, make_figure
from lenet.i18n import _


def training_figure(steps: list, epochs: list, num_epochs: int, height: int = 420) -> Figure:
    """Train loss (left axis) and train / test accuracy (right axis, 0..1), x from 0 to num_epochs."""
    done = [e for e in epochs if e.epoch > 0]
    data = [
        dict(type="scatter", x=[s.epoch for s in steps], y=[s.train_loss for s in steps], name=_("train loss"),
             mode="lines", line=dict(color="#1f77b4", width=3)),
        dict(type="scatter", x=[s.epoch for s in steps], y=[s.train_acc for s in steps], name=_("train acc"),
             mode="lines", line=dict(color="#d62728", width=3, dash="dash"), yaxis="y2"),
        dict(type="scatter", x=[e.epoch for e in done], y=[e.test_acc for e in done], name=_("test acc"),
             mode="lines+markers", line=dict(color="#2ca02c", width=3, dash="dot"), marker=dict(size=9),
             yaxis="y2"),
    ]
    top = max([s.train_loss for s in steps] + [2.4])
    layout = dict(height=height, margin=dict(l=50, r=50, t=40, b=40), font=FONT,
                  xaxis=dict(title=dict(text=_("epoch")), range=[0, max(num_epochs, 1)]),
                  yaxis=dict(title=dict(text=_("loss")), range=[0, min(top * 1.05, 10)]),
                  yaxis2=dict(title=dict(text=_("accuracy")), range=[0, 1], overlaying="y", side="right",
                              tickformat=".0%", tickmode="linear", tick0=0, dtick=0.2, showgrid=False),
                  legend=dict(orientation="h", y=1.12))
    return make_figure(data, layout)
