"""The ASGI application `form-coach` serves: the Streamlit app (app.py) with Form Coach's
own routes beside it (coach_ui/routes.py).

`streamlit run` on this file finds `app` and serves it with uvicorn, applying the same
command-line settings as for a plain script (coach_ui/launch.py). Tests of the pages run
app.py directly with Streamlit's AppTest; the routes are tested on their own.
"""

from __future__ import annotations

import streamlit as st

from coach_ui.routes import routes

app = st.App("app.py", routes=routes())
