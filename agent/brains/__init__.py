"""The brains: what answers a shopper once the rules have let the message through.

    turn.py       what a brain is given (Turn, Options) and the shared "not sure" handoff
    claude.py     ClaudeBrain: tool use over the docs with citations (prompts.py builds what it sends)
    offline.py    OfflineBrain: extractive answers, no model (units.py → extract.py → gate.py)
    permission.py who-may-use-a-purchase questions, answered from the license terms only
    smalltalk.py  greetings, thanks, "are you a bot?", off-topic, the shopper's language
    lines.py      the canned lines every brain and the rules' handoff say, per language

A brain may import agent.types, agent.errors and agent.rules' public names (the built-in intents, the
custom HTTP actions it calls as tools); never the rules' internals, never Flask, Slack or Redis.
Nothing is imported here, so importing one brain does not load the other's SDK.
"""
