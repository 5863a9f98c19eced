"""Data that is not real: the newsletter's demo (`newsletter`) and synthetic histories of any size
for benchmarks and tests (`synth`)."""
