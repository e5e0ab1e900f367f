"""``prodops notify`` against real peers on 127.0.0.1: a recording HTTP server and an SMTP server.

The Slack and Teams payloads are checked against JSON Schemas written here from the vendors'
documented formats:
- Slack incoming webhooks and Block Kit: https://api.slack.com/messaging/webhooks,
  https://api.slack.com/reference/block-kit/blocks (section text at most 3,000 characters,
  header text at most 150, at most 50 blocks in a message).
- Teams: https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
  ("Send Adaptive Cards using an Incoming Webhook": a message whose attachments carry
  contentType application/vnd.microsoft.card.adaptive), the 28 KB message size limit in
  .../how-to/add-incoming-webhook, and https://adaptivecards.io/explorer/AdaptiveCard.html
  and .../TextBlock.html for the card.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import notifypeers
import pytest
import weekrepo
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example
from payloads import PAYLOADS, scan

from prodops.cli import cli
from prodops.notify import http, slack, teams
from prodops.status.message import Entry, Message, Section

CANARY_URL_PART = "T0CANARY/B0CANARY/s3cr3tCanaryToken"
CANARY_PASSWORD = "canary-Pa55word-7f3e"

SLACK_TEXT: dict[str, Any] = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {"type": {"enum": ["mrkdwn", "plain_text"]}, "text": {"type": "string", "minLength": 1}},
}
SLACK_SCHEMA = {
    "type": "object",
    "required": ["blocks"],
    "properties": {
        "text": {"type": "string"},
        "blocks": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["type", "text"],
                        "properties": {
                            "type": {"const": "header"},
                            "text": {
                                "type": "object",
                                "required": ["type", "text"],
                                "properties": {
                                    "type": {"const": "plain_text"},
                                    "text": {"type": "string", "minLength": 1, "maxLength": 150},
                                },
                            },
                        },
                    },
                    {
                        "type": "object",
                        "required": ["type", "text"],
                        "properties": {
                            "type": {"const": "section"},
                            "text": {
                                "type": "object",
                                "required": ["type", "text"],
                                "properties": {
                                    "type": {"enum": ["mrkdwn", "plain_text"]},
                                    "text": {"type": "string", "minLength": 1, "maxLength": 3000},
                                },
                            },
                        },
                    },
                    {
                        "type": "object",
                        "required": ["type", "elements"],
                        "properties": {
                            "type": {"const": "context"},
                            "elements": {"type": "array", "minItems": 1, "maxItems": 10, "items": SLACK_TEXT},
                        },
                    },
                ]
            },
        },
    },
}
TEXT_BLOCK = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {"const": "TextBlock"},
        "text": {"type": "string"},
        "wrap": {"type": "boolean"},
        "size": {"enum": ["Small", "Default", "Medium", "Large", "ExtraLarge"]},
        "weight": {"enum": ["Lighter", "Default", "Bolder"]},
        "isSubtle": {"type": "boolean"},
        "separator": {"type": "boolean"},
    },
    "additionalProperties": False,
}
TEAMS_SCHEMA = {
    "type": "object",
    "required": ["type", "attachments"],
    "properties": {
        "type": {"const": "message"},
        "attachments": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["contentType", "content"],
                "properties": {
                    "contentType": {"const": "application/vnd.microsoft.card.adaptive"},
                    "contentUrl": {"type": ["string", "null"]},
                    "content": {
                        "type": "object",
                        "required": ["type", "version", "body"],
                        "properties": {
                            "$schema": {"const": "http://adaptivecards.io/schemas/adaptive-card.json"},
                            "type": {"const": "AdaptiveCard"},
                            "version": {"enum": ["1.4", "1.5"]},
                            "body": {"type": "array", "minItems": 1, "items": TEXT_BLOCK},
                        },
                    },
                },
            },
        },
    },
}
TEAMS_MOST_BYTES = 28 * 1024

CHANNELS = """
[tool.prodops.notify]
site-url = "https://ops.ledgerline.example/"

