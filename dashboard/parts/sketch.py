"""The drawing pad: white strokes on black, sent to the server while they are drawn, not only when they end.

A components-v2 canvas (JavaScript in the page). Free hand, line, rectangle or circle, a brush width, undo and
clear; optionally over a picture (the picked image, for what-ifs). While the pointer is down the pad sends its
picture every SEND_MS, and once more when the stroke ends: the overview follows the pen. What it sends is the
pad scaled down to SENT_PX × SENT_PX greys (plenty for Fashion-MNIST's 28 × 28), as base64 bytes.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import streamlit as st

from lenet.i18n import N_, _

PAD_PX = 280  # the pad's side on the page
SENT_PX = 84  # the side of the picture it sends
SEND_MS = 180  # while drawing, a picture this often
TOOLS = {"freedraw": N_("pen"), "line": N_("line"), "rect": N_("box"), "circle": N_("circle")}

_JS = """
export default function(component) {
    const { data, setStateValue, parentElement } = component;
    const PAD = %(pad)d, SENT = %(sent)d, SEND_MS = %(send_ms)d;
    let root = parentElement.querySelector(".sketch");
    if (!root) {
        root = document.createElement("div");
        root.className = "sketch";
        root.innerHTML = `<canvas width="${PAD}" height="${PAD}"></canvas>
            <div class="bar"><button data-do="undo">↶ undo</button><button data-do="clear">clear</button></div>`;
        parentElement.appendChild(root);
        root.strokes = [];
        root.seq = 0;
        const canvas = root.querySelector("canvas"), small = document.createElement("canvas");
        small.width = small.height = SENT;
        const at = (e) => { const r = canvas.getBoundingClientRect();  // (inside the frame the CSS draws)
                            return [(e.clientX - r.left - canvas.clientLeft) * PAD / canvas.clientWidth,
                                    (e.clientY - r.top - canvas.clientTop) * PAD / canvas.clientHeight]; };
        root.send = () => {
            const s = small.getContext("2d");
            s.drawImage(canvas, 0, 0, SENT, SENT);
            const rgba = s.getImageData(0, 0, SENT, SENT).data;
            let bin = "";
            for (let i = 0; i < rgba.length; i += 4) bin += String.fromCharCode(rgba[i]);
            root.seq += 1;
            root.setState("picture", {pixels: btoa(bin), seq: root.seq, strokes: root.strokes.length});
        };
        root.draw = (extra) => {
            const c = canvas.getContext("2d");
            c.fillStyle = "#000"; c.fillRect(0, 0, PAD, PAD);
            if (root.background && root.background.complete) c.drawImage(root.background, 0, 0, PAD, PAD);
            for (const s of root.strokes.concat(extra ? [extra] : [])) {
                c.strokeStyle = "#fff"; c.fillStyle = "#fff"; c.lineWidth = s.width;
                c.lineCap = "round"; c.lineJoin = "round"; c.beginPath();
                const [x0, y0] = s.points[0], [x1, y1] = s.points[s.points.length - 1];
                if (s.tool === "freedraw" || s.tool === "line") {
                    const pts = s.tool === "line" ? [s.points[0], [x1, y1]] : s.points;
                    c.moveTo(...pts[0]); for (const p of pts) c.lineTo(...p); c.stroke();
                } else if (s.tool === "rect") {
                    c.fillRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
                } else {
                    c.arc(x0, y0, Math.hypot(x1 - x0, y1 - y0), 0, 2 * Math.PI); c.fill();
                }
            }
        };
        let current = null, timer = null;
        canvas.addEventListener("pointerdown", (e) => {
            canvas.setPointerCapture(e.pointerId);
            current = {tool: root.tool, width: root.width, points: [at(e)]};
            root.draw(current);
            timer = setInterval(root.send, SEND_MS);
        });
        canvas.addEventListener("pointermove", (e) => {
            if (!current) return;
            current.points.push(at(e)); root.draw(current);
        });
        const end = (e) => {
            if (!current) return;
            clearInterval(timer);
            current.points.push(at(e)); root.strokes.push(current); current = null;
            root.draw(); root.send();
        };
        canvas.addEventListener("pointerup", end);
        canvas.addEventListener("pointercancel", end);
        root.querySelector(".bar").addEventListener("click", (e) => {
            const what = e.target.dataset.do;
            if (!what) return;
            if (what === "undo") root.strokes.pop(); else root.strokes = [];
            root.draw(); root.send();
        });
    }
    root.setState = setStateValue;
    root.tool = data.tool; root.width = data.width;
    root.querySelector('[data-do="undo"]').textContent = "↶ " + data.undo;  // (in the page's language)
    root.querySelector('[data-do="clear"]').textContent = data.clear;
    if (root.backgroundSrc !== data.background) {  // a new picture under the strokes
        root.backgroundSrc = data.background;
        root.background = null;
        if (data.background) {
            const img = new Image();
            img.onload = () => { root.draw(); root.send(); };
            img.src = data.background;
            root.background = img;
        }
        root.draw();
    }
}
""" % dict(pad=PAD_PX, sent=SENT_PX, send_ms=SEND_MS)

_CSS = """
.sketch canvas {width: 100%; max-width: 280px; aspect-ratio: 1; touch-action: none; cursor: crosshair;
                border-radius: 4px; display: block; box-sizing: border-box; border: 3px solid #8a8f98;}
.sketch .bar {display: flex; gap: 6px; margin-top: 6px;}
.sketch button {font: inherit; font-size: 14px; padding: 2px 10px; border: 1px solid #ccc; border-radius: 6px;
                background: #fff; cursor: pointer;}
"""

_pad = st.components.v2.component("lenet_sketch", js=_JS, css=_CSS)


@dataclass(frozen=True)
class Sketch:
    """What the pad holds: its picture as greys in [0, 1] (SENT_PX × SENT_PX), and how many strokes."""

    gray: np.ndarray
    strokes: int


def pad_ui(tool: str, width: int, background_uri: str | None, key: str) -> Sketch | None:
    """The pad; what it holds (None until it has sent a picture)."""
    result = _pad(key=key, data={"tool": tool, "width": width, "background": background_uri, "undo": _("undo"),
                                 "clear": _("clear")},
                  on_picture_change=lambda: None, default={"picture": None})
    picture = result.get("picture") if hasattr(result, "get") else None
    if not picture:
        return None
    raw = np.frombuffer(base64.b64decode(picture["pixels"]), np.uint8)
    if raw.size != SENT_PX * SENT_PX:
        return None
    return Sketch(raw.reshape(SENT_PX, SENT_PX).astype(np.float32) / 255.0, int(picture.get("strokes", 0)))
