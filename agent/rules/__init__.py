"""The escalation rules: a store's policy for when a person steps in, decided before any brain runs.

    engine = RuleEngine(settings.rules_path)           # raises RulesError only if the first load fails
    decision = engine.evaluate(text, RuleContext(conversation, history, now))

    model.py     the rules file as data (Rule, Triggers, BusinessHours, RuleContext, Decision)
    linemap.py   → loader.py   reading and validating a rules file, each problem with its line
    engine.py    RuleEngine: evaluates the rules on one message (reloads a changed file)
    text.py      → lexicon.py  → intents.py   folding/tokens/language, cue words, the intent grammar
    framing.py   the shopper's own words (quoted/role-play/system text and bot questions set aside) and "settled"
    head.py      the learned intent head (second opinion when the grammar finds nothing)
    actions.py   custom HTTP actions declared in the rules file ([[actions]]), called by a brain

Imports only agent.errors and agent.types from the rest of agent/ (never a brain), and nothing of
Flask, Slack or Redis. Others use the names exported here.
"""

from __future__ import annotations

from agent.errors import RuleProblem, RulesError
from agent.rules.actions import Action, available, call_action, for_model, verified_identity
from agent.rules.engine import RuleEngine
from agent.rules.intents import Analysis, CustomIntent, IntentClassifier, IntentScore
from agent.rules.lexicon import BUILTIN_INTENTS
from agent.rules.loader import check_file, load_rules
from agent.rules.model import BusinessHours, Decision, EscalateAction, Rule, RuleContext, RuleSet, Triggers
from agent.rules.text import tokenize

__all__ = [
    "BUILTIN_INTENTS",
    "Action",
    "Analysis",
    "BusinessHours",
    "CustomIntent",
    "Decision",
    "EscalateAction",
    "IntentClassifier",
    "IntentScore",
    "Rule",
    "RuleContext",
    "RuleEngine",
    "RuleProblem",
    "RuleSet",
    "RulesError",
    "Triggers",
    "available",
    "call_action",
    "check_file",
    "load_rules",
    "for_model",
    "tokenize",
    "verified_identity",
]
