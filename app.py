"""Form Coach: the Streamlit entry point (`make run`). It only sets up the page and routes."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="Form Coach", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "home.py", title="Start here", icon=":material/home:", default=True),
        st.Page(PAGES / "live.py", title="Live coach", icon=":material/videocam:"),
        st.Page(PAGES / "analyse.py", title="Analyse a video", icon=":material/movie:"),
        st.Page(PAGES / "library.py", title="Exercise library", icon=":material/menu_book:"),
    ]
)
navigation.run()
