"""Evaluation: dataset schema and validator, runner, metrics, baselines, reports, comparisons."""
