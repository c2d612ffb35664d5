"""Uploaded documents: where their bytes live (`storage`) and what is accepted."""
