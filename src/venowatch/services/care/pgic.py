"""The seven answers to "how do you feel overall?" in the words patients choose from: the
check-in form, the tables and the chart all say them the same way."""

from django.utils.translation import gettext_lazy as _

from venowatch.protocol import Pgic

PGIC_LABELS = {
    Pgic.VERY_MUCH_IMPROVED: _("Very much better"),
    Pgic.MUCH_IMPROVED: _("Much better"),
    Pgic.MINIMALLY_IMPROVED: _("A little better"),
    Pgic.NO_CHANGE: _("No different"),
    Pgic.MINIMALLY_WORSE: _("A little worse"),
    Pgic.MUCH_WORSE: _("Much worse"),
    Pgic.VERY_MUCH_WORSE: _("Very much worse"),
}
