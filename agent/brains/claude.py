"""The Claude brain: a bounded tool-use loop over the store's docs, with cited answers.

One turn: send the conversation with three kinds of tools (``search_docs``, ``escalate_to_human``,
the store's custom actions), run the tools the model asks for, send the results back, and stop when
the model answers, hands over, or runs out of tool rounds. Docs go back to the model as
``search_result`` blocks with citations enabled, so the answer's citations name the exact doc
sections it rests on; those become the entry's sources. An answer that cites nothing after the model
searched is not sent as fact (see ``Turn`` handling below).

Every request streams: the first text delta calls ``on_typing`` so the widget shows the assistant
typing while the rest is generated; the entry is appended complete by the job.

API failures (rate limit, overload, 5xx, timeout, network) raise ``AIUnavailable``; the orchestrator
turns that into an honest message and a handoff, so a shopper never waits on a dead request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import anthropic

from agent.brains import lines, prompts
from agent.errors import ActionError, AIUnavailable
from agent.types import Escalation, Reply

log = logging.getLogger(__name__)

# Defaults (settings may override; see core.setting()).
SEARCH_K = 5  # passages per search_docs call
LOOKED_AT_MAX = 6  # docs listed on the Slack card

# Models that take output_config.effort (the 4.x Haiku/Sonnet reject it).
_NO_EFFORT = ("claude-haiku-4", "claude-sonnet-4", "claude-3", "claude-opus-4-0", "claude-opus-4-1")


@dataclass
class _Loop:
    """What one turn's tool calls gathered."""

    hits: dict = field(default_factory=dict)  # search_result source -> Hit
    looked_at: dict = field(default_factory=dict)  # url or title -> {title, url, relevance}
    searches: int = 0
    escalation: Escalation | None = None
    action_results: list = field(default_factory=list)
    rounds: int = 0
    identity: dict = field(default_factory=dict)  # the verified identity (agent.rules.verified_identity), or {}
    actions: dict = field(default_factory=dict)  # the custom actions offered in this turn


