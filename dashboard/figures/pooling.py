"""The "Max or average?" page's figures: the training curves of both poolings, and the gradients per layer."""
from __future__ import annotations

from dashboard.figures.base import FONT, Figure, make_figure
from lenet.i18n import _
from lenet.max_or_avg import LAYERS, Side, Study, curves
from lenet.ops import POOLINGS

COLOURS = {"max": "#d62728", "avg": "#1f77b4"}


def _legend() -> dict:
    return dict(orientation="h", y=1.02, yanchor="bottom", x=0, font=dict(size=FONT["size"]))


def curves_figure(study: Study, height: int = 300) -> Figure:
    """Test accuracy (solid, left axis) and training loss (dashed, right axis) by epoch, max and average."""
    data = []
    for s in (study.max, study.avg):
        x, acc = curves(s, "test_acc")
        data.append(dict(type="scatter", x=x.tolist(), y=acc.tolist(), name=_("{pooling}: test accuracy").format(
                             pooling=_(POOLINGS[s.pooling].label)),
                         mode="lines+markers", line=dict(color=COLOURS[s.pooling], width=3), marker=dict(size=6)))
    for s in (study.max, study.avg):
        x, loss = curves(s, "train_loss")
        data.append(dict(type="scatter", x=x.tolist(), y=loss.tolist(), name=_("{pooling}: training loss").format(
                             pooling=_(POOLINGS[s.pooling].label)),
                         mode="lines", line=dict(color=COLOURS[s.pooling], width=2, dash="dash"), yaxis="y2"))
    # every axis's range from the numbers (never Plotly's autorange: after the recipe changed, the browser kept
    # the empty figure's defaults once, and the accuracy axis read −100 %…400 %)
    epochs = [x for trace in data for x in trace["x"]] or [0.0, 1.0]
    accs = [v for trace in data[:2] for v in trace["y"]] or [0.0, 1.0]
    losses = [v for trace in data[2:] for v in trace["y"]] or [1.0]
    lo, hi = max(0.0, min(accs) - 0.05), min(1.0, max(accs) + 0.03)
    layout = dict(height=height, margin=dict(l=55, r=55, t=60, b=40), legend=_legend(),
                  xaxis=dict(title=dict(text=_("epoch")), dtick=1, range=[min(epochs) - 0.3, max(epochs) + 0.3]),
                  yaxis=dict(title=dict(text=_("test accuracy")), tickformat=".0%", range=[lo, hi]),
                  yaxis2=dict(title=dict(text=_("training loss")), overlaying="y", side="right", showgrid=False,
                              range=[0.0, 1.08 * max(losses)], tickformat=".1f", nticks=6))
    return make_figure(data, layout)


def _bars(s: Side, when: str) -> dict:
    trained = when == "trained"
    name = (_("{pooling}, trained") if trained else _("{pooling}, at init")).format(
        pooling=_(POOLINGS[s.pooling].label))
    return dict(type="bar", x=list(LAYERS), y=[s.grads[when][n] for n in LAYERS], name=name,
                marker=dict(color=COLOURS[s.pooling], opacity=1.0 if trained else 0.45,
                            pattern=dict(shape="" if trained else "/")),
                hovertemplate="%{x}: %{y:.3g}<extra>" + name + "</extra>")


def gradients_figure(study: Study, height: int = 300) -> Figure:
    """RMS of ∂loss/∂weight per layer (log scale): max and average, at initialisation and trained."""
    data = [_bars(s, when) for when in ("init", "trained") for s in (study.max, study.avg)]
    layout = dict(height=height, margin=dict(l=55, r=10, t=60, b=40), barmode="group", legend=_legend(),
                  yaxis=dict(title=dict(text=_("RMS of ∂loss/∂weight")), type="log", exponentformat="power",
                             dtick=1, tickfont=dict(size=FONT["size"])),  # powers of ten only: no 10-px minor labels
                  xaxis=dict(title=dict(text=_("layer"))))
    return make_figure(data, layout)
