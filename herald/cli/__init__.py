"""The `herald` command: assembles each room's CLI and adds serve, worker, demo, db and init-config."""
