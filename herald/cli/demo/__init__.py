"""`herald demo`: the whole flow on a bundled sample (`run`), with its people and their audit log
(`access`) and its last word on results and alerts (`results`); `sample` writes the realistic contacts the
demo and the benchmarks import."""
