"""Everything that runs without a screen.  Never imports Qt."""
