"""The script every browser session runs (dashboard/app.py serves it): page set-up and the pages' menu."""
import streamlit as st

from dashboard.screen import report_screen  # light: no torch

# The sidebar (the explorer's less used settings) starts closed: on a 1280-px projector the network needs the width.
st.set_page_config(page_title="LeNet CNN Explainer", layout="wide", initial_sidebar_state="collapsed")
# First, before the pages' imports (torch: seconds on a fresh server): the browser reports its size meanwhile.
report_screen()

from dashboard.app_pages import explorer, training  # noqa: E402

st.navigation([st.Page(explorer.show, title="Explorer", url_path="explorer", default=True),
               st.Page(training.show, title="Training", url_path="training")], position="top").run()
