"""Every Lua script. A script is one atomic step on keys that share a hash tag.

The scripts write field codes of their records directly (the receipt's state `s`, updated `u` and
share domain `d`; an outbox entry's tries `n` and lease `k`; a domain's owner `o`): they are the
same codes the repositories in this package own.
"""

from __future__ import annotations

from onetime.storage.keys import GENERATED_ECHO_SECONDS, OUTBOX_MARGIN

CREATE = f"""
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[1])
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[2], 2 * tonumber(ARGV[1]))
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'EX', {GENERATED_ECHO_SECONDS}) end
return 1
"""

# Reveal and burn are this one script with a different end state, so they race safely: the
# first to run deletes the secret; any later call finds nothing. A secret with a passphrase is
# only consumed when the caller says the passphrase was verified (ARGV[4]); otherwise the script
# hands back its bcrypt hash and changes nothing. A secret without one is taken in one round trip.
# The winner also gets the receipt's share domain and what its owner asked to be told (the fields
# ARGV[5..7] name), so the notice needs no second round trip.
TAKE = """
local record = redis.call('GET', KEYS[1])
if not record then return false end
local hash_length = string.byte(record, 1)
if hash_length > 0 and ARGV[4] ~= '1' then return {0, string.sub(record, 2, 1 + hash_length)} end
redis.call('DEL', KEYS[1], KEYS[3])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 's', ARGV[2], 'u', ARGV[1], ARGV[3], ARGV[1])
end
local receipt = redis.call('HMGET', KEYS[2], 'd', ARGV[5], ARGV[6], ARGV[7])
return {1, string.sub(record, 2 + hash_length), receipt[1] or '', receipt[2], receipt[3], receipt[4]}
"""

# A receipt read settles the lazy expired/orphaned states; a field is written only while the
# receipt exists, so an expired receipt is never recreated without a TTL.
READ_RECEIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local state = redis.call('HGET', KEYS[1], 's')
local secret_ttl = redis.call('PTTL', KEYS[2])
if secret_ttl == -2 and (state == 'new' or state == 'viewed') then
  local ends = tonumber(redis.call('HGET', KEYS[1], 'c')) + tonumber(redis.call('HGET', KEYS[1], 't'))
  local now = tonumber(ARGV[1])
  if now >= ends then
    redis.call('HSET', KEYS[1], 's', 'expired', 'u', tostring(ends))
  else
    redis.call('HSET', KEYS[1], 's', 'orphaned', 'u', ARGV[1])
  end
end
return {redis.call('HGETALL', KEYS[1]), redis.call('PTTL', KEYS[1]), secret_ttl}
"""

# The reveal page in one round trip: nil when the secret is gone, else the first byte of its record
# (the length of its passphrase hash, 0 for none) and the receipt's end-to-end size field ARGV[3]
# ('' for none); with ARGV[2] = '1' (a GET, not a HEAD) its receipt also moves from new to viewed.
# A receipt that is gone stays gone (HGET answers false).
PREVIEW = """
local head = redis.call('GETRANGE', KEYS[1], 0, 0)
if head == '' then return false end
local e2e = redis.call('HGET', KEYS[2], ARGV[3]) or ''
if ARGV[2] == '1' and redis.call('HGET', KEYS[2], 's') == 'new' then
  redis.call('HSET', KEYS[2], 's', 'viewed', 'u', ARGV[1])
  local owner = redis.call('HMGET', KEYS[2], ARGV[4], ARGV[5], ARGV[6])
  return {string.byte(head), e2e, 1, owner[1], owner[2], owner[3]}
end
return {string.byte(head), e2e, 0}
"""

# The outbox keys share the {mail} tag, so these scripts run on Redis Cluster too. An entry
# lives no longer than its secret; the index a little longer than its longest entry.
QUEUE_MAIL = f"""
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local keep = tonumber(ARGV[1]) + {OUTBOX_MARGIN}
if redis.call('TTL', KEYS[1]) < keep then redis.call('EXPIRE', KEYS[1], keep) end
return 1
"""

# Claiming pushes the entry's next-try time past the lease in the same step that checks it is
# due, so of two workers that saw it due, exactly one gets it. 0: the entry expired unsent.
CLAIM_MAIL = """
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return false end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('HSET', KEYS[2], 'k', ARGV[4])
return redis.call('HGETALL', KEYS[2])
"""

# Finish (delete) or reschedule an entry, only for the worker that still holds its lease.
FINISH_MAIL = """
if redis.call('HGET', KEYS[2], 'k') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
"""

RETRY_MAIL = """
if redis.call('HGET', KEYS[2], 'k') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

# The watch list of account-owned secrets (onetime.notifications) lives a little longer than its
# latest due member, like the outbox index. ARGV: the secret id, its expiry time, its lifetime.
WATCH_SECRET = f"""
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local keep = tonumber(ARGV[3]) + {OUTBOX_MARGIN}
if redis.call('TTL', KEYS[1]) < keep then redis.call('EXPIRE', KEYS[1], keep) end
return 1
"""

SET_FIELDS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

# A customer is created whole, with its lifetime when it has one (ARGV[1] > 0: an unconfirmed
# account), or not at all when the id is taken.
CREATE_CUSTOMER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
"""

# Confirming an account's address also ends the lifetime an unconfirmed account has.
CONFIRM_CUSTOMER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
redis.call('PERSIST', KEYS[1])
return 1
"""

