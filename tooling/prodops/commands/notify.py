"""``prodops notify``: send the status updates, the digest and reminders to the channels of [tool.prodops.notify]."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import click

from prodops import crashlog, terminal
from prodops.cli import EXIT_PROBLEMS, load_readable, root_option, today_option
from prodops.commands.history import as_since
from prodops.commands.status import history_or_none, window
from prodops.diagnostics import ProdopsError
from prodops.notify import compose, deliver, sent
from prodops.notify.settings import site_url
from prodops.status import update


@click.command()
@click.option("--since", default="7d", show_default=True, callback=as_since, help="How far back: days (7d) or a date.")
@click.option("--channel", "only", multiple=True, help="Only this channel (repeatable; default: every channel).")
@click.option("--dry-run", is_flag=True, help="Print exactly what would be sent (never a secret), and send nothing.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The record of what was sent (default: .prodops-cache/notify-sent.json); a week is never sent twice.",
)
@root_option
@today_option
def notify(
    since: int | date, only: tuple[str, ...], dry_run: bool, state: Path | None, root: Path | None, today: date | None
) -> None:
    """Send status updates, the digest and reminders to Slack, Teams, e-mail and webhooks.

    Channels are the tables [tool.prodops.notify.channels.NAME]; their secrets (webhook URLs,
    smtp:// addresses) come from the environment variables they name. A message already sent
    for the same channel, kind, subject and week is not sent again. Each failed channel is
    named on stderr and the command exits 1; the other channels are still sent.

    Example: prodops notify --dry-run
    """
    start, until = window(since, today)
    result = load_readable(root, until, use_cache=True)
    channels = result.config.notify.channels
    # Should anything below crash, the crash log masks every channel's secret.
    secrets = click.get_current_context().meta.setdefault(crashlog.SECRETS_KEY, [])
    secrets.extend(os.environ.get(v, "") for c in channels.values() for v in (c.url_env, c.smtp_env) if v)
    if not channels:
        # A repository that uses no chat: nothing to send (its owners get the freshness issues).
        terminal.echo("no channels in [tool.prodops.notify]; nothing to send")
        return
    unknown = [name for name in only if name not in channels]
    if unknown:
        raise click.BadParameter(
            f"no channel {', '.join(unknown)}; known: {', '.join(sorted(channels))}", param_hint="'--channel'"
        )
    chosen = [channels[name] for name in sorted(channels) if not only or name in only]
    for channel in chosen:
        missing = [t for t in channel.teams if t not in result.catalog.teams]
        if missing:
            raise ProdopsError(f"channel {channel.name}: no team {', '.join(missing)} in the team registry")
        strangers = [h for h in channel.owners if h not in result.catalog.people]
        if strangers:
            raise ProdopsError(f"channel {channel.name}: {', '.join(strangers)} not in the team registry (owners)")
    index = history_or_none(result.root)
    wanted = {t for c in chosen if "status" in c.sends for t in (c.teams or ("organisation",))}
    updates = {
        key: update.compute(
            result.catalog,
            result.config,
            result.diagnostics,
            index,
            "organisation" if key == "organisation" else "team",
            key,
            start,
            until,
        )
        for key in sorted(wanted)
    }
    inputs = compose.Inputs(
        result.catalog, result.diagnostics, index, updates, start, until, site_url(result.root, result.config.notify)
    )
    outgoing = [out for channel in chosen for out in compose.outgoing(channel, inputs)]
    done = deliver.run(outgoing, os.environ, state or sent.default_path(result.root), dry_run=dry_run, sleep=time.sleep)
    if dry_run:
        terminal.echo("\n".join(done.shown) + ("\n" if done.shown else "nothing to send\n"), nl=False)
        return
    for outcome in done.outcomes:
        if outcome.error:
            terminal.echo(f"prodops: channel {outcome.channel}: not sent: {outcome.error}", err=True)
        else:
            skipped = f", {len(outcome.skipped)} already sent" if outcome.skipped else ""
            terminal.echo(f"{outcome.channel}: {len(outcome.sent)} sent{skipped}")
    if done.failed:
        click.get_current_context().exit(EXIT_PROBLEMS)
