"""The Slack side of Baton: the Bolt app, its listeners, Block Kit builders and the thread mirror.

Owns: listeners (thread replies, /handback, card buttons, the message shortcut, App Home), the
parent card and thread lines (pure builders), mrkdwn escaping, and ``mirror_conversation``, the
consumer that copies a conversation's log into its Slack thread.
May import: conversations, config's Settings, slack_bolt / slack_sdk. Never Flask, jobs/ or webhook/:
the web process and the worker hand us a store and two ``enqueue_*`` callables instead.
"""