[tool.prodops.notify.channels.payments-slack]
kind = "slack"
url-env = "PO_TEST_SLACK"
teams = ["payments"]
sends = ["status", "digest", "reminders"]

[tool.prodops.notify.channels.payments-teams]
kind = "teams"
url-env = "PO_TEST_TEAMS"
teams = ["payments"]
sends = ["status"]

[tool.prodops.notify.channels.payments-mail]
kind = "email"
smtp-env = "PO_TEST_SMTP"
from = "product-ops@ledgerline.example"
teams = ["payments"]
sends = ["status"]

[tool.prodops.notify.channels.data-hook]
kind = "webhook"
url-env = "PO_TEST_HOOK"
sends = ["status"]
"""


def with_channels(root: Path, channels: str = CHANNELS) -> Path:
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(channels)
    team = root / "processes" / "teams" / "payments.yaml"
    text = team.read_text(encoding="utf-8")
    text = re.sub(r"  - handle: ([a-z-]+)\n", r"  - handle: \1\n    email: \1@ledgerline.example\n", text)
    team.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def week(tmp_path: Path) -> Path:
    return with_channels(weekrepo.build(tmp_path / "ops"))


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "FIRST_WAIT", 0.01)


def notify(root: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(
        cli, ["notify", "--root", str(root), "--today", EXAMPLE_TODAY.isoformat(), *args], env=env
    )
    return done.exit_code, done.stdout, done.stderr


def environment(base: str, smtp_port: int, slack_path: str = "/slack/") -> dict[str, str]:
    return {
        "PO_TEST_SLACK": f"{base}{slack_path}{CANARY_URL_PART}",
        "PO_TEST_TEAMS": f"{base}/teams/{CANARY_URL_PART}",
        "PO_TEST_HOOK": f"{base}/hook/{CANARY_URL_PART}",
        "PO_TEST_SMTP": f"smtp://notifier:{CANARY_PASSWORD}@127.0.0.1:{smtp_port}",
    }


def no_secret(*texts: str) -> None:
    for text in texts:
        assert CANARY_URL_PART not in text and "s3cr3tCanaryToken" not in text
        assert CANARY_PASSWORD not in text


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(week: Path) -> None:
    with (
        notifypeers.http_receiver() as (base, recorded),
        notifypeers.smtp_receiver("notifier", CANARY_PASSWORD) as (
            port,
            inbox,
        ),
    ):
        code, out, err = notify(week, environment(base, port), "--dry-run")
        assert recorded.requests == [] and inbox.mails == []
    assert code == 0, err
    no_secret(out, err)
    assert "--- payments-slack (slack, $PO_TEST_SLACK): status payments 2026-W49" in out
    assert "Cut invoice disputes from 4.2 to 2.0 per 1,000 invoices" in out  # key results by title
    assert "Mateo García" in out and "mateo-garcia@" in out  # people by name; e-mail to the registry's address
    assert "https://ops.ledgerline.example/roadmap-item/card-payments-page.html" in out  # links to the site
    assert "To: Kavya Iyer <kavya-iyer@ledgerline.example>" in out


def test_send_to_local_receivers_then_a_rerun_sends_nothing(week: Path) -> None:
    with (
        notifypeers.http_receiver() as (base, recorded),
        notifypeers.smtp_receiver("notifier", CANARY_PASSWORD) as (
            port,
            inbox,
        ),
    ):
        env = environment(base, port)
        code, out, err = notify(week, env)
        assert code == 0, err
        no_secret(out, err)
        slack_bodies = recorded.bodies("/slack/")
        teams_bodies = recorded.bodies("/teams/")
        hooks = recorded.bodies("/hook/")
        mails = list(inbox.mails)
        code, out2, err2 = notify(week, env)
        assert code == 0, err2
        assert len(recorded.requests) == len(slack_bodies) + len(teams_bodies) + len(hooks)  # nothing new
        assert len(inbox.mails) == len(mails)
        assert "payments-slack: 0 sent, 4 already sent" in out2
    # status, digest, two reminders: Kavya Iyer's stale launch, and Jonas Weber's time-aware findings
    assert len(slack_bodies) == 4
    for body in slack_bodies:
        jsonschema.validate(body, SLACK_SCHEMA)
    status = json.dumps(slack_bodies[0], ensure_ascii=False)
    assert "Cut invoice disputes from 4.2 to 2.0 per 1,000 invoices" in status
    assert (
        "<https://ops.ledgerline.example/roadmap-item/card-payments-page.html|Card payments on the invoice page>"
        in status
    )
    assert "2026-11-27 → 2026-12-04 (+7 days)" in status
    digest = json.dumps(slack_bodies[1], ensure_ascii=False)
    assert "|Cut invoice disputes from 4.2 to 2.0 per 1,000 invoices>: confidence 0.5 → 0.4" in digest
    assert ".kr2" not in digest  # key results by title, not by id
    for body in teams_bodies:
        jsonschema.validate(body, TEAMS_SCHEMA)
        assert len(json.dumps(body).encode()) < TEAMS_MOST_BYTES
    assert "Cut invoice disputes from 4\\\\.2 to 2\\\\.0" in json.dumps(teams_bodies[0])
    assert hooks[0]["kind"] == "status" and hooks[0]["about"] == "organisation" and hooks[0]["period"] == "2026-W49"
    people = {to[0] for to, _ in mails}
    assert people == {
        f"{h}@ledgerline.example" for h in ("kavya-iyer", "mateo-garcia", "jonas-weber", "aisha-bello", "felix-bauer")
    }
    _, mail = mails[0]
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["From"] == "product-ops@ledgerline.example"
    assert mail["Subject"] == "Status of Payments, 2026-11-25 to 2026-12-02"
    text = mail.get_body(("plain",))
    page = mail.get_body(("html",))
    assert text is not None and page is not None
    assert "Cut invoice disputes" in text.get_content() and "Cut invoice disputes" in page.get_content()


def test_429_then_200_is_retried_and_sent_once(week: Path) -> None:
    with (
        notifypeers.http_receiver() as (base, recorded),
        notifypeers.smtp_receiver("notifier", CANARY_PASSWORD) as (
            port,
            _,
        ),
    ):
        code, out, err = notify(week, environment(base, port, "/busy/"), "--channel", "payments-slack")
        assert code == 0, err
        assert "payments-slack: 4 sent" in out
        busy = recorded.bodies("/busy/")
    assert len(busy) == 5  # the first answered 429 and was sent again


def test_a_failing_channel_exits_non_zero_names_it_and_the_others_are_sent(week: Path) -> None:
    down = notifypeers.closed_port()
    with (
        notifypeers.http_receiver() as (base, recorded),
        notifypeers.smtp_receiver("notifier", CANARY_PASSWORD) as (
            port,
            inbox,
        ),
    ):
        env = environment(base, port)
        env["PO_TEST_SLACK"] = f"http://127.0.0.1:{down}/slack/{CANARY_URL_PART}"
        env["PO_TEST_TEAMS"] = f"{base}/broken/{CANARY_URL_PART}"
        code, out, err = notify(week, env)
        assert recorded.bodies("/hook/") and inbox.mails
    assert code == 1
    no_secret(out, err)
    assert "prodops: channel payments-slack: not sent: no connection (Connection refused) after 4 attempts" in err
    assert "prodops: channel payments-teams: not sent: HTTP 500 after 4 attempts" in err
    assert "data-hook: 1 sent" in out and "payments-mail: 1 sent" in out
    assert "Traceback" not in err


def test_a_wrong_smtp_password_is_named_without_the_secret(week: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prodops.notify import email

    monkeypatch.setattr(email, "TIMEOUT", 2.0)
    with notifypeers.smtp_receiver("notifier", "another-password") as (port, inbox):
        env = {"PO_TEST_SMTP": f"smtp://notifier:{CANARY_PASSWORD}@127.0.0.1:{port}"}
        code, out, err = notify(week, env, "--channel", "payments-mail")
    assert code == 1 and inbox.mails == []
    assert "prodops: channel payments-mail: not sent: the SMTP server failed: SMTP" in err
    no_secret(out, err)


LAST_LINE = {
    "data-hook": "ValueError: cannot post to *** (token ***)\n",
    "payments-slack": "ValueError: cannot post to *** (token ***)\n",
    "payments-mail": "RuntimeError: cannot log in with Server(secure=False, host='127.0.0.1', port=2525, user='notifier', "
    "password='***'); password ***\n",
}


@pytest.mark.parametrize("channel", sorted(LAST_LINE))
def test_a_crash_inside_a_send_leaves_no_secret_in_the_log_or_the_output(
    week: Path, monkeypatch: pytest.MonkeyPatch, channel: str
) -> None:
    """A bug while sending: the crash log (attached to public issues) masks every piece of every channel's secret."""
    from prodops.notify import deliver, email

    def explode_post(url: str, body: object, sleep: object) -> None:
        try:
            raise OSError(f"inner: {url}")
        except OSError:  # a chained exception: its message is in the traceback too
            raise ValueError(f"cannot post to {url} (token {url.rsplit('/', 1)[-1]})") from None

    def explode_send(server: email.Server, mails: object) -> None:
        raise RuntimeError(f"cannot log in with {server!r}; password {server.password}")

    monkeypatch.setattr(deliver, "post", explode_post)
    monkeypatch.setattr(email, "send", explode_send)
    env = environment("https://hooks.example.com", 2525)
    code, out, err = notify(week, env, "--channel", channel)
    assert code == 3, err
    log = (week / ".prodops-cache" / "prodops.log").read_text(encoding="utf-8")
    assert "internal error" in err and "Error" in log
    no_secret(log, out, err)
    for value in env.values():
        assert value not in log
    assert log.endswith(LAST_LINE[channel]), log[-300:]


