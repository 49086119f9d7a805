"""Members of the LeNet family the tests run every page and every computation on (issue 24)."""
from lenet.config import ARCHITECTURES, ConvBlock, DenseLayer, ModelConfig


def _arch(name: str, activation: str = "sigmoid", pooling: str = "avg") -> ModelConfig:
    convs, dense = ARCHITECTURES[name]
    return ModelConfig(activation, pooling, convs, dense)


MEMBERS: dict[str, ModelConfig] = {
    "seed": ModelConfig(),
    "batchnorm": _arch("batchnorm"),
    "one_block": ModelConfig("relu", "max", (ConvBlock(8, 5, 2),), (DenseLayer(64),)),
    "three_blocks": ModelConfig("relu", "max", (ConvBlock(6, 3, 1), ConvBlock(16, 3, 1), ConvBlock(32, 3, 1)),
                                (DenseLayer(100),)),  # 28 → 14 → 7 → 3: the last pooling drops a row and a column
    "wide64": ModelConfig("relu", "avg", (ConvBlock(64, 5, 2), ConvBlock(64, 5, 0))),
    "no_hidden": ModelConfig("relu", "l2", dense=()),
    "dropout_nopool": ModelConfig("relu", "max", (ConvBlock(6, 7, 3, pool=False), ConvBlock(12, 5, 0)),
                                  (DenseLayer(50, dropout=0.5), DenseLayer(30, batchnorm=True))),
}
HAND_WRITTEN = {k: c for k, c in MEMBERS.items() if k in ("seed", "one_block", "three_blocks", "wide64", "no_hidden")}
# Four blocks of 64 maps with BatchNorm, the maps 28×28 until the last block: 19 columns, too many for a projector's
# width with readable maps (the overview lays it out a stage a row, as on a phone)
WIDEST_SHOWN = ModelConfig("relu", "max", tuple(ConvBlock(64, 3, 1, batchnorm=True, pool=b == 3) for b in range(4)),
                           (DenseLayer(1024, True, 0.5), DenseLayer(256)))
