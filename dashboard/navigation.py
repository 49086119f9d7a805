"""The script every browser session runs (dashboard/app.py serves it): page set-up and the pages' menu."""
import streamlit as st

from dashboard.screen import report_screen  # light: no torch


def explorer() -> None:
    from dashboard.app_pages import explorer as page  # (imports torch: seconds on a fresh server)

    page.show()


def training() -> None:
    from dashboard.app_pages import training as page

    page.show()


# The sidebar (the explorer's less used settings) starts closed: on a 1280-px projector the network needs the width.
st.set_page_config(page_title="LeNet CNN Explainer", layout="wide", initial_sidebar_state="collapsed")
page = st.navigation([st.Page(explorer, title="Explorer", url_path="explorer", default=True),
                      st.Page(training, title="Training", url_path="training")], position="top")
if page.url_path in ("", "explorer"):
    # First, before the page's imports: the browser reports its size meanwhile. Only the explorer lays its
    # figures out for the screen; elsewhere the report would only cost a rerun (and a rerun that cuts the
    # first one short can leave a form's fields at their minimums in the browser).
    report_screen()
page.run()
