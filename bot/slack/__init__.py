"""The Slack adapter: a thin layer that parses Slack payloads, asks the core, renders, replies."""
