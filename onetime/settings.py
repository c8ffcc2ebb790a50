"""Deployment settings: one frozen object, built from the environment at start."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from onetime.errors import SettingsError
from onetime.mail.config import MailDelivery, SmtpServer, parse_mail_from
from onetime.plans import DEFAULT_PLANS, Plan
from onetime.policy import AccessPolicy
from onetime.policy_settings import read_access_policy, read_plans
from onetime.regions import Region, parse_origin, parse_regions

MIN_SECRET_BYTES = 32
MIN_METRICS_TOKEN_LENGTH = 16
FSYNC_POLICIES = ("everysec", "always")
LOG_FORMATS = ("plain", "json")
REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class RequestLimit:
    """At most `count` requests per client in a window of `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, raw: str) -> RequestLimit:
        """Parse `count/seconds`, naming the variable when it is malformed."""
        count_text, _, seconds_text = raw.partition("/")
        try:
            count, seconds = int(count_text), int(seconds_text)
        except ValueError:
            raise SettingsError(f"{name} must look like count/seconds, e.g. 1000/1200") from None
        if count < 1 or seconds < 1:
            raise SettingsError(f"{name} needs a positive count and a positive number of seconds")
        return cls(count, seconds)


@dataclass(frozen=True, slots=True)
class DnsResolver:
    """The DNS server that domain verification asks (OTS_DNS_RESOLVER, `host:port`)."""

    host: str
    port: int = 53


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a deployment can configure. Build with `Settings.from_env()`."""

    host: str = "127.0.0.1"
    """Interface `ots serve` listens on (OTS_HOST)."""
    port: int = 8000
    """TCP port `ots serve` listens on (OTS_PORT)."""
    workers: int = 1
    """Server worker processes (OTS_WORKERS)."""
    header_timeout: int = 10
    """Seconds a client has to send a request's headers before `ots serve` closes the connection
    (OTS_HEADER_TIMEOUT)."""
    base_url: str = "http://127.0.0.1:8000"
    """Canonical origin used to build links (OTS_BASE_URL); defaults to where the server listens."""
    redis_url: str | None = None
    """Redis to use (OTS_REDIS_URL); None starts the embedded redis-server."""
    data_dir: Path = Path("var")
    """Embedded Redis data and the generated master secret (OTS_DATA_DIR)."""
    master_secret: bytes | None = field(default=None, repr=False)
    """Master secret (OTS_SECRET, or the file OTS_SECRET_FILE names, base64); None reads or generates
    one in the data dir."""
    master_secret_file: Path | None = None
    """Where the master secret was read from (OTS_SECRET_FILE), to warn when it sits with the data."""
    aof_compact_seconds: int = 900
    """How often the embedded Redis rewrites its append-only file when it changed, so that consumed
    secrets leave the disk (OTS_AOF_COMPACT_SECONDS; 0: never)."""
    previous_master_secrets: tuple[bytes, ...] = field(default=(), repr=False)
    """Rotated-out master secrets that still decrypt (OTS_SECRET_PREVIOUS, comma separated)."""
    region: str | None = None
    """This deployment's region id (OTS_REGION)."""
    regions: tuple[Region, ...] = ()
    """Every region of the service, this one included (OTS_REGIONS); empty for a single deployment."""
    dns_resolver: DnsResolver | None = None
    """DNS server asked when verifying custom domains (OTS_DNS_RESOLVER); None uses the system's."""
    smtp_url: str | None = field(default=None, repr=False)
    """Outgoing mail server (OTS_SMTP_URL, may carry a password); None refuses recipient emails."""
    mail_from: str | None = None
    """Sender of outgoing mail (OTS_MAIL_FROM): an address, or `Name <address>`."""
    mail_delivery: MailDelivery = field(default_factory=MailDelivery)
    """Retries and timing of the mail outbox worker."""
    trusted_proxies: tuple[IPNetwork, ...] = (ipaddress.ip_network("127.0.0.1/32"),)
    """Peers whose X-Forwarded-For header is believed (OTS_TRUSTED_PROXIES)."""
    ipv6_prefix: int = 64
    """Bits of an IPv6 client address that name one client for every per-address limit and lockout
    (OTS_IPV6_PREFIX, 32 to 128): a host usually holds a whole /64, so counting full addresses would
    give it unlimited allowances. 128 counts each address; IPv4 clients are always one address."""
    limit_create: RequestLimit = RequestLimit(1000, 1200)
    """Secret creations per client and window (OTS_LIMIT_CREATE)."""
    limit_reveal: RequestLimit = RequestLimit(1000, 1200)
    """Reveals and receipt reads per client and window (OTS_LIMIT_REVEAL)."""
    limit_signup: RequestLimit = RequestLimit(5, 3600)
    """Browser sign-ups per client and window (OTS_LIMIT_SIGNUP): each costs a bcrypt hash and a record."""
    rate_limits: bool = True
    """Whether the request limits apply (OTS_RATE_LIMITS); the passphrase lockout always does."""
    app_access_log: bool = True
    """Whether the app writes its own access log (OTS_APP_ACCESS_LOG); off where Caddy logs the requests.

    Not OTS_ACCESS_LOG: the Caddyfile reads that name as the path of Caddy's access log file."""
    passphrase_min_length: int = 0
    """Shortest accepted passphrase (OTS_PASSPHRASE_MIN_LENGTH); 0 accepts any."""
    passphrase_max_length: int = 128
    """Longest accepted passphrase (OTS_PASSPHRASE_MAX_LENGTH)."""
    passphrase_required: bool = False
    """Whether every secret needs a passphrase (OTS_PASSPHRASE_REQUIRED)."""
    bcrypt_cost: int = 12
    """bcrypt work factor for passphrases (OTS_BCRYPT_COST, 4 to 31)."""
    fsync: str = "everysec"
    """When the embedded Redis syncs its append-only file to disk (OTS_FSYNC): `everysec` may lose the
    last second of writes in a power cut, `always` syncs before every answer and costs throughput."""
    log_format: str = "plain"
    """How log lines look (OTS_LOG_FORMAT): `plain` text, or `json`, one object a line with a request id."""
    metrics_token: str | None = field(default=None, repr=False)
    """Bearer token that lets a non-loopback scraper read /metrics (OTS_METRICS_TOKEN); None: loopback only."""
    # Who may create, read-only mode, sign-up, expiries and plans (issue 17; onetime.policy_settings).
    access: AccessPolicy = field(default_factory=AccessPolicy)
    """Who may create secrets and accounts, and whether this deployment only reveals (OTS_CREATE,
    OTS_CREATE_NETWORKS, OTS_MODE, OTS_SIGNUP)."""
    plans: Mapping[str, Plan] = field(default_factory=lambda: dict(DEFAULT_PLANS))
    """Plans by name: TTL and size limits, and the expiries forms offer (OTS_PLANS, OTS_TTL_CHOICES,
    OTS_TTL_DEFAULT)."""

    @property
    def max_secret_bytes(self) -> int:
        """Return the largest secret any plan accepts."""
        return max(plan.max_size for plan in self.plans.values())

    @property
    def max_body_bytes(self) -> int:
        """Return the request body cap: room for the largest secret, percent-encoded."""
        return self.max_secret_bytes * 3 + 8192

    @property
    def mail_enabled(self) -> bool:
        """Tell whether recipient emails can be sent: an SMTP server and a sender are configured."""
        return self.smtp_url is not None and self.mail_from is not None

    @property
    def smtp_server(self) -> SmtpServer | None:
        """Return the parsed OTS_SMTP_URL, or None when mail is off."""
        return None if self.smtp_url is None else SmtpServer.parse("OTS_SMTP_URL", self.smtp_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `OTS_*` variables; raise SettingsError naming a bad one."""
        env = os.environ if env is None else env
        reader = _EnvReader(env)
        host = reader.text("OTS_HOST", "127.0.0.1")
        port = reader.integer("OTS_PORT", 8000, 1, 65535)
        link_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - not binding, naming
        passphrase_max = reader.integer("OTS_PASSPHRASE_MAX_LENGTH", 128, 1, 1024)
        smtp_url = reader.smtp_url("OTS_SMTP_URL")
        region = reader.optional("OTS_REGION")
        regions = reader.regions("OTS_REGIONS", region)
        # In a multi-region setup the canonical origin is this region's: links must carry its host.
        this_region = next((r.origin for r in regions if r.id == region), None)
        base_url = reader.origin("OTS_BASE_URL", this_region or f"http://{link_host}:{port}")
        if this_region is not None and base_url != this_region:
            raise SettingsError(f"OTS_BASE_URL must be the origin of region {region} in OTS_REGIONS ({this_region})")
        secret_file = reader.path("OTS_SECRET_FILE")
        if secret_file is not None and reader.optional("OTS_SECRET") is not None:
            raise SettingsError("set OTS_SECRET or OTS_SECRET_FILE, not both")
        return cls(
            host=host,
            port=port,
            workers=reader.integer("OTS_WORKERS", 1, 1, 64),
            header_timeout=reader.integer("OTS_HEADER_TIMEOUT", 10, 1, 300),
            base_url=base_url,
            redis_url=reader.redis_url("OTS_REDIS_URL"),
            data_dir=Path(reader.text("OTS_DATA_DIR", "var")),
            master_secret=reader.master_secret("OTS_SECRET") or reader.master_secret_file("OTS_SECRET_FILE"),
            master_secret_file=secret_file,
            aof_compact_seconds=reader.integer("OTS_AOF_COMPACT_SECONDS", 900, 0, 7 * 24 * 3600),
            previous_master_secrets=reader.master_secrets("OTS_SECRET_PREVIOUS"),
            region=region,
            regions=regions,
            dns_resolver=reader.dns_resolver("OTS_DNS_RESOLVER"),
            smtp_url=smtp_url,
            mail_from=reader.mail_from("OTS_MAIL_FROM", required=smtp_url is not None),
            trusted_proxies=reader.networks("OTS_TRUSTED_PROXIES", "127.0.0.1"),
            ipv6_prefix=reader.integer("OTS_IPV6_PREFIX", 64, 32, 128),
            limit_create=reader.limit("OTS_LIMIT_CREATE", "1000/1200"),
            limit_reveal=reader.limit("OTS_LIMIT_REVEAL", "1000/1200"),
            limit_signup=reader.limit("OTS_LIMIT_SIGNUP", "5/3600"),
            rate_limits=reader.switch("OTS_RATE_LIMITS", default=True),
            app_access_log=reader.switch("OTS_APP_ACCESS_LOG", default=True),
            # A minimum above the maximum would refuse every passphrase.
            passphrase_min_length=reader.integer("OTS_PASSPHRASE_MIN_LENGTH", 0, 0, passphrase_max),
            passphrase_max_length=passphrase_max,
            passphrase_required=reader.switch("OTS_PASSPHRASE_REQUIRED", default=False),
            bcrypt_cost=reader.integer("OTS_BCRYPT_COST", 12, 4, 31),
            fsync=reader.choice("OTS_FSYNC", FSYNC_POLICIES),
            log_format=reader.choice("OTS_LOG_FORMAT", LOG_FORMATS),
            metrics_token=reader.token("OTS_METRICS_TOKEN", MIN_METRICS_TOKEN_LENGTH),
            access=read_access_policy(env),
            plans=read_plans(env),
        )


@dataclass(frozen=True, slots=True)
class _EnvReader:
    """Parse one variable at a time, with an error message that names it."""

    env: Mapping[str, str]

    def optional(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def text(self, name: str, default: str) -> str:
        return self.optional(name) or default

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.optional(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
        return value

    def limit(self, name: str, default: str) -> RequestLimit:
        return RequestLimit.parse(name, self.text(name, default))

    def switch(self, name: str, *, default: bool) -> bool:
        raw = self.optional(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in {"on", "true", "yes", "1"}:
            return True
        if lowered in {"off", "false", "no", "0"}:
            return False
        raise SettingsError(f"{name} must be on or off, got {raw!r}")

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        """Return one of `choices` (the first is the default), compared without case."""
        raw = self.optional(name)
        if raw is None:
            return choices[0]
        if raw.lower() not in choices:
            raise SettingsError(f"{name} must be {' or '.join(choices)}, got {raw!r}")
        return raw.lower()

    def token(self, name: str, min_length: int) -> str | None:
        raw = self.optional(name)
        if raw is None:
            return None
        # The value never appears in the message: it is a credential.
        if len(raw) < min_length or not raw.isascii() or not raw.isprintable() or " " in raw:
            raise SettingsError(f"{name} must be at least {min_length} printable ASCII characters without spaces")
        return raw

    def origin(self, name: str, default: str) -> str:
        return parse_origin(name, self.text(name, default))

    def redis_url(self, name: str) -> str | None:
        raw = self.optional(name)
        if raw is None:
            return None
        try:
            parts = urlsplit(raw)
            # A cluster URL lists its seed nodes, `host:port,host:port`: check each one's port.
            nodes = parts.netloc.split(",") if parts.scheme == "redis+cluster" else [parts.netloc]
            for node in nodes:
                urlsplit(f"//{node}").port  # noqa: B018 - raises on a port out of range
        except ValueError:
            raise SettingsError(f"{name} is not a valid URL") from None
        if parts.scheme not in REDIS_SCHEMES:
            allowed = ", ".join(f"{scheme}://" for scheme in REDIS_SCHEMES)
            raise SettingsError(f"{name} must start with one of {allowed}")
        if parts.scheme == "unix" and not parts.path:
            raise SettingsError(f"{name} needs a socket path, e.g. unix:///run/redis.sock")
        if parts.scheme != "unix" and not parts.netloc:
            raise SettingsError(f"{name} needs a host, e.g. redis://127.0.0.1:6379/0")
        return raw

    def regions(self, name: str, current: str | None) -> tuple[Region, ...]:
        raw = self.optional(name)
        return () if raw is None else parse_regions(name, raw, current)

    def dns_resolver(self, name: str) -> DnsResolver | None:
        raw = self.optional(name)
        if raw is None:
            return None
        host, _, port_text = raw.rpartition(":") if raw.count(":") == 1 or raw.startswith("[") else (raw, "", "53")
        host = host.strip("[]")
        try:
            address = ipaddress.ip_address(host)
            port = int(port_text)
        except ValueError:
            raise SettingsError(f"{name} must be an IP address and port, e.g. 127.0.0.1:53 or [::1]:53") from None
        if not 1 <= port <= 65535:  # noqa: PLR2004
            raise SettingsError(f"{name} has a port out of range, got {port}")
        return DnsResolver(str(address), port)

    def smtp_url(self, name: str) -> str | None:
        raw = self.optional(name)
        if raw is not None:
            SmtpServer.parse(name, raw)
        return raw

    def mail_from(self, name: str, *, required: bool) -> str | None:
        raw = self.optional(name)
        if raw is None:
            if required:
                raise SettingsError(f"{name} is required when OTS_SMTP_URL is set, e.g. noreply@example.com")
            return None
        return parse_mail_from(name, raw)

    def master_secret(self, name: str) -> bytes | None:
        raw = self.optional(name)
        return None if raw is None else _decode_master_secret(name, raw)

    def path(self, name: str) -> Path | None:
        raw = self.optional(name)
        return None if raw is None else Path(raw)

    def master_secret_file(self, name: str) -> bytes | None:
        path = self.path(name)
        if path is None:
            return None
        try:
            raw = path.read_text().strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = error.__class__.__name__
            raise SettingsError(f"{name} names a file that cannot be read: {path} ({reason})") from None
        return _decode_master_secret(name, raw)

    def master_secrets(self, name: str) -> tuple[bytes, ...]:
        raw = self.optional(name)
        if raw is None:
            return ()
        return tuple(_decode_master_secret(name, part.strip()) for part in raw.split(",") if part.strip())

    def networks(self, name: str, default: str) -> tuple[IPNetwork, ...]:
        raw = self.text(name, default)
        try:
            return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
        except ValueError:
            raise SettingsError(f"{name} must be a comma-separated list of IP addresses or networks") from None


def _decode_master_secret(name: str, raw: str) -> bytes:
    try:
        value = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{name} must be base64 (e.g. from `openssl rand -base64 32`)") from None
    if len(value) < MIN_SECRET_BYTES:
        raise SettingsError(f"{name} must decode to at least {MIN_SECRET_BYTES} bytes, got {len(value)}")
    return value
