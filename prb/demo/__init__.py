"""The demo portfolio, built from the UNCCT 2018 annual report (shared/seed)."""