class ClaudeBrain:
    name = "claude"

    def __init__(self, settings, kb, actions=None, *, options=None, client: anthropic.Anthropic | None = None):
        from agent.brains.turn import Options

        self.settings = settings
        self.kb = kb
        self.options = options or Options.from_settings(settings)
        self.model = settings.anthropic_model
        self.client = client or anthropic.Anthropic(
            api_key=settings.anthropic_api_key,
            base_url=settings.anthropic_base_url or None,
            timeout=self.options.timeout,
            max_retries=self.options.max_retries,
        )
        self.actions = {a.name: a for a in (actions or [])}
        self.system = prompts.system_blocks(settings)
        self.tools = prompts.tools([a.tool() for a in self.actions.values()])

    def close(self) -> None:
        self.client.close()

    # -- the loop --

    def answer(self, turn) -> Reply:
        messages = prompts.messages_from_history(turn.history, max_chars=self.settings.max_message_chars)
        if not messages:
            messages = [{"role": "user", "content": turn.text}]
        from agent.rules import available, verified_identity

        # Actions bound to the customer's identity are offered only when the store's server signed it.
        loop = _Loop(identity=verified_identity(turn.conversation))
        loop.actions = {n: a for n, a in self.actions.items() if available(a, loop.identity)}
        tools = self.tools if len(loop.actions) == len(self.actions) else prompts.tools([a.tool() for a in loop.actions.values()])
        typing = _TypingOnce(turn.on_typing)
        final = None
        for round_no in range(self.options.max_tool_rounds + 1):
            final = self._call(messages, typing, tools)
            if final.stop_reason != "tool_use":
                break
            if round_no == self.options.max_tool_rounds:
                return self._tool_limit(turn, loop)
            loop.rounds += 1
            messages.append({"role": "assistant", "content": [_param(b) for b in final.content]})
            messages.append({"role": "user", "content": [self._run_tool(b, loop, turn) for b in final.content if b.type == "tool_use"]})
        return self._finish(turn, final, loop)

    def _call(self, messages: list[dict], typing: _TypingOnce, tools: list[dict]):
        kwargs = {
            "model": self.model,
            "max_tokens": self.options.max_tokens,
            "system": self.system,
            "tools": tools,
            "messages": messages,
        }
        if self.options.effort and not self.model.startswith(_NO_EFFORT):
            kwargs["output_config"] = {"effort": self.options.effort}
        try:
            with self.client.messages.stream(**kwargs) as stream:
                for event in stream:
                    if event.type == "text" and event.text:
                        typing()
                return stream.get_final_message()
        except anthropic.APIStatusError as e:
            raise AIUnavailable(f"Claude API error {e.status_code} ({_error_type(e)})", status=e.status_code) from e
        except anthropic.APITimeoutError as e:
            raise AIUnavailable(f"Claude API timed out after {self.options.timeout:g}s") from e
        except anthropic.APIConnectionError as e:
            raise AIUnavailable("Claude API could not be reached (network error)") from e
        except anthropic.APIResponseValidationError as e:
            raise AIUnavailable("Claude API sent a response Baton could not read") from e

    # -- second opinion --

    CONFIRM_TIMEOUT = 8.0  # seconds; past it the offline decision stands

    def confirm_handoff(self, turn, intent: str) -> bool | None:
        """Does this message really need a person? Asked only about a handoff the learned intent head
        proposed (the cue grammar and store rules are never second-guessed). True/False is Claude's
        verdict; None when it could not be had (API trouble, no verdict): the offline decision stands."""
        try:
            message = self.client.messages.create(
                model=self.model,
                max_tokens=256,
                system=prompts.confirm_system(self.settings),
                tools=[prompts.confirm_tool()],
                tool_choice={"type": "tool", "name": prompts.CONFIRM_TOOL},
                messages=prompts.confirm_messages(turn.text, intent, max_chars=self.settings.max_message_chars),
                timeout=min(self.CONFIRM_TIMEOUT, self.options.timeout),
            )
        except anthropic.APIError as e:
            log.warning("handoff check unavailable (%s); the offline decision stands", type(e).__name__)
            return None
        for block in message.content:
            if block.type == "tool_use" and block.name == prompts.CONFIRM_TOOL and isinstance(block.input, dict):
                verdict = block.input.get("needs_person")
                if isinstance(verdict, bool):
                    return verdict
        return None

    # -- tools --

    def _run_tool(self, block, loop: _Loop, turn) -> dict:
        name, args = block.name, block.input if isinstance(block.input, dict) else {}
        try:
            if name == prompts.SEARCH_TOOL:
                content = self._search(str(args.get("query") or turn.text), loop, turn)
            elif name == prompts.ESCALATE_TOOL:
                content = self._escalate(args, loop)
            elif name in loop.actions:
                content = self._action(name, args, loop)
            else:
                return _tool_result(block.id, f"Unknown tool {name!r}.", error=True)
        except ActionError as e:
            loop.action_results.append({"action": name, "ok": False, "error": str(e)})
            return _tool_result(block.id, f"The action failed: {e}", error=True)
        return _tool_result(block.id, content)

    def _search(self, query: str, loop: _Loop, turn):
        loop.searches += 1
        hits = self.kb.search(query[:500], k=SEARCH_K, audience=self.options.audience)
        if not hits:
            return "No passages in the docs match this query."
        blocks = []
        for hit in hits:
            block = prompts.search_result_block(hit)
            loop.hits.setdefault(block["source"], hit)
            key = hit.url or hit.citation_title
            seen = loop.looked_at.get(key)
            if not seen or seen["relevance"] < hit.relevance:
                loop.looked_at[key] = {"title": hit.citation_title, "url": hit.url, "relevance": round(float(hit.relevance), 3)}
            blocks.append(block)
        return blocks

    def _escalate(self, args: dict, loop: _Loop) -> str:
        category = str(args.get("category") or "other")
        loop.escalation = Escalation(
            reason=str(args.get("reason") or "The assistant asked for a person")[:300],
            category=category if category in prompts.CATEGORIES else "other",
            summary=str(args.get("summary") or "")[:600],
        )
        return (
            "Done: the team has the conversation and will reply in this chat. Now tell the shopper so, in their "
            "language, in one or two sentences. Do not promise an outcome or a time."
        )

    def _action(self, name: str, args: dict, loop: _Loop) -> str:
        from agent.rules import call_action, for_model

        action = loop.actions[name]
        result = call_action(action, args, loop.identity)
        loop.action_results.append({"action": name, "ok": True, "result": result})  # the team sees it all
        shared = for_model(action, result)
        note = "Done; the full result went to the team. " + (
            "Fields shared with you: " + json.dumps(shared, ensure_ascii=False) if shared else "No fields of it are shared with you."
        )
        return note[:8000]

    # -- endings --

    def _finish(self, turn, final, loop: _Loop) -> Reply:
        text, sources = _text_and_sources(final.content, loop)
        meta = {"brain": self.name, "model": self.model, "tool_rounds": loop.rounds, "stop_reason": final.stop_reason or ""}
        looked_at = self._looked_at(loop)
        if loop.escalation is not None:
            loop.escalation.looked_at = looked_at
            loop.escalation.action_results = loop.action_results
            outcome_answered = loop.escalation.category != "docs_gap"
            return Reply(
                text=text or lines.line("handoff", turn.language),
                sources=sources,
                escalation=loop.escalation,
                meta={**meta, "answered": outcome_answered, "outcome": "handoff"},
            )
        if final.stop_reason == "refusal":
            return Reply(text=lines.line("refused", turn.language, store=self.settings.store_name),
                         meta={**meta, "answered": True, "outcome": "refused"})
        if sources:
            return Reply(text=text, sources=sources, meta={**meta, "answered": True, "outcome": "answered"})
        if text and (not loop.searches or _is_short_question(text)):
            # Small talk, a clarifying question, or a polite decline: nothing to cite.
            return Reply(text=text, meta={**meta, "answered": True, "outcome": "conversational"})
        # The model searched but its answer rests on no citation: not sent as fact.
        best = max((v["relevance"] for v in looked_at), default=0.0)
        reason = f"The answer had no supporting citation in the docs (best match relevance {best:.2f})"
        return self.options.not_sure(turn, reason, looked_at, meta)

    def _tool_limit(self, turn, loop: _Loop) -> Reply:
        looked_at = self._looked_at(loop)
        escalation = Escalation(
            reason=f"No answer within the tool-round limit ({self.options.max_tool_rounds} rounds)",
            category="docs_gap",
            summary=f"The shopper asked: {turn.text[:200]}",
            looked_at=looked_at,
            action_results=loop.action_results,
        )
        if loop.escalation is not None:  # the model had asked for a person along the way: keep its words
            escalation.reason, escalation.category, escalation.summary = loop.escalation.reason, loop.escalation.category, loop.escalation.summary
        return Reply(
            text=lines.line("tool_limit", turn.language),
            escalation=escalation,
            meta={"brain": self.name, "model": self.model, "tool_rounds": loop.rounds, "answered": False, "outcome": "tool_limit"},
        )

    def _looked_at(self, loop: _Loop) -> list[dict]:
        return sorted(loop.looked_at.values(), key=lambda d: -d["relevance"])[:LOOKED_AT_MAX]


