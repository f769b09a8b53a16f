"""Solving: a run's parameters, the solver's input built from the term, the queue of runs,
the jobs process's supervisor and the worker child that runs one solve."""
