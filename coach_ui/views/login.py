"""Sign in (clinic mode): the only page a signed-out visitor sees."""

from __future__ import annotations

import streamlit as st

from coach.core.markdown import literal
from coach_ui import auth, resources

store = resources.or_stop(resources.open_store)
principal = auth.current_principal()
if principal is None:
    auth.login_form(store)
else:
    st.title("Signed in")
    st.markdown(f"You are signed in as {literal(principal.name)}. Pick a page on the left.")
