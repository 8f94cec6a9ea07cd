"""Training delivery: cohorts and their sessions, enrolment and bulk enrolment, attendance, assessments,
ethics results, progress and completion, the public catalogue, and the reminders of training days."""
