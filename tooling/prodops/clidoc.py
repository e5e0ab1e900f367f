"""The command-line reference, generated from the commands' own help (so it never drifts)."""

from __future__ import annotations

import click


def markdown(group: click.Group, name: str = "prodops") -> str:
    lines = [
        "---",
        'title: "Command-line reference"',
        "---",
        "",
        "# Command-line reference",
        "",
        "Generated from `prodops --help` and each command's help.",
        "",
    ]
    lines += _command(group, name, click.Context(group, info_name=name), level=2)
    return "\n".join(lines) + "\n"


def _command(command: click.Command, path: str, ctx: click.Context, level: int) -> list[str]:
    out = [f"{'#' * level} `{path}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = click.Context(sub, info_name=sub_name, parent=ctx)
            out += _command(sub, f"{path} {sub_name}", sub_ctx, level + (1 if level < 3 else 0))
    return out
