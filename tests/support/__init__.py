"""Test support: the helpers test modules share (builders, records, databases, the synthetic
body, recorded live loops, AppTest pages, the browser). A test module imports them from here,
never from another test module (tests/test_architecture.py); the app never imports it."""
