"""The error catalog: every code with level, type, retry class and action; the classifier that
turns what a platform said into one; and the errors the workflow retries by name."""
