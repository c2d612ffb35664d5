"""User accounts, split by concern: the accounts and their roles (`people`), passwords the
owners set themselves (`password_links`), sign-in (`sign_in`), two-step sign-in
(`two_step`), importing accounts from a file (`user_import`) and the office's first run
(`setup`). `prb.services.users` keeps the older import path working."""
