"""Errors of the conversation core.

    ConversationError
     ├── NotFound            unknown conversation id/number, or a token that does not match
     ├── InvalidTransition   the state machine forbids this move from the current state
     └── TooLong / Empty     a message outside the size limits
"""


class ConversationError(Exception):
    """Base class; ``str(err)`` is safe to show to a user."""


class NotFound(ConversationError):
    pass


class InvalidTransition(ConversationError):
    def __init__(self, event: str, state: str):
        super().__init__(f"cannot {event.replace('_', ' ')} a conversation that is {state}")
        self.event = event
        self.state = state


class TooLong(ConversationError):
    pass


class Empty(ConversationError):
    pass
