"""Every Redis key name, and the lifetimes the layout gives them.

Layout (every key has a TTL except customers and domains; keys that one script touches share a
hash tag, so the same scripts run on one Redis and on Redis Cluster). No key, value or member holds
a link token: secrets and receipts are named by digests of their keys (S = `keys.secret_id` of the
secret key, M = `keys.receipt_id` of the receipt key), sessions and confirmations by digests of theirs.

    ots:secret:{S}        str   n (1 byte) | bcrypt hash (n bytes, 0 without passphrase) | envelope  TTL ttl
    ots:receipt:{S}       hash  the receipt (field codes in storage.secret_records)     TTL 2*ttl
    ots:generated:{S}     str   envelope of a generated password, echoed once           TTL 60 s
    ots:metadata:{M}      str   S | the secret key sealed under the receipt key         TTL 2*ttl
    ots:recent:{owner}    zset  M | receipt key sealed to the account's history key, by creation  TTL 60 days
    ots:recent:{owner}:earlier zset  M of receipts from an earlier history (kept to hand over) TTL 60 days
    ots:fails:{S}[:ip]    str   failed passphrase counts                                TTL window
    ots:lock:{S}[:ip]     str   passphrase lockout                                      TTL lock
    ots:limit:{who}:name  str   request counts of a client or account, per limit        TTL window
    ots:customer:{email}  hash  plan, token digest, created; password hash, verified; history key  no TTL
    ots:session:{D}       hash  a browser session (D: digest of its id): account, created, history key  TTL idle
    ots:sessions:{email}  set   the account's session digests                          TTL lifetime
    ots:signin:{kind}:W   str   failed sign-ins of an account or a client address      TTL window
    ots:verify:{D}        str   email confirmation (D: digest of the link token) -> email TTL 2 days
    ots:recover:{D}       str   password recovery (D: digest of the link token) -> email TTL 30 min
    ots:recovering:{email} set  digests of the account's pending recoveries              TTL 30 min
    ots:invite:{D}        str   sign-up invitation (D: digest of the link token) -> expiry:email  TTL 7 days
    ots:outbox:{mail}     zset  queued emails, by S (or a confirmation's id), scored by next try (ms)  TTL longest + 2 h
    ots:outbox:{mail}:S   hash  one queued email: the only place with the plain address and link  TTL <= ttl
    ots:domain:{D}        hash  a custom domain won by verification: owner, branding    no TTL
    ots:domain:{D}:claims hash  unverified claims: owner -> JSON (token, expiry, check) TTL 7 days from the latest
    ots:domain:{D}:logo   str   its re-encoded logo                                     no TTL
    ots:domains:{owner}   set   the owner's domains                                     no TTL
    ots:layout            str   the layout version of this database (see storage.upgrade)  no TTL
"""

from __future__ import annotations

GENERATED_ECHO_SECONDS = 60
"""How long a generated password can be echoed on its receipt."""
RECENT_KEEP_SECONDS = 2 * 30 * 24 * 3600
"""How long the recent index keeps a receipt key: as long as a receipt can live (2 x 30 days),
so that deleting an account finds every receipt naming it."""
OUTBOX_MARGIN = 2 * 3600
"""The outbox index outlives its longest entry by this much, so that a worker still finds the
id of an entry that expired unsent (and marks its receipt failed), even one whose next try was
scheduled up to an hour after it expired."""

OUTBOX = "ots:outbox:{mail}"
"""The index of queued emails; its entries share its {mail} tag."""


LAYOUT = "ots:layout"
"""The version of the key layout this database holds (absent: the first layout, or empty)."""


def secret_name(secret_id: str) -> str:
    """Return the Redis key of a secret (`secret_id`: `keys.secret_id` of its key)."""
    return f"ots:secret:{{{secret_id}}}"


def receipt_name(secret_id: str) -> str:
    """Return the Redis key of a secret's receipt."""
    return f"ots:receipt:{{{secret_id}}}"


def generated_name(secret_id: str) -> str:
    """Return the Redis key holding a generated password's one-time echo."""
    return f"ots:generated:{{{secret_id}}}"


def metadata_name(receipt_id: str) -> str:
    """Return the Redis key of the receipt index (`receipt_id`: `keys.receipt_id` of the receipt key)."""
    return f"ots:metadata:{{{receipt_id}}}"


def recent_name(custid: str) -> str:
    """Return the Redis key of a customer's recent receipts."""
    return f"ots:recent:{{{custid}}}"


def earlier_recent_name(custid: str) -> str:
    """Return the Redis key of a customer's receipts from an earlier history (no key opens them)."""
    return f"ots:recent:{{{custid}}}:earlier"


def passphrase_failures_name(secret_id: str, client: str | None = None) -> str:
    """Return the Redis key counting failed passphrases of a secret (of one client, when given)."""
    name = f"ots:fails:{{{secret_id}}}"
    return name if client is None else f"{name}:{client}"


def passphrase_lock_name(secret_id: str, client: str | None = None) -> str:
    """Return the Redis key locking passphrase attempts on a secret (for one client, when given)."""
    name = f"ots:lock:{{{secret_id}}}"
    return name if client is None else f"{name}:{client}"


def request_limit_name(limit: str, client: str) -> str:
    """Return the Redis key of a request counter of one client (an address, a /64, an account).

    Tagged by the client, not by the limit: on Redis Cluster the counters then spread over every
    master, and losing one master stops only its share of clients instead of every create.
    """
    return f"ots:limit:{{{client}}}:{limit}"


def customer_name(custid: str) -> str:
    """Return the Redis key of a customer."""
    return f"ots:customer:{{{custid}}}"


def session_name(digest: str) -> str:
    """Return the Redis key of a browser session, named by the digest of its id."""
    return f"ots:session:{{{digest}}}"


def account_sessions_name(custid: str) -> str:
    """Return the Redis key of the set of an account's sessions."""
    return f"ots:sessions:{{{custid}}}"


def signin_failures_name(kind: str, who: str) -> str:
    """Return the Redis key counting failed sign-ins of an account or a client address."""
    return f"ots:signin:{{{kind}}}:{who}"


def verification_name(digest: str) -> str:
    """Return the Redis key of an email confirmation, named by the digest of its token."""
    return f"ots:verify:{{{digest}}}"


def recovery_name(digest: str) -> str:
    """Return the Redis key of a password recovery, named by the digest of its link's token."""
    return f"ots:recover:{{{digest}}}"


def recoveries_name(custid: str) -> str:
    """Return the Redis key of the set of an account's pending password recoveries."""
    return f"ots:recovering:{{{custid}}}"


def invitation_name(digest: str) -> str:
    """Return the Redis key of a sign-up invitation, named by the digest of its link's token."""
    return f"ots:invite:{{{digest}}}"


def outbox_entry_name(mail_id: str) -> str:
    """Return the Redis key of a queued email (named by its secret's id, or a confirmation's id)."""
    return f"{OUTBOX}:{mail_id}"


def domain_name(domain: str) -> str:
    """Return the Redis key of a custom domain."""
    return f"ots:domain:{{{domain}}}"


def domain_logo_name(domain: str) -> str:
    """Return the Redis key of a custom domain's logo."""
    return f"ots:domain:{{{domain}}}:logo"


def domain_claims_name(domain: str) -> str:
    """Return the Redis key of a custom domain's unverified claims (under the domain's hash tag)."""
    return f"ots:domain:{{{domain}}}:claims"


def owner_domains_name(owner: str) -> str:
    """Return the Redis key of the set of an owner's domains."""
    return f"ots:domains:{{{owner}}}"
