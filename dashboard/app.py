"""LeNet CNN Explainer — every stage of LeNet on Fashion-MNIST, in the style of CNN Explainer.

    streamlit run dashboard/app.py
"""
import streamlit as st

import explorer
import training

st.set_page_config(page_title="LeNet CNN Explainer", layout="wide")
st.navigation([st.Page(explorer.show, title="Explorer", url_path="explorer", default=True),
               st.Page(training.show, title="Training", url_path="training")]).run()
