"""Certificates (证照) issued on approval, their public check, revocation, hand-over and printing."""
