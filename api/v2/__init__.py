"""The /api/v2 face: Onetime Secret's v2 JSON API over the same secret service as v1 and the pages.

`routes.py` holds the handlers and `create_v2_router`; `requests.py` the request bodies,
`body.py` how they are read (JSON, or form fields with nested names), `records.py` the secret and
receipt records, `answers.py` the envelopes around them, `errors.py` the error table, `call.py`
the one provider of a call, `request_id.py` the id every answer carries, and `openapi.py` what the
schema says beyond the handlers' signatures.
"""
