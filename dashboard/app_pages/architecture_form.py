"""The Training page's architecture: which member of the LeNet family a run builds. A preset (the seed's LeNet,
d2l's BatchNorm LeNet, a wider LeNet with 3×3 kernels) fills the fields; each conv block and hidden dense layer
has its own row; the seed's shape printout (each stage's output shape), the parameter count and the work per
image follow the fields as they change, and what they show is what runs."""
from __future__ import annotations

import streamlit as st

from lenet.config import ARCHITECTURES, LIMITS, MAX_DROPOUT, ConvBlock, DenseLayer, ModelConfig
from lenet.explain import stage_params
from lenet.i18n import N_, _
from lenet.model import LeNet
from lenet.stages import STAGES, stages_of

NAMES = {"lenet": N_("LeNet (the seed's, d2l §6.6)"), "batchnorm": N_("BatchNorm LeNet (d2l §8.5)"),
         "wide": N_("wider LeNet, 3×3 kernels"), "custom": N_("your own")}
HELP = {"lenet": N_("6 maps of 5×5 (padding 2), 16 maps of 5×5, dense 120 and 84: 61,706 parameters"),
        "batchnorm": N_("BatchNorm after every conv and hidden dense layer, no padding, 16×4×4 into the first dense "
                        "layer; the book trains it with lr 1.0"),
        "wide": N_("16 and 32 maps of 3×3 (padding 1): about 3× the seed's work per image"),
        "custom": N_("the fields below, as you set them")}


def _fill(name: str) -> None:
    """Every architecture field takes the preset's value."""
    convs, dense = ARCHITECTURES[name]
    st.session_state["arch_blocks"], st.session_state["arch_hidden"] = len(convs), len(dense)
    for b, block in enumerate(convs):
        _set_block(b, block)
    for k, layer in enumerate(dense):
        _set_layer(k, layer)


def _set_block(b: int, block: ConvBlock) -> None:
    for field in ("channels", "kernel", "padding", "batchnorm", "pool"):
        st.session_state[f"arch_c{b}_{field}"] = getattr(block, field)


def _set_layer(k: int, layer: DenseLayer) -> None:
    for field in ("width", "batchnorm", "dropout"):
        st.session_state[f"arch_d{k}_{field}"] = getattr(layer, field)


def _on_preset() -> None:
    if st.session_state["arch_preset"] in ARCHITECTURES:
        _fill(st.session_state["arch_preset"])


def _custom() -> None:
    st.session_state["arch_preset"] = "custom"


def _ensure() -> None:
    """Fields the session does not hold yet take the seed's (or the last block's) values."""
    if st.session_state.get("arch_preset") not in NAMES:
        st.session_state["arch_preset"] = "lenet"
        _fill("lenet")
    seed_convs, seed_dense = ARCHITECTURES["lenet"]
    for b in range(LIMITS["blocks"][1]):
        if f"arch_c{b}_channels" not in st.session_state:
            _set_block(b, seed_convs[min(b, len(seed_convs) - 1)])
    for k in range(LIMITS["dense"][1]):
        if f"arch_d{k}_width" not in st.session_state:
            _set_layer(k, seed_dense[min(k, len(seed_dense) - 1)])


def shown_architecture() -> tuple[tuple[ConvBlock, ...], tuple[DenseLayer, ...]] | str:
    """The blocks and layers the fields show, exactly; or what is wrong with them, in words."""
    _ensure()
    s = st.session_state
    try:
        convs = tuple(ConvBlock(int(s[f"arch_c{b}_channels"]), int(s[f"arch_c{b}_kernel"]),
                                min(int(s[f"arch_c{b}_padding"]), int(s[f"arch_c{b}_kernel"]) - 1),
                                bool(s[f"arch_c{b}_batchnorm"]), bool(s[f"arch_c{b}_pool"]))
                      for b in range(int(s["arch_blocks"])))
        dense = tuple(DenseLayer(int(s[f"arch_d{k}_width"]), bool(s[f"arch_d{k}_batchnorm"]),
                                 float(s[f"arch_d{k}_dropout"])) for k in range(int(s["arch_hidden"])))
        ModelConfig(convs=convs, dense=dense)
    except (ValueError, TypeError):
        sizes = _sizes()
        return _("The maps shrink to nothing ({sizes}): use less pooling, smaller kernels or more padding.").format(
            sizes=" → ".join(map(str, sizes)))
    return convs, dense


def _sizes() -> list[int]:
    """The maps' sides as the fields stand (for the message when they shrink to nothing)."""
    s, side, sizes = st.session_state, 28, [28]
    for b in range(int(s["arch_blocks"])):
        k = int(s[f"arch_c{b}_kernel"])
        side = side + 2 * min(int(s[f"arch_c{b}_padding"]), k - 1) - k + 1
        sizes.append(side)
        if s[f"arch_c{b}_pool"]:
            side //= 2
            sizes.append(side)
    return sizes


