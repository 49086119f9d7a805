"""The script every browser session runs (dashboard/app.py serves it): page set-up and the pages' menu."""
import streamlit as st

from dashboard.app_pages import explorer, training

st.set_page_config(page_title="LeNet CNN Explainer", layout="wide")
st.navigation([st.Page(explorer.show, title="Explorer", url_path="explorer", default=True),
               st.Page(training.show, title="Training", url_path="training")]).run()
