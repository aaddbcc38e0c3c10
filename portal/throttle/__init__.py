"""One throttle for every public limit (issue 17, item 4).

Every limit the site keeps on guessing and flooding is declared in `limits.py`, counted in one
attempts store (`models.Attempt`) by `selectors.py` and written by `services.py`, and every one
keys on the real client address from `client_address.py`, the one answer behind the configured
proxies that django-axes and the audit log use too.
"""
