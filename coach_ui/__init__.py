"""The Form Coach app: Streamlit pages and the widgets they share.

`app.py` is the entry script (routing and the sign-in gate), `views/` holds one thin
script per page (not `pages/`: Streamlit would also list a `pages/` folder beside the
entry script in the sidebar, by file name, on a page opened by its address),
`components/` the browser components, and `launch` the `form-coach` command that starts
it all. The helpers, one concern each:

- `auth`: who is using the app (sign-in, expiry, sign-out) and `open_all`, where a page
  with patient data starts; `pickers`: whose data (patient, session, the address);
- `state`: the session-state keys the pages share, and today; `flash`: messages kept for
  the next run, and `save_and_rerun`; `resources`: the library and the store, `or_stop`;
- `overview` (the patient list), `charts` (progress and session charts), `plan_form`
  (the plan editor's form), `todays_plan` (Today and what it sends to Live coach),
  `downloads` (exports), `selfcare`, `assessment`, `analysis`, `coaching`, `camera`.

The library `coach` never imports this package: `coach` has no Streamlit dependency.
"""
