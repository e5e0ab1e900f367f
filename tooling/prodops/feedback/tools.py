"""The shipped source mappings: for kinds of tool (a help desk, an idea board…) and named after the tools
whose exports they read, as those tools write them.

Each vendor's has a fixture under ``tooling/tests/fixtures/exports/<tool>/`` laid out as the vendor
documents the export (its README names the page), imported unchanged by the tests; the generic
ones' fixtures are in ``tooling/tests/fixtures/feedback/``.
"""

from __future__ import annotations

from prodops.feedback.source import SourceMapping

# Jira writes dates in the instance's format: "03/Nov/20 12:17 PM" by default, 24-hour clocks or ISO elsewhere.
JIRA_DATES = ("%d/%b/%y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%Y %I:%M %p", "%d/%b/%Y %H:%M", "%Y-%m-%d %H:%M")

# The first shipped mappings, named after kinds of tool rather than a vendor.
GENERIC: tuple[SourceMapping, ...] = (
    # A help desk's ticket export (the columns of Zendesk's CSV view export, with the ticket description).
    SourceMapping(
        "support-desk",
        "the shipped support-desk mapping",
        text=("Subject", "Description"),
        date="Created at",
        id="Id",
        account="Organization",
        email="Requester email",
        tags="Tags",
        tag_separator=" ",
        fields={"category": "Category", "priority": "Priority", "status": "Status"},
        people=("Requester", "Assignee"),
    ),
    # An idea board's posts export: one post per feature request, with its votes.
    SourceMapping(
        "idea-board",
        "the shipped idea-board mapping",
        text=("Title", "Details"),
        date="Created At",
        account="Company Name",
        domain="Company Domain",
        email="Author Email",
        tags="Tags",
        votes="Votes",
        fields={"board": "Board", "category": "Category", "status": "Status"},
        people=("Author Name", "Owner Name"),
    ),
    # A product feedback tool's notes export (notes captured by sales and success teams).
    SourceMapping(
        "feedback-tool",
        "the shipped feedback-tool mapping",
        text=("Note title", "Note text"),
        date="Created at",
        account="Company name",
        domain="Company domain",
        email="User email",
        tags="Tags",
        fields={"origin": "Source", "owner": "Owner"},
        people=("User name", "Owner"),
        keep_account_names=True,
    ),
    # An NPS survey's responses export: the comment is the feedback; the score a field.
    SourceMapping(
        "nps-survey",
        "the shipped nps-survey mapping",
        text=("Comment",),
        date="Response timestamp",
        id="Response ID",
        account="Company",
        email="Email",
        segment="Plan",
        fields={"score": "Score"},
        people=("Name",),
    ),
    # Anything else, written by hand or by a script: text,date,account,segment,source.
    SourceMapping(
        "generic",
        "the shipped generic mapping",
        text=("text",),
        date="date",
        account="account",
        segment="segment",
        source_column="source",
    ),
)

TOOLS: tuple[SourceMapping, ...] = (
    # Zendesk's CSV ticket export (Admin Center > Account > Tools > Reports > Export): one row per ticket,
    # no description or comments; custom fields as "Name [list]" / "Name [txt]"; dates "2009-09-01 19:02".
    # Its JSON export (recommended above 200,000 tickets) is read with the JSON variant.
    SourceMapping(
        "zendesk",
        "the shipped zendesk mapping",
        text=("Subject",),
        date="Created at",
        date_formats=("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"),
        id="Id",
        account="Organization",
        email="Requester email",
        tags="Tags",
        tag_separator=" ",
        fields={"priority": "Priority", "status": "Status", "type": "Ticket type", "channel": "Via", "group": "Group"},
        people=("Requester", "Submitter", "Assignee"),
        optional=("Organization", "Group", "Ticket type"),
        custom_fields=True,
        json=SourceMapping(
            "zendesk",
            "the shipped zendesk mapping (JSON export)",
            text=("subject", "description"),
            date="created_at",
            id="id",
            account_id="organization_id",
            tags="tags",
            fields={"priority": "priority", "status": "status", "type": "type", "channel": "via.channel"},
            custom_list="custom_fields",
            records="tickets",
            optional=("organization_id", "priority", "type", "via.channel", "custom_fields", "tags"),
        ),
    ),
    # Jira's (and Jira Service Management's) "Export Excel CSV (all fields)": a column repeated once per
    # value (Labels, Sprint, Comment, Watchers…), comments as "date;author;body", custom fields as
    # "Custom field (Name)" (JSM's Organizations among them).
    SourceMapping(
        "jira",
        "the shipped jira mapping",
        text=("Summary", "Description"),
        date="Created",
        date_formats=JIRA_DATES,
        id="Issue key",
        account="Organizations",
        tags="Labels",
        votes="Votes",
        comments="Comment",
        fields={"type": "Issue Type", "status": "Status", "priority": "Priority", "component": "Component/s"},
        people=("Assignee", "Reporter", "Creator", "Watchers"),
        multi=("Labels", "Comment", "Watchers", "Sprint", "Component/s", "Fix Version/s", "Affects Version/s"),
        optional=("Organizations", "Labels", "Votes", "Comment", "Component/s", "Priority", "Creator", "Watchers"),
        custom_fields=True,
    ),
    # Intercom's conversation export (the Intercom Conversation Export app's CSV, one row per conversation
    # with "Conversation entries"): snake_case columns, lists comma-separated, times "2017-11-14 21:45:08" UTC.
    SourceMapping(
        "intercom",
        "the shipped intercom mapping",
        text=("message_body",),
        date="conversation_created_at",
        date_formats=("%Y-%m-%d %H:%M:%S",),
        id="conversation_id",
        account="message_author_companies",
        email="message_author_email",
        tags="conversation_tags",
        tag_separator=",",
        fields={"state": "conversation_state", "author-type": "message_author_type", "type": "message_type"},
        people=("message_author_name",),
        optional=("conversation_tags", "message_author_companies", "message_type", "message_author_type"),
    ),
    # Productboard's notes, as its notes API lists them ({"data": [...]}): title, rich-text content,
    # the user's email, the company, tags and the source the note came from.
    SourceMapping(
        "productboard",
        "the shipped productboard mapping",
        text=("title", "content"),
        html=True,
        date="createdAt",
        id="id",
        account_id="company.id",
        email="user.email",
        tags="tags",
        fields={"origin": "source.origin", "state": "state"},
        records="data",
        optional=("company.id", "user.email", "tags", "source.origin", "state"),
    ),
    # Canny's posts, as its API lists them ({"posts": [...]}): the score is the post's votes, the author's
    # companies the account, tags objects with names.
    SourceMapping(
        "canny",
        "the shipped canny mapping",
        text=("title", "details"),
        date="created",
        id="id",
        account="author.companies",
        email="author.email",
        votes="score",
        tags="tags",
        fields={"board": "board.name", "category": "category.name", "status": "status"},
        people=("author.name",),
        records="posts",
        optional=("author.companies", "author.email", "author.name", "tags", "category.name", "details"),
    ),
)
