"""Audit action codes of screenings (registered at start-up by ``screening.screenings_setup``)."""

from audit.actions import register

SUBJECT_SCREENED = register(
    "screening.subject.screened",
    "A subject was screened: input as tokens/masked values, list versions, algorithm, thresholds, matches, outcome",
)
BATCH_SUBMITTED = register("screening.batch.submitted", "A batch of subjects was submitted for screening")
BATCH_COMPLETED = register("screening.batch.completed", "Every subject of a screening batch was processed")
FALSE_POSITIVE_MARKED = register(
    "screening.false_positive.marked", "An officer marked a match as a false positive (until the entry changes)"
)
SCREENING_REPLAYED = register(
    "screening.screening.replayed", "A stored screening was re-run on its recorded list and algorithm versions"
)
