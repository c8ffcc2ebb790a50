"""Redis storage: the client, the key names, the Lua scripts, and one repository per kind of record.

Only this package talks to Redis. Each repository owns its record's field codes and hands the
domain typed records; `keys` names every key and `scripts` holds every Lua script.
"""
