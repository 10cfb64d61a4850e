"""Every string a Slack user reads, in one place (and the configuration hints we log).

Placeholders are ``str.format`` fields. Values that came from shoppers are escaped by the caller
(``bot.mrkdwn.escape``) before they are put in.
"""

# -- /handback, buttons and the shortcut (ephemeral replies) ---------------------------------------
HANDED_BACK = "Handed #{number} back to the AI. {customer} sees that in the chat, and the AI answers their next message."
TOOK_OVER = "You have #{number} now. Reply in its thread to answer {customer}; start with `{note_prefix}` for an internal note."
CLOSED = "Closed #{number}. If {customer} writes again, it reopens with the AI."
ALREADY_AI = "#{number} is already with the AI, so there is nothing to hand back."
ALREADY_HUMAN = "#{number} is already with a person. Reply in its thread to answer."
ALREADY_YOURS = "You already have #{number}. Reply in its thread to answer {customer}."
HELD_BY = "{holder} has #{number}. Ask them in the thread, or reply there to add to the conversation."
ALREADY_CLOSED = "#{number} is closed. It reopens with the AI when the shopper writes again."
CANNOT = "Can't do that: {reason}."
UNKNOWN_NUMBER = "There is no conversation #{number}. Type `/handback` on its own to list the ones you can hand back."
USAGE = (
    "Usage: `/handback 1042` hands conversation #1042 back to the AI. "
    "Type `/handback` on its own to list the conversations you can hand back."
)
NOTHING_TO_HAND_BACK = "Nothing to hand back: no conversation is waiting for or with a person right now."
HANDBACK_LIST_INTRO = "These conversations are with the team. Hand one back with its button or `/handback NUMBER`:"
SHORTCUT_NOT_IN_THREAD = (
    "This message is not in a Baton conversation thread. Use *Hand back to AI* on a message in a "
    "conversation's thread, or `/handback NUMBER`."
)
UNKNOWN_CONVERSATION = "That conversation no longer exists."
SOMETHING_WENT_WRONG = "Sorry, that didn't work (Baton could not reach its database). Please try again in a moment."

# -- thread replies that cannot reach the shopper (ephemeral, in the thread) ----------------------
REPLY_TOO_LONG = "Your reply was not sent: it is longer than {limit} characters. Split it into shorter messages."
REPLY_EMPTY = "Nothing was sent: your reply has no text or file that can reach the shopper. Add a few words to it."
CONVERSATION_FULL = "Your reply was not sent: this conversation is too long. Ask the shopper to start a new chat."
EDIT_TOO_LONG = "Your edit did not reach the shopper: it is longer than {limit} characters. They still see your reply as first sent."
EDIT_CONVERSATION_FULL = "Your edit did not reach the shopper: this conversation is too long. They still see your reply as first sent."

# -- the parent card --------------------------------------------------------------------------------
CARD_HEADER = "Conversation #{number}"
CARD_FALLBACK = "Conversation #{number} with {customer} needs a person: {why}"
CARD_CUSTOMER = "*Customer*\n{customer}"
CARD_PAGE = "*Page*\n{page}"
CARD_PRIORITY = "*Priority*\n{priority}"
CARD_STATE = "*State*\n{state}"
CARD_ASSIGNEE = "*Assignee*\n{assignee}"
CARD_LOCALE = "*Language*\n{locale}"
CARD_HISTORY = "*History*\n{history}"
CARD_FALLBACK_WATCHED = "Conversation #{number} with {customer}: the AI is answering"
NOBODY = "nobody yet"
UNKNOWN = "unknown"
FIRST_CONVERSATION = "first conversation"
EARLIER_ONE = "1 earlier conversation"
EARLIER_MANY = "{count} earlier conversations"
CARD_WHY = "*Why:* {why}"
WHY_RULE = "rule `{rule}` fired. {reason}"
CARD_SUMMARY = "*Summary:* {summary}"
CARD_LOOKED_AT = "*Docs the AI looked at:* {docs}"
CARD_NO_DOCS = "*Docs the AI looked at:* none matched"
CARD_ACTION_RESULTS = "*Action results:*\n{results}"
CARD_HOW_TO = "Reply in this thread to answer the shopper. Start with `{note_prefix}` for an internal note."
NO_PAGE = "unknown"
NO_EMAIL = "no email given"
IDENTITY_VERIFIED = ":white_check_mark: verified by the store"
IDENTITY_UNVERIFIED = "unverified"

