"""The demo team: its data and the `seed-demo` command that loads it."""