def test_a_missing_secret_names_the_variable(week: Path) -> None:
    code, _, err = notify(week, {"PO_TEST_SLACK": ""}, "--channel", "payments-slack")
    assert code == 1
    assert "channel payments-slack: not sent: $PO_TEST_SLACK is not set" in err


def test_a_wrong_channel_table_is_a_clear_error(tmp_path: Path) -> None:
    root = with_channels(weekrepo.build(tmp_path / "ops"), '\n[tool.prodops.notify.channels.x]\nkind = "slak"\n')
    code, _, err = notify(root, {})
    assert code == 1
    assert "'channels.x.kind' must be one of slack, teams, email, webhook (got 'slak')" in err


def _hostile(count: int = 3) -> Message:
    entries = tuple(Entry(p, "https://ops.example/x.html", p, p) for p in PAYLOADS[:count] + PAYLOADS[-count:])
    return Message("<script>alert(1)</script> & <!channel>", PAYLOADS[0], (Section("<b>risks</b>", entries),))


def test_hostile_text_stays_text_in_slack_teams_and_email() -> None:
    message = Message(
        "<!channel> <@U123> title",
        PAYLOADS[1],
        (Section("S", tuple(Entry(p, "https://o.example/a.html", p, p) for p in PAYLOADS)),),
    )
    for body in slack.payloads(message):
        jsonschema.validate(body, SLACK_SCHEMA)
        for block in body["blocks"]:
            if block["type"] == "header":
                continue  # plain_text: Slack shows it as typed, it parses no mention or link
            texts = [block["text"]["text"]] if "text" in block else [e["text"] for e in block["elements"]]
            for text in texts:
                # The only angle brackets left are the links this module wrote.
                assert re.sub(r"<https://o\.example/a\.html\|[^<>]*>", "", text).count("<") == 0
    for body in teams.payloads(message):
        jsonschema.validate(body, TEAMS_SCHEMA)
        for block in body["attachments"][0]["content"]["body"]:
            text = block["text"].removeprefix("- [").replace("](https://o.example/a.html)", "", 1)
            # Every character that could open a link, emphasis or HTML is escaped.
            assert re.search(r"(?<!\\)[\[\]<>*_`]", text) is None, text
    from prodops.notify import email
    from prodops.notify.compose import Recipient

    mail = email.build(
        message, "ops@example.com", Recipient("<script>x</script>\nBcc: evil@example.com", "a@example.com")
    )
    page = mail.get_body(("html",))
    assert page is not None
    findings, scripts = scan(page.get_content())
    assert findings == [] and scripts == []
    assert "Bcc" not in str(mail["To"]).split("<")[-1]