BUTTON_TAKE_OVER = "Take over"
BUTTON_HAND_BACK = "Hand back to AI"
BUTTON_CLOSE = "Close"
CONFIRM_CLOSE_TITLE = "Close this conversation?"
CONFIRM_CLOSE_TEXT = "The shopper is told the conversation is closed. If they write again, it reopens with the AI."
CONFIRM_CLOSE_YES = "Close it"
CONFIRM_CLOSE_NO = "Cancel"

STATE_LABELS = {
    "ai": ":robot_face: With the AI",
    "waiting": ":hourglass_flowing_sand: Waiting for a person",
    "human": ":raising_hand: With a person",
    "closed": ":white_check_mark: Closed",
}
PRIORITY_LABELS = {
    "low": "Low",
    "normal": "Normal",
    "high": ":large_orange_circle: High",
    "urgent": ":red_circle: Urgent",
}

# -- thread lines -----------------------------------------------------------------------------------
LINE_CUSTOMER = "*{name}:* {text}"
LINE_AI = "*AI assistant:* {text}"
LINE_AI_SOURCES = "_Sources:_ {sources}"
LINE_AGENT = "*{name}* (team): {text}"
LINE_NOTE = ":lock: *Internal note by {name}:* {text}"
NOTE_INTERNAL = "Internal: only your team sees this, never the shopper."
SHOPPER_USERNAME = "{name} (shopper)"
SHOPPER = "Shopper"
AI_USERNAME = "AI assistant"
AGENT_USERNAME = "{name} (team)"
LINE_ESCALATED = ":rotating_light: *Escalated:* {why}"
LINE_EVENT = {
    "escalate": ":rotating_light: {text}",
    "take_over": ":raising_hand: {text}",
    "hand_back": ":robot_face: {text}",
    "close": ":white_check_mark: {text}",
    "reopen": ":arrows_counterclockwise: {text}",
}
LINE_EVENT_OTHER = ":information_source: {text}"
LINE_FEEDBACK_ANSWER = {"up": ":thumbsup: *{name}* found the AI's answer helpful", "down": ":thumbsdown: *{name}* found the AI's answer unhelpful"}
LINE_FEEDBACK_RATING = ":star: *{name}* rated the conversation {stars} ({rating}/5)"
LINE_FEEDBACK_COMMENT = ": {text}"
SOMEONE = "A team member"

# -- the recap the AI gets when a conversation is handed back (an internal note, also shown in the thread)
RECAP_AUTHOR = "Baton"
RECAP = (
    "Recap for the AI: {actor} handed this conversation back. What the team did:\n{items}\n"
    "Build on this: do not repeat it, and do not contradict what the team told the shopper."
)
RECAP_REPLY = "- {name} told the shopper: \"{text}\""
RECAP_NOTE = "- {name} noted (internal): \"{text}\""

# -- reminders (in the thread of a conversation left waiting) ------------------------------------------
REMINDER_FIRST = ":alarm_clock: #{number} ({customer}) has been waiting {waited} for a person. Reply in this thread or click *Take over* on the card."
REMINDER_AGAIN = ":rotating_light: Still waiting: #{number} ({customer}) has had no answer for {waited}. Can someone take it?"

# -- App Home ----------------------------------------------------------------------------------------
HOME_TITLE = "Baton: the queue"
HOME_INTRO = "Waiting conversations first, oldest on top. Reply in a thread to answer; `/handback NUMBER` returns one to the AI."
HOME_EMPTY = ":sparkles: Nothing waiting. The AI is handling every conversation."
QUEUE_WAITING = "*:hourglass_flowing_sand: Waiting for a person ({count})*"
QUEUE_HELD = "*:raising_hand: With the team ({count})*"
QUEUE_NOBODY_HOLDS = "Nobody holds a conversation right now."
QUEUE_ROW = "*#{number}* · {customer} · {detail}\n{why}"
QUEUE_WAITED = "waiting *{waited}* (since {since})"
QUEUE_HELD_BY = "held by {assignee}"
QUEUE_TODAY = "*Today:* {new} new · {handed_off} handed to the team · {resolved} resolved by the AI · {waiting} waiting now"
BUTTON_OPEN_THREAD = "Open thread"
HOME_ROW = "*#{number}* · {customer} · {state}\n{why}\n<{link}|Open thread>"
HOME_ROW_NO_THREAD = "*#{number}* · {customer} · {state}\n{why}\n_Thread not posted yet_"
HOME_MORE = "Showing the {count} most recent."

