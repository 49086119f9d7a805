"""LeNet CNN Explainer — every stage of LeNet on Fashion-MNIST, in the style of CNN Explainer.

    streamlit run dashboard/app.py

The entry: this file is what `streamlit run` starts. It serves dashboard/navigation.py (the script each
browser session runs, which leads to the pages in dashboard/app_pages/), and at start-up warms up in the
background (imports torch, loads the shipped weights and the test images) so that the first browser to
connect finds everything ready instead of waiting seconds for the first page.
"""
from __future__ import annotations

import gc
import logging
import threading
from contextlib import asynccontextmanager

import streamlit as st


def warm_up() -> None:
    """Load what the first page needs into the server's shared caches (st.cache_resource)."""
    # outside a script run Streamlit's caches work but log a warning per call: quiet during the warm-up
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        import torch

        from dashboard.core import cache  # imports torch and the lenet package: the slow part
        from dashboard.app_pages import explorer, training  # noqa: F401  the page modules
        from dashboard.core.choice import ModelChoice
        from dashboard.core.state import DEFAULTS
        from lenet.pretrained import closest_shipped

        # The server runs one image at a time, far too little work to share between cores; with two threads
        # torch's OpenMP workers spin and wait for each other whenever the browser or another session holds a
        # core (an input change took 60-80 ms longer here). Training runs in its own process, unaffected.
        torch.set_num_threads(1)

        cache.gallery()
        act, pool = DEFAULTS["activation"], DEFAULTS["pooling"]
        default = ModelChoice(closest_shipped(act, pool), act, pool)
        cache.model_error(default.key)  # the default view's model
        cache.predictions(default.key)  # the thumbnail strip frames the images it gets wrong (~0.5 s here)
        from lenet.user_models import clean_stray_temps

        try:
            clean_stray_temps()  # the temp files of saves a killed server left behind
        except (OSError, ValueError):
            pass  # no models folder (yet), or one that may not be used: the Training page says so
    finally:
        quiet.setLevel(level)
    # Everything loaded so far (torch, Streamlit, the models, the images) lives as long as the server: out of
    # the collector's sight, a full collection under a class's load pauses the server for ~50 ms, not ~200 ms.
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(_app):
    from dashboard.core import upload_guard

    upload_guard.install()  # what a session's uploads may hold in memory
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()  # the server answers meanwhile
    yield


app = st.App("navigation.py", lifespan=lifespan)
