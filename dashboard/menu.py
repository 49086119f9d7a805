"""The pages' menu: each page once, for the navigation and for pages that send the user to another one."""
import streamlit as st


def explorer() -> None:
    from dashboard.app_pages import explorer as page  # (imports torch: seconds on a fresh server)

    page.show()


def training() -> None:
    from dashboard.app_pages import training as page

    page.show()


def mistakes() -> None:
    from dashboard.app_pages import mistakes as page

    page.show()


EXPLORER = st.Page(explorer, title="Explorer", url_path="explorer", default=True)
PAGES = [EXPLORER, st.Page(training, title="Training", url_path="training"),
         st.Page(mistakes, title="Mistakes", url_path="mistakes")]
