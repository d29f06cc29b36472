"""Planning a campaign run: who is in it and what is decided for each (`runs`, `planner`), the set-based
form for first plans (`bulk`, its SQL in `keys`), the facts read in bulk (`facts`), and the pure draws and
clocks they use (`assign`: variants, hold-out, canary; `schedule`: local times and recurring runs)."""
