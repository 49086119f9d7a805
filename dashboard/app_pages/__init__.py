"""The dashboard's pages, one module each, each with a show() that draws it (listed in dashboard/navigation.py).

Not named pages/: Streamlit treats a folder of that name beside the main script as its older multipage layout
and runs its files as scripts on some reruns, instead of the st.navigation pages.
"""