# ---- helpers ----------------------------------------------------------------------------------


class _TypingOnce:
    """Calls ``on_typing`` at the first text delta of the turn, and never again."""

    def __init__(self, callback):
        self.callback = callback
        self.done = callback is None

    def __call__(self):
        if not self.done:
            self.done = True
            self.callback()


def _param(block) -> dict:
    """A response content block as request content (thinking blocks go back unchanged)."""
    return block.model_dump(exclude_none=True, exclude={"parsed_output"})


def _tool_result(tool_use_id: str, content, *, error: bool = False) -> dict:
    result = {"type": "tool_result", "tool_use_id": tool_use_id, "content": content}
    if error:
        result["is_error"] = True
    return result


def _error_type(e: anthropic.APIStatusError) -> str:
    body = e.body if isinstance(e.body, dict) else {}
    err = body.get("error") if isinstance(body.get("error"), dict) else body
    return str(err.get("type") or type(e).__name__)


def _text_and_sources(content, loop: _Loop) -> tuple[str, list[dict]]:
    """The answer's text and the doc sections its citations point at (deduplicated, in order)."""
    parts, sources, seen = [], [], set()
    for block in content:
        if block.type != "text":
            continue
        parts.append(block.text)
        for citation in block.citations or []:
            source = getattr(citation, "source", None)
            if not source:
                continue
            hit = loop.hits.get(source)
            title = hit.citation_title if hit else (getattr(citation, "title", None) or source)
            url = hit.url if hit else (source if source.startswith("http") else "")
            key = url or title
            if key not in seen:
                seen.add(key)
                sources.append({"title": title, "url": url})
    return "".join(parts).strip(), sources


def _is_short_question(text: str) -> bool:
    """A one-line clarifying question ("Which product is it about?") needs no citation."""
    return text.rstrip().endswith("?") and len(text) <= 240 and "\n" not in text.strip()
