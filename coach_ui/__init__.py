"""The Form Coach app: Streamlit pages and the widgets they share.

`app.py` is the entry script (routing and the sign-in gate), `pages/` holds one thin
script per page, the other modules are the widgets and page helpers, `components/` the
browser components, and `launch` the `form-coach` command that starts it all. The library
`coach` never imports this package: `coach` has no Streamlit dependency.
"""
