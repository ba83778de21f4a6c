"""Who may see what: home and clinic modes, principals, password hashes and access checks.
"""
