"""Use cases: one function per thing a user does. Each checks permission and owns its
transaction; web views call exactly one of them."""
