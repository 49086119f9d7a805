"""The Streamlit dashboard: `streamlit run dashboard/app.py`. It imports lenet; nothing imports it."""