# -- configuration hints (logged, never shown to shoppers) ------------------------------------------
NOT_CONFIGURED = (
    "Slack is not configured; set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see docs/slack.md) to "
    "mirror escalated conversations into Slack threads"
)
NO_CHANNEL = "no Slack channel to post to: set SLACK_INBOX_CHANNEL (a channel id like C0123456789) or a rule's channel"
ERROR_HINTS = {
    "channel_not_found": "check SLACK_INBOX_CHANNEL (or the rule's channel) is a channel id the bot can see",
    "not_in_channel": "invite the Baton app to the channel (/invite @Baton)",
    "is_archived": "the channel is archived: unarchive it or point SLACK_INBOX_CHANNEL elsewhere",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid: copy the Bot User OAuth Token again",
    "not_authed": "SLACK_BOT_TOKEN is missing",
    "account_inactive": "the app was uninstalled or its token revoked: reinstall it and update SLACK_BOT_TOKEN",
    "token_revoked": "the app was uninstalled or its token revoked: reinstall it and update SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a scope: reinstall it from manifest.yml",
    "msg_too_long": "a message was too long for Slack",
    "invalid_blocks": "Slack rejected the card's blocks (a bug: please report it)",
}

# -- suggested replies (drafts) ---------------------------------------------------------------------
DRAFT_INTRO_DOCS = ":bulb: *Suggested reply* (the best passage from the docs). Only the team sees this; {customer} gets it when you send it."
DRAFT_INTRO_CLAUDE = ":bulb: *Suggested reply* (drafted by the AI from the docs and the conversation). Only the team sees this; {customer} gets it when you send it."
DRAFT_FALLBACK = "Suggested reply for {customer} (only the team sees this)"
DRAFT_SOURCES = "_From:_ {sources}"
BUTTON_DRAFT_SEND = "Send to shopper"
BUTTON_DRAFT_EDIT = "Edit and send"
DRAFT_SENT = ":white_check_mark: {user} sent this suggested reply to {customer}."
DRAFT_SENT_TO_YOU = "Sent to {customer} as your reply. You have #{number} now."
DRAFT_STALE = "That suggestion is out of date: #{number} has a newer one, or none. Reply in the thread instead."
DRAFT_ALREADY_SENT = "{user} already sent that suggestion to {customer}."
DRAFT_MODAL_TITLE = "Reply to #{number}"
DRAFT_MODAL_SUBMIT = "Send"
DRAFT_MODAL_CANCEL = "Cancel"
DRAFT_MODAL_LABEL = "Your reply"
DRAFT_MODAL_HINT = "{customer} gets this as your reply, under your name."
DRAFT_MODAL_EMPTY = "Write a few words to send."

# -- files shared in a thread (notes in the thread, for the team) -----------------------------------
FILE_TYPE_REFUSED = ":no_entry_sign: *{name}* did not reach the shopper: {type} files are not sent. Allowed: {allowed} (BATON_FILE_TYPES)."
FILE_TOO_LARGE = ":no_entry_sign: *{name}* did not reach the shopper: it is {size}, and files up to {limit} are sent (BATON_FILE_MAX_MB)."
FILE_NOT_READABLE = ":no_entry_sign: *{name}* did not reach the shopper: Baton could not read it from Slack (does the app have the files:read scope? Reinstall it from manifest.yml)."
FILE_UNAVAILABLE = ":no_entry_sign: *{name}* did not reach the shopper: Slack does not make this file available to apps."

# -- the digest's "Add to docs" button --------------------------------------------------------------
DOC_DRAFT_SAVING = "Saving *{title}* to the docs… I'll confirm in the digest's thread."
DOC_DRAFT_SAVED = ("{user} added *{title}* to the docs as `{filename}` (from {count} conversation(s): {numbers}). "
               "Re-indexing now; the AI answers from it in a minute or two.")
DOC_DRAFT_ALREADY_SAVED = "*{title}* is already in the docs as `{filename}`."
DOC_DRAFT_GONE = "That draft is no longer available (drafts are kept for 60 days). The next digest drafts it again if the gap is still there."
DOC_DRAFT_UNAVAILABLE = "Adding drafts to the docs is not available on this server."
