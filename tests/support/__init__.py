"""Test support: builders, databases and the synthetic body. The app never imports it."""
