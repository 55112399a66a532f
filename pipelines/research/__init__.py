"""The research assistant: semantic queries, the question planner and its answers."""
