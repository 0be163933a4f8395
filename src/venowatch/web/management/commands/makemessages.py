"""Django's makemessages, also finding the engine's counted templates.

The engine cannot import Django, so it marks its templates with its own gettext_noop (a name
xgettext already looks for) and ngettext_noop (one it does not): this adds the latter, so each
counted template lands in the catalogs as a singular and plural pair.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # Django's own attribute is a class-level list too; handle() copies it before adding to it.
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]  # noqa: RUF012
