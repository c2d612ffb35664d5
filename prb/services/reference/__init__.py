"""Reference data an office keeps for itself: UN entities, working groups and their chairs'
terms, funding programmes with their envelope history and results framework.

Only an administrator changes it (each use case checks); every accepted change writes an
audit row with the values before and after. Nothing that records may name is ever deleted:
it is retired — no longer offered for new records, still shown on old ones. Every form that
names reference data offers what `offered_*` returns, and its service refuses the rest.
"""

from prb.services.reference.entities import offered_entities
from prb.services.reference.groups import offered_working_groups
from prb.services.reference.programmes import offered_programmes

__all__ = ["offered_entities", "offered_programmes", "offered_working_groups"]
