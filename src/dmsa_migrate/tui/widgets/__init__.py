"""Small reusable widgets: the stepper, the coverage bar, the live run progress."""
