"""The domain of one-time secrets: settings, crypto, storage and the secret service.

Nothing here imports Litestar; the JSON and HTML faces call into this package.
"""
