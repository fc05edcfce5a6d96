"""The reference engine: an exact, replayable exchange that runs the whole waterfall."""