# An unconfirmed account lives at least as long as the confirmation link just sent to it; an
# account without a lifetime (confirmed, or made by `ots account create`) keeps none.
KEEP_AT_LEAST = """
local ttl = redis.call('TTL', KEYS[1])
if ttl > 0 and ttl < tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
"""

# A new history key: the list sealed to the old one moves to the earlier index, kept to hand over.
RETIRE_HISTORY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZUNIONSTORE', KEYS[2], 2, KEYS[2], KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""

# An account's history key changes whole: the wrapped forms named in ARGV[2..n+1] are dropped,
# the field/value pairs after them written, while the account exists (ARGV[1] = n). With
# ARGV[1] = -1 it is only written if the account has none yet (its first history key).
SET_HISTORY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local dropped = tonumber(ARGV[1])
if dropped < 0 then
  if redis.call('HEXISTS', KEYS[1], 'hpub') == 1 then return 0 end
  dropped = 0
end
if dropped > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, 2, 1 + dropped)) end
redis.call('HSET', KEYS[1], unpack(ARGV, 2 + dropped))
return 1
"""

# An account being deleted leaves its receipts to their recipients, under another owner's name.
DISOWN_RECEIPT = """
if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then redis.call('HSET', KEYS[1], 'o', ARGV[2]) end
return 1
"""

# One key: a counter of one client (or account), tagged by that client, so on Redis Cluster the
# counters of different clients spread over every master. RESERVE_SIGNIN and RELEASE_SIGNIN also
# take one key a call.
COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""

# A passphrase attempt is counted before bcrypt runs, so concurrent guesses cannot all slip past
# the limits: at most `per client` verifications per client and `per secret` in all per window.
RESERVE_ATTEMPT = """
if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then return 0 end
local total = redis.call('INCR', KEYS[1])
if total == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local mine = redis.call('INCR', KEYS[2])
if mine == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
if mine > tonumber(ARGV[2]) or total > tonumber(ARGV[3]) then return 0 end
return 1
"""

# A sign-in attempt (or a password confirmation) is counted on one counter before bcrypt runs, so
# concurrent guesses cannot all slip past the limit. Answers 0 when the attempt may go ahead, else
# how many more seconds the counter, at its limit, still runs (at least 1). One key a call: the
# counters of an account and of an address live in different slots on a cluster.
RESERVE_SIGNIN = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[2]) then return math.max(redis.call('TTL', KEYS[1]), 1) end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 0
"""

# Gives back a reserved attempt (a sign-in that succeeded, or that never reached bcrypt); never
# recreates a counter whose window ended.
RELEASE_SIGNIN = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""

# After a failed attempt: lock the client, or the whole secret, once its attempts are used up.
LOCK_IF_EXHAUSTED = """
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[1])
end
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[3]) then
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[1])
end
return 1
"""

# Changes to a domain are made only by its owner, and never recreate a removed one.
UPDATE_DOMAIN = """
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2]) end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
return 1
"""

# Unverified claims on a domain name (KEYS[2], a hash: owner -> JSON with its expiry `e`) sit beside
# the record of the account that won it by verification (KEYS[1]). Several accounts may claim one
# name, each with its own token; a name is refused only while another account holds it verified.
# Claiming again while a claim lives keeps that claim (and its token and expiry). Lapsed claims are
# pruned here; the hash lives as long as its latest claim.
# ARGV: owner, now, claim JSON, claim lifetime in seconds.
CLAIM_DOMAIN_NAME = """
local holder = redis.call('HGET', KEYS[1], 'o')
if holder == ARGV[1] then return '' end
if holder and redis.call('HGET', KEYS[1], 's') == 'verified' then return holder end
local now = tonumber(ARGV[2])
local claims = redis.call('HGETALL', KEYS[2])
for i = 1, #claims, 2 do
  if tonumber(cjson.decode(claims[i + 1])['e']) <= now then redis.call('HDEL', KEYS[2], claims[i]) end
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return '' end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return ''
"""

# Record a DNS check on a live claim, keeping its token and expiry. ARGV: owner, now, claim JSON.
UPDATE_DOMAIN_CLAIM = """
local claim = redis.call('HGET', KEYS[1], ARGV[1])
if not claim or tonumber(cjson.decode(claim)['e']) <= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""

# Verification decides ownership: the first claim to verify wins the name, in one step that writes
# the domain's record (no TTL) and drops every claim, its own and the others'. A claim that lapsed
# or was dropped wins nothing; a name another account holds verified answers that holder. A holder
# whose verification was withdrawn by a later check loses the name, with its brand and logo.
# KEYS: domain, claims, logo. ARGV: owner, now, then the record's fields.
WIN_DOMAIN = """
local holder = redis.call('HGET', KEYS[1], 'o')
if holder and holder ~= ARGV[1] and redis.call('HGET', KEYS[1], 's') == 'verified' then return holder end
local claim = redis.call('HGET', KEYS[2], ARGV[1])
if not claim or tonumber(cjson.decode(claim)['e']) <= tonumber(ARGV[2]) then return false end
if holder and holder ~= ARGV[1] then redis.call('DEL', KEYS[1], KEYS[3]) end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'o', ARGV[1], unpack(ARGV, 3))
return ''
"""

# Forget what an owner has on a name: the domain it won (with its logo), or its claim.
REMOVE_DOMAIN_OR_CLAIM = """
if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return redis.call('HDEL', KEYS[3], ARGV[1])
"""
