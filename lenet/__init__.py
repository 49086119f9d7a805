"""LeNet on Fashion-MNIST, computed stage by stage for the explainer dashboard (no UI code here)."""
from lenet.capture import capture
from lenet.checkpoint import CheckpointError, load_checkpoint, load_pretrained, save_checkpoint
from lenet.config import ModelConfig, TrainConfig
from lenet.data import CLASS_NAMES
from lenet.model import LeNet, build_model, count_params, with_activation, with_pooling
from lenet.stages import STAGE_BY_NAME, STAGES

__all__ = ["CLASS_NAMES", "STAGES", "STAGE_BY_NAME", "CheckpointError", "LeNet", "ModelConfig", "TrainConfig",
           "build_model", "capture", "count_params", "load_checkpoint", "load_pretrained", "save_checkpoint",
           "with_activation", "with_pooling"]
