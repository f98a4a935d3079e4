"""Entry points: the `cardchain` CLI, consortium set-up and the demo."""
