"""The script every browser session runs (dashboard/app.py serves it): page set-up and the pages' menu."""
import streamlit as st

from dashboard.core.language import language_ui, settle_language
from dashboard.menu import pages  # light: no torch
from dashboard.core.screen import report_screen
from dashboard.core.state import presenting


# The sidebar (the explorer's less used settings) starts closed: on a 1280-px projector the network needs the width.
st.set_page_config(page_title="LeNet CNN Explainer", layout="wide", initial_sidebar_state="collapsed")
settle_language()  # before any text: every page speaks it
page = st.navigation(pages(), position="top")
if not (page.url_path in ("", "explorer") and presenting()):  # (presentation mode shows the network alone)
    language_ui()  # at the header's right end, taking no room on the page
if page.url_path in ("", "explorer", "mistakes", "filters", "step", "pooling"):
    # First, before the page's imports: the browser reports its size meanwhile. Only these pages lay their
    # figures out for the screen; elsewhere the report would only cost a rerun (and a rerun that cuts the
    # first one short can leave a form's fields at their minimums in the browser).
    report_screen("screen" if page.url_path in ("", "explorer") else f"screen_{page.url_path}")
page.run()
