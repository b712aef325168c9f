"""Base class for our management commands: a user's mistake is one line on stderr and a non-zero
exit, never a usage dump or a traceback (CommandError already prints one line)."""

import sys

from django.core.management.base import BaseCommand as DjangoBaseCommand, CommandParser


class _OneLineParser(CommandParser):
    def error(self, message):
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            sys.exit(2)
        super().error(message)


class BaseCommand(DjangoBaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineParser
        return parser
