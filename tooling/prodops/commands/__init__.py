"""Subcommands that are more than a call into the library, one module per family."""
