"""`herald demo`: the whole flow on a bundled sample (`run`), with its people and their audit log
(`access`), what it hears back from the stand-ins (`hearing`), its last word on results and alerts
(`results`) and, with `--serve`, the UI kept up afterwards (`serving`); `sample` writes the realistic
contacts the demo and the benchmarks import."""
