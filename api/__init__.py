"""The JSON face: the Onetime Secret REST API v1."""
