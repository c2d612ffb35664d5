"""Reference data an office keeps for itself: UN entities, working groups and their chairs'
terms, funding programmes with their envelope history and results framework.

Only an administrator changes it (each use case checks); every accepted change writes an
audit row with the values before and after. Nothing that records may name is ever deleted:
it is retired — no longer offered for new records, still shown on old ones.
"""
