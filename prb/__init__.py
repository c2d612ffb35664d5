"""PRB: the Programme Review Board's approval system."""

from prb.app import create_app

__all__ = ["create_app"]
