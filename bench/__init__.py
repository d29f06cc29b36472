"""Herald's benchmarks: each workload prints its figure and its ratio to a plain baseline run alongside."""
