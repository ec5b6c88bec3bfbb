"""Workflow Builder custom step "Find the owner": a responsibility or question in, its owner out.

Outputs (see `functions.find_owner` in manifest.yml): the owner role's title, the answer text and,
where the org overlay (MLROLE_ORG) names them, a person, a user group and a channel, so a workflow
can DM or mention the owner. No confident single owner → `functions.completeError` with a reason
the workflow's author can read, because a workflow that DMs the wrong person is worse than one
that stops.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail

from bot.answers import Answer
from bot.org import CHANNEL_ID
from bot.slack.ask import ask, question_from
from bot.slack.deps import deps_of

CALLBACK_ID = "find_owner"
INPUT = "question"
OWNER_KINDS = ("responsibility", "role")
log = logging.getLogger("mlrole.slack")

E_EMPTY = "Find the owner: the question input is empty; map it to a responsibility or question."
E_UNKNOWN = "Find the owner: no confident owner for “{question}”. Try a task, e.g. “model deployment”."
E_UNSURE = "Find the owner: not sure who owns “{question}”; it could be {options}. Name the task more exactly."
E_NOT_ONE = ("Find the owner: “{question}” is about {title}, not one task with one owner. "
             "Name a task, e.g. “model deployment”.")


def owner_outputs(answerer: Any, answer: Answer) -> dict[str, str] | str:
    """The step's outputs, or the reason (for completeError) there is no confident single owner."""
    question = answer.question[:200]
    if not answer.answered:
        return E_UNKNOWN.format(question=question)
    if getattr(answer, "confidence", None) not in (None, "sure"):
        options = " or ".join(s.title for s in answer.suggestions[:3]) or (answer.title or "something else")
        return E_UNSURE.format(question=question, options=options)
    if answer.kind not in OWNER_KINDS or not answer.roles:
        return E_NOT_ONE.format(question=question, title=answer.title or answer.kind)
    role_id = answer.roles[0]
    role = answerer.kb.roles.get(role_id)
    outputs = {"owner_role": role.title if role else role_id, "answer": answer.text}
    contacts = answerer.org.get(role_id)
    if contacts is not None:
        if contacts.people:
            outputs["owner_user"] = contacts.people[0]
        if contacts.group:
            outputs["owner_usergroup"] = contacts.group
        if contacts.channel and CHANNEL_ID.match(contacts.channel):
            outputs["owner_channel"] = contacts.channel
    return outputs


async def handle_find_owner(inputs: dict, complete: AsyncComplete, fail: AsyncFail,
                            context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    question = question_from((inputs or {}).get(INPUT))
    try:
        if not question:
            await fail(error=E_EMPTY)
            return
        deps = deps_of(context)
        answer = await ask(deps, question, surface="workflow", user_id=None, team_id=context.team_id,
                           started=started)
        outputs = owner_outputs(deps.knowledge.answerer, answer)
        if isinstance(outputs, str):
            await fail(error=outputs)
        else:
            await complete(outputs=outputs)
    except Exception:
        log.exception("the Find the owner step failed")
        try:
            await fail(error="Find the owner: something went wrong on mlrole's side; try the step again.")
        except Exception:
            log.exception("could not report the step's failure to Slack")


def register(app: AsyncApp) -> None:
    app.function(CALLBACK_ID)(handle_find_owner)
