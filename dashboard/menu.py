"""The pages' menu: each page declared once, for the navigation and for pages that send the user to another."""
import streamlit as st

from lenet.i18n import _


def explorer() -> None:
    from dashboard.app_pages import explorer as page  # (imports torch: seconds on a fresh server)

    page.show()


def training() -> None:
    from dashboard.app_pages import training as page

    page.show()


def mistakes() -> None:
    from dashboard.app_pages import mistakes as page

    page.show()


def filters() -> None:
    from dashboard.app_pages import filters as page

    page.show()


def step() -> None:
    from dashboard.app_pages import step as page

    page.show()


def pooling() -> None:
    from dashboard.app_pages import pooling as page

    page.show()


def pages() -> list:
    """The pages, made anew for each run: a Page runs once per st.navigation, so one object shared by the
    sessions of a server would be refused to the second session that runs it at the same time."""
    return [st.Page(explorer, title=_("Explorer"), url_path="explorer", default=True),
            st.Page(training, title=_("Training"), url_path="training"),
            st.Page(mistakes, title=_("Mistakes"), url_path="mistakes"),
            st.Page(filters, title=_("Filters"), url_path="filters"),
            st.Page(step, title=_("One step"), url_path="step"),
            st.Page(pooling, title=_("Max or average?"), url_path="pooling")]
