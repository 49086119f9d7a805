"""Links from one page to another (st.switch_page, st.page_link) without importing the menu, which imports the
pages: Streamlit finds a page by its url_path alone (its hash), so what opens is the run's own page from
menu.pages(); the stand-in's function here is never run."""
import streamlit as st

from lenet.i18n import _


def _stand_in() -> None:  # (never run: see the module's text)
    raise RuntimeError("a link's stand-in page was run")


def explorer_page():
    """The explorer, for st.switch_page and st.page_link (menu.pages registers it as the default page)."""
    return st.Page(_stand_in, title=_("Explorer"), url_path="explorer", default=True)
