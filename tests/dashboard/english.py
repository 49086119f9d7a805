"""What a page shows as text, and which of it is still English (issue 23's walk in Chinese).

visible_texts(at) gathers every string an AppTest run puts before a reader: Markdown, captions, alerts, widget
labels, options, help and placeholders, expander, tab, popover and dialog labels, and each Plotly figure's
titles, axis titles, tick texts, legends, annotations, texts and hover templates. english(texts) lists the words
of them that are English and not one of the names that stay English in the Chinese interface (NAMES).
"""
from __future__ import annotations

import html
import json
import re

# names that stay as they are in the Chinese interface (d2l-zh keeps them too): products, ops, formats, keys,
# units, and the variables of the formulas the pages write out
NAMES = {
    "lenet", "relu", "sigmoid", "softmax", "sgd", "adamw", "grad", "cam", "l2", "mnist", "fashion", "d2l", "pytorch",
    "torch", "cnn", "logit", "logits", "captum", "explainer", "english", "png", "jpeg", "pil", "rgb", "cmyk", "idx",
    "pt", "pth", "params", "px", "kb", "mb", "lr", "cpu", "cuda", "mps", "nan", "exp", "esc", "enter", "pgdn", "pgup",
    "readme", "out", "bias", "kernel", "onehot", "target", "unit", "module", "global", "sequential", "reshape", "nn",
    "debian", "ubuntu", "sudo", "apt", "get", "install", "dataset", "datasets", "usr", "share", "dir", "data",
    "torchvision", "fashionmnist", "raw", "train", "t10k", "images", "labels", "ubyte", "idx1", "idx3", "download",
    "python", "pretrained", "save", "net", "path", "weight", "state", "dict", "max", "e2e",
    # the layers' PyTorch class names in the Training page's shape printout (as the seed's printout has them)
    "conv2d", "avgpool2d", "maxpool2d", "l2pool2d", "flatten", "linear", "batchnorm1d", "batchnorm2d", "dropout",
}
_SKIP_FIELDS = {"autocomplete", "tag", "uuid", "styles", "component_name", "js_content", "html_content", "css_content",
                "config", "id", "form_id", "key", "css", "type", "default", "icon", "widget_id", "element_id",
                "fragment_id", "file_id", "url", "src", "data", "args", "body_html", "language"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'0-9]+")  # (conv1 is one word: a stage's name)
# what is not prose: LaTeX, code names (with _), paths, ∂-notation, Markdown directives, Plotly's %{…}, tags,
# entities, `code`, links, placeholders
_NOISE = re.compile(r"\$\$.*?\$\$|[A-Za-z0-9_.]*_[A-Za-z0-9_.]+|\w+(?:/|&#47;)|∂\w+|:[a-z]+\[|%\{[^}]*\}|<[^>]*>"
                    r"|&[a-z]+;|\$[^$]*\$|`[^`]*`|https?://\S+|\?[a-z_]+=\S*|\{[^}]*\}"
                    r"|\d+c\d[\w.-]*(?: · [\w.-]+)?")  # (and a member's shape in short: 6c5bn-16c5bn · 120bn-84bn)


def _proto_strings(message, out: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name in _SKIP_FIELDS:
            continue
        repeated = isinstance(value, (list, tuple)) or type(value).__name__.startswith("Repeated")
        values = value if repeated else [value]
        for v in values:
            if isinstance(v, str):
                if field.name == "spec":
                    _figure_strings(json.loads(v), out)
                else:
                    out.append(v)
            elif hasattr(v, "ListFields"):
                _proto_strings(v, out)


_FIGURE_KEYS = {"text", "name", "hovertemplate", "ticktext", "hovertext", "title", "texttemplate"}


def _figure_strings(spec, out: list[str], key: str = "") -> None:
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == "customdata" or (k == "name" and spec.get("showlegend") is not True):
                continue  # numbers and the values hover templates name; a trace's name seen only in a legend
            _figure_strings(v, out, k if k in _FIGURE_KEYS else key)
    elif isinstance(spec, list):
        for v in spec:
            _figure_strings(v, out, key)
    elif isinstance(spec, str) and key:
        out.append(spec)


def visible_texts(at) -> list[str]:
    """Every string the run shows (see the module's text); CSS-only HTML blocks left out."""
    out: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") == "html":
            continue
        _proto_strings(proto, out)
    return out


def english(texts: list[str]) -> list[str]:
    """The texts that still hold an English word (outside NAMES), one of each shape (numbers aside)."""
    found, seen = [], set()
    for text in texts:
        plain = _NOISE.sub(" ", html.unescape(text).replace("\n", " "))
        words = [w for w in _WORD.findall(plain) if w.lower().strip("'") not in NAMES
                 and not re.fullmatch(r"(conv|fc|pool|act|bn|drop)\d+", w.lower())]
        shape = re.sub(r"[-+]?\d[\d.,]*", "#", text)
        if words and shape not in seen:
            seen.add(shape)
            found.append(text)
    return found
