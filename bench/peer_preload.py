"""Store snappass secrets the way snappass does, and print their tokens: run by the peer's Python.

    .venv-snappass/bin/python bench/peer_preload.py COUNT OUT   (REDIS_HOST/REDIS_PORT as for snappass)

Uses snappass's own `encrypt`, key prefix and token separator; the SETEX calls go in pipelines of
500 instead of one round trip each, which changes how fast they are stored, not what is stored.
Runs in the peer's virtualenv, so it imports nothing from this project.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from snappass import main as snappass

VALUE = "x" * 100
TTL = snappass.TIME_CONVERSION["day"]
BATCH = 500


def main() -> None:
    """Store COUNT secrets and write one token (the path of its link) a line to OUT."""
    count, out = int(sys.argv[1]), Path(sys.argv[2])
    tokens = []
    pipe = snappass.redis_client.pipeline(transaction=False)
    for index in range(count):
        storage_key = snappass.REDIS_PREFIX + uuid.uuid4().hex
        encrypted, key = snappass.encrypt(VALUE)
        pipe.setex(storage_key, TTL, encrypted)
        tokens.append(snappass.TOKEN_SEPARATOR.join([storage_key, key.decode()]))
        if index % BATCH == BATCH - 1:
            pipe.execute()
    pipe.execute()
    out.write_text("".join(token + "\n" for token in tokens))


if __name__ == "__main__":
    main()
