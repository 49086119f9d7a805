"""The figure builders: numbers in, plain Plotly figure data out, no Streamlit calls (the pages draw them).

base (the figure type, traces, hover, pickers), board (a figure laid out in pixels), colours (the scales),
pictures (PNG encoding), layout (the overview's geometry); then one module per thing drawn: overview, rows (a
phone's overview), detail, why, inputs, mistakes, filters, pooling, training.
"""
