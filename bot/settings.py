"""Where things are, from the environment: one place, read once, so nothing reads os.environ ad hoc."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path


def default_knowledge_path() -> Path:
    """The bundled knowledge base: beside the package in a checkout, else the installed copy."""
    beside = Path(__file__).resolve().parent.parent / "knowledge"
    if beside.is_dir():
        return beside
    installed = Path(sys.prefix) / "share" / "mlrole" / "knowledge"
    return installed if installed.is_dir() else beside


def knowledge_path(explicit: str | None = None, env: dict[str, str] | None = None) -> Path:
    """--knowledge, else MLROLE_KNOWLEDGE, else the bundled knowledge base."""
    chosen = explicit or (os.environ if env is None else env).get("MLROLE_KNOWLEDGE")
    return Path(chosen).expanduser() if chosen else default_knowledge_path()


def default_database_url() -> str:
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite+aiosqlite:///{data_home / 'mlrole' / 'mlrole.db'}"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    knowledge: Path = field(default_factory=default_knowledge_path)
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = "https://slack.com/api/"
    port: int = 3000
    onboarding_channels: tuple[str, ...] = ()
    database_url: str | None = None
    org_file: Path | None = None
    log_level: str = "INFO"
    client_id: str | None = None
    client_secret: str | None = None
    state_secret: str | None = None
    triage_channel: str | None = None
    """Where "Ask the ML team" posts questions (a channel ID, or a name); unset: no button."""
    digest: str | None = None
    """"weekly": post a digest (top unanswered, top 👎, stale entries) to the triage channel."""
    public_page: bool = False
    """MLROLE_PUBLIC_PAGE=1: `mlrole serve` also answers GET / with the knowledge base page."""
    retention_days: int = 90

    @property
    def oauth_configured(self) -> bool:
        """All three OAuth settings present: multi-workspace install, no single bot token needed."""
        return bool(self.client_id and self.client_secret and self.state_secret)

    @classmethod
    def from_env(cls, knowledge: str | None = None, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        port = env.get("PORT", "3000")
        return cls(
            knowledge=knowledge_path(knowledge, env),
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=env.get("SLACK_API_URL") or "https://slack.com/api/",
            port=int(port) if port.isdigit() else 3000,
            onboarding_channels=_split(env.get("MLROLE_ONBOARDING_CHANNELS")),
            database_url=env.get("DATABASE_URL") or None,
            org_file=Path(env["MLROLE_ORG"]) if env.get("MLROLE_ORG") else None,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            client_id=env.get("SLACK_CLIENT_ID") or None,
            client_secret=env.get("SLACK_CLIENT_SECRET") or None,
            state_secret=env.get("SLACK_STATE_SECRET") or None,
            triage_channel=(env.get("MLROLE_TRIAGE_CHANNEL") or "").strip() or None,
            digest=(env.get("MLROLE_DIGEST") or "").strip().lower() or None,
            public_page=(env.get("MLROLE_PUBLIC_PAGE") or "").strip().lower() in ("1", "true", "yes", "on"),
            retention_days=int(env["MLROLE_RETENTION_DAYS"].strip())
            if (env.get("MLROLE_RETENTION_DAYS") or "").strip().isdigit() else 90,
        )
