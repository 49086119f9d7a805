"""What the explorer is built from: the overview's columns, the Why? dialog, the inputs (pick, draw, upload) and
the drawing pad."""
