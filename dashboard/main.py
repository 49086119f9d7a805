"""The app's pages (the script every browser session runs; dashboard/app.py serves it)."""
import streamlit as st

import explorer
import training

st.set_page_config(page_title="LeNet CNN Explainer", layout="wide")
st.navigation([st.Page(explorer.show, title="Explorer", url_path="explorer", default=True),
               st.Page(training.show, title="Training", url_path="training")]).run()