def network_ui(where) -> None:
    """The network's preset menu (in the settings' first row), its help saying what the preset is."""
    _ensure()
    where.selectbox(_("Network"), list(NAMES), key="arch_preset", on_change=_on_preset,
                    format_func=lambda n: _(NAMES[n]), help=_(HELP[st.session_state["arch_preset"]]))


def architecture_summary(activation: str, pooling: str) -> str:
    """The member the fields make, in a line (or what is wrong with them)."""
    shown = shown_architecture()
    return shown if isinstance(shown, str) else summary(ModelConfig(activation, pooling, *shown))


def layers_ui(activation: str, pooling: str) -> None:
    """How many blocks and layers, a row for each, and the live printout of the member they make."""
    _ensure()
    with st.expander(_("Layers, and the shape of every stage")):
        c = st.columns(4, vertical_alignment="bottom")
        c[0].number_input(_("Conv blocks"), *LIMITS["blocks"], key="arch_blocks", on_change=_custom, step=1)
        c[1].number_input(_("Hidden dense layers"), *LIMITS["dense"], key="arch_hidden", on_change=_custom, step=1)
        for b in range(int(st.session_state["arch_blocks"])):
            _block_row(b)
        for k in range(int(st.session_state["arch_hidden"])):
            _layer_row(k)
        shown = shown_architecture()
        if isinstance(shown, str):
            st.error(shown)
            return
        st.markdown(printout(ModelConfig(activation, pooling, *shown)))


def _block_row(b: int) -> None:
    c = st.columns(5, vertical_alignment="bottom")
    (c0, c1), (k0, k1) = LIMITS["channels"], LIMITS["kernel"]
    c[0].number_input(_("Block {n}: maps").format(n=b + 1), c0, c1, key=f"arch_c{b}_channels", on_change=_custom)
    c[1].selectbox(_("kernel"), list(range(k0, k1 + 1)), key=f"arch_c{b}_kernel", on_change=_custom,
                   format_func=lambda k: f"{k}×{k}")
    kernel = int(st.session_state[f"arch_c{b}_kernel"])
    if st.session_state[f"arch_c{b}_padding"] >= kernel:  # (a smaller kernel chosen: the largest padding it takes)
        st.session_state[f"arch_c{b}_padding"] = kernel - 1
    c[2].selectbox(_("padding"), list(range(kernel)), key=f"arch_c{b}_padding", on_change=_custom)
    c[3].toggle(_("BatchNorm"), key=f"arch_c{b}_batchnorm", on_change=_custom)
    c[4].toggle(_("pooling"), key=f"arch_c{b}_pool", on_change=_custom)


def _layer_row(k: int) -> None:
    c = st.columns(5, vertical_alignment="bottom")
    c[0].number_input(_("Dense {n}: neurons").format(n=k + 1), *LIMITS["width"], key=f"arch_d{k}_width",
                      on_change=_custom)
    c[1].toggle(_("BatchNorm"), key=f"arch_d{k}_batchnorm", on_change=_custom)
    c[2].number_input(_("dropout"), 0.0, MAX_DROPOUT, key=f"arch_d{k}_dropout", step=0.1, format="%.2f",
                      on_change=_custom, help=_("the probability of dropping each value while training"))


def printout(config: ModelConfig) -> str:
    """The seed's shape printout (each layer's name, its PyTorch class and output shape), with each stage's
    parameters: a line each, which wraps on a phone (a block of code or a table scrolled sideways there)."""
    model = LeNet(config)
    lines = []
    for stage in model.stages.modules:
        module = type(getattr(model, stage.name)).__name__
        params = stage_params(model, stage.name)
        shape = "×".join(map(str, stage.shape))
        lines.append(f"**{stage.name}** {module} → {shape}" + (" · " + _("{n:,} parameters").format(n=params)
                                                               if params else ""))
    return "  \n".join(lines)


def work_ratio(config: ModelConfig) -> float:
    """How much work a training step of this member does per image, against the seed's LeNet (multiply-adds)."""
    return stages_of(config).work() / STAGES.work()


def summary(config: ModelConfig) -> str:
    """One line: the shape in short, the parameters, the work per image against the seed's."""
    params = sum(stage_params(LeNet(config), s.name) for s in stages_of(config).modules)
    return _("{arch}: {params:,} parameters, {ratio:.1f}× the seed LeNet's work per image").format(
        arch=config.architecture, params=params, ratio=work_ratio(config))