def test_long_messages_are_split_within_each_service_limits() -> None:
    entries = tuple(
        Entry(f"Item {n} " + "x" * 400, f"https://o.example/{n}.html", "d" * 300, "Ana") for n in range(400)
    )
    message = Message("Big week", "Summary", (Section("Shipped", entries),))
    bodies = slack.payloads(message)
    assert len(bodies) > 1
    for body in bodies:
        jsonschema.validate(body, SLACK_SCHEMA)
    cards = teams.payloads(message)
    assert len(cards) > 1
    for card in cards:
        jsonschema.validate(card, TEAMS_SCHEMA)
        assert len(json.dumps(card, ensure_ascii=False).encode()) < TEAMS_MOST_BYTES
    shown = "".join(json.dumps(b) for b in bodies)
    assert all(f"Item {n} " in shown for n in range(400))  # nothing lost in the split


def test_a_repository_without_channels_sends_nothing_and_succeeds(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    code, out, _ = notify(root, {})
    assert code == 0
    assert out == "no channels in [tool.prodops.notify]; nothing to send\n"


def test_retry_after_is_honoured_and_bounded() -> None:
    assert http._retry_after("2", 1.0) == 2.0
    assert http._retry_after("86400", 1.0) == http.LONGEST_WAIT
    assert http._retry_after("Wed, 21 Oct 2026 07:28:00 GMT", 4.0) == 4.0  # a date: the back-off instead
    assert http._retry_after(None, 8.0) == 8.0


def test_an_unreadable_record_of_what_was_sent_is_a_clear_error(week: Path, tmp_path: Path) -> None:
    state = tmp_path / "sent.json"
    state.write_text("{not json", encoding="utf-8")
    code, _, err = notify(week, {}, "--state", str(state))
    assert code == 1
    assert "cannot read the record of messages sent" in err and "fix or remove it" in err
    assert "Traceback" not in err


def test_an_owner_not_in_the_registry_is_named(tmp_path: Path) -> None:
    channels = '\n[tool.prodops.notify.channels.leads]\nkind = "webhook"\nurl-env = "X"\nowners = ["nobody-here"]\n'
    root = with_channels(weekrepo.build(tmp_path / "ops"), channels)
    code, _, err = notify(root, {})
    assert code == 1
    assert "channel leads: nobody-here not in the team registry (owners)" in err


def test_a_malformed_webhook_url_is_an_error_without_the_url(week: Path) -> None:
    env = {"PO_TEST_HOOK": f"http://127.0.0.1:9/hook/{CANARY_URL_PART} with a space\n"}
    code, out, err = notify(week, env, "--channel", "data-hook")
    assert code == 1
    assert "channel data-hook: not sent: the webhook URL is not a valid address" in err
    assert "internal error" not in err
    no_secret(out, err)


def test_the_html_update_runs_no_script() -> None:
    from prodops.status import html

    findings, scripts = scan(html.write(_hostile(len(PAYLOADS))))
    assert findings == [] and scripts == []
