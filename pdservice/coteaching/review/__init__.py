"""Review: the principal's decisions on a plan, the teachers' answers, publishing, and the
solver's explanations in the reader's language."""
