"""Accounts: customers and their API tokens, browser sign-in and sessions, email confirmation, deletion."""
