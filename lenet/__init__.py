"""LeNet on Fashion-MNIST, computed stage by stage for the explainer dashboard (no UI code here)."""
from lenet.capture import acts_of, capture
from lenet.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from lenet.config import ModelConfig, TrainConfig
from lenet.data import CLASS_NAMES
from lenet.model import LeNet, build_model, count_params, with_ops
from lenet.ops import ACTIVATIONS, POOLINGS
from lenet.pretrained import load_pretrained
from lenet.stages import STAGE_BY_NAME, STAGES

__all__ = ["ACTIVATIONS", "CLASS_NAMES", "POOLINGS", "STAGES", "STAGE_BY_NAME", "CheckpointError", "LeNet",
           "ModelConfig", "TrainConfig", "acts_of", "build_model", "capture", "count_params", "load_checkpoint",
           "load_pretrained", "save_checkpoint", "with_ops"]
