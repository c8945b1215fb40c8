"""The sections of BENCHMARKS.md, one module each (in report order:
reproduction, beat, baselines, study, backends, tagged, speed,
time_to_quality, data_pipeline)."""
