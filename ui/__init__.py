"""Streamlit widgets and page helpers for the app's pages (app_pages/).

The library `coach/` never imports this package: coach/ has no Streamlit dependency.
"""
