"""The domain of one-time secrets: settings, crypto, storage, secrets, accounts, custom domains, mail.

Nothing here imports Litestar; the JSON and HTML faces call into this package.
"""
