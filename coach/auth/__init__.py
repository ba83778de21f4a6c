"""Who may see what: `access` (home and clinic modes, principals, logins and the access
checks) and `passwords` (argon2id hashes). Below the store: nothing here imports it.
"""
