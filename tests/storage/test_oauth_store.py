"""OAuth install settings: off without the three secrets; with them, stores in the bot's database."""

from __future__ import annotations

import asyncio
from datetime import datetime

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Installation

from bot.settings import Settings
from bot.slack.oauth import SCOPES, build_oauth_settings
from bot.storage.sql import SqlStore

SECRETS = dict(client_id="111.222", client_secret="shh", state_secret="state-shh")


def test_off_without_all_three_secrets():
    assert build_oauth_settings(Settings(), "sqlite:///unused.db") is None
    for missing in SECRETS:
        partial = {k: v for k, v in SECRETS.items() if k != missing}
        assert build_oauth_settings(Settings(**partial), "sqlite:///unused.db") is None


def test_from_environment_names():
    env = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_STATE_SECRET": "t"}
    assert build_oauth_settings(Settings.from_env(env=env), "sqlite:///unused.db") is not None


async def test_installation_and_state_stores_share_the_database(database_url: str):
    store = await SqlStore(database_url).start(strict=True)
    try:
        oauth = build_oauth_settings(Settings(**SECRETS), store)
        assert isinstance(oauth, AsyncOAuthSettings)
        assert oauth.client_id == "111.222" and oauth.client_secret == "shh"
        assert set(oauth.scopes) == set(SCOPES)

        installation = Installation(
            app_id="A111", enterprise_id=None, team_id="T111", team_name="Acme ML", user_id="U111",
            bot_token="xoxb-111", bot_id="B111", bot_user_id="UB111", bot_scopes=list(SCOPES),
            installed_at=datetime.now().timestamp())
        # Two replicas' first use at once: the lazy table creation must not race.
        await asyncio.gather(oauth.installation_store.async_save(installation),
                             oauth.state_store.async_issue())
        found = await oauth.installation_store.async_find_installation(enterprise_id=None, team_id="T111")
        assert found is not None and found.bot_token == "xoxb-111" and found.team_name == "Acme ML"
        bot = await oauth.installation_store.async_find_bot(enterprise_id=None, team_id="T111")
        assert bot is not None and bot.bot_user_id == "UB111"
        assert await oauth.installation_store.async_find_installation(enterprise_id=None, team_id="T999") is None

        state = await oauth.state_store.async_issue()
        assert await oauth.state_store.async_consume(state) is True
        assert await oauth.state_store.async_consume(state) is False  # one use only

        # The bot's own tables still work on the same database.
        assert await store.claim_event("EvOAuth") is True
    finally:
        await store.close()
