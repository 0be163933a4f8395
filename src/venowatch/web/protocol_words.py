"""The default protocol file's words for patients, and the default tracked symptoms, marked
for the catalogs.

The protocol file (protocol/default.toml) is English and is not Python, so makemessages cannot
find its words: they are listed here, and tests/test_translations.py fails when the file and
this list part. The pages and emails look each one up as they write it (a clinic's own file
keeps its wording as the clinic wrote it, untranslated).
"""

from venowatch.protocol.message import gettext_noop

PATIENT_WORDS = (
    gettext_noop("Possible blood clot: act now"),
    gettext_noop("Your vein may have narrowed again"),
    gettext_noop("Still getting worse: you should be retested"),
    gettext_noop("A test found something to treat first"),
    gettext_noop("Feeling worse: we are watching closely"),
    gettext_noop("A tune-up can now be considered"),
    gettext_noop("No improvement yet: your care team will review"),
    gettext_noop("Your body is adjusting: give it time"),
    gettext_noop("Give it time before a tune-up"),
    gettext_noop("Tell us how you feel"),
    gettext_noop("You are doing better"),
    gettext_noop("No procedure to follow up"),
    gettext_noop(
        "Call your interventional radiologist now. If you cannot reach them, call your health "
        "care provider or go to the emergency room. Do not wait."
    ),
    gettext_noop(
        "Contact the foundation today to arrange a retest and, if needed, another treatment."
    ),
    gettext_noop("Get the problem your test found treated first (for example an infection)."),
    gettext_noop("Email your patient advocate with any concern."),
    gettext_noop("Keep checking in, at least every two weeks."),
    gettext_noop("Talk with your care team about whether a 'tune-up' venoplasty makes sense."),
    gettext_noop("Your care team will look at your check-ins and contact you."),
    gettext_noop("Wait before any further procedure; symptoms often come and go for weeks."),
    gettext_noop("Keep to your diet, supplements and lifestyle changes as well as you can."),
    gettext_noop("Check in: tell us how you feel compared with just before your procedure."),
    gettext_noop("Have a blood test and a urine test, to rule out an infection or other cause."),
)

SYMPTOM_WORDS = (
    gettext_noop("fatigue"),
    gettext_noop("vision"),
    gettext_noop("thinking"),
    gettext_noop("walking"),
)
"""clinic.models.default_symptoms: a clinic's own symptoms show as the clinic wrote them."""
