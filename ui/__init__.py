"""PySide6 widgets (POS, bank console, regulator window); they talk to the Node API only."""
