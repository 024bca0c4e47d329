"""The savings model: pure functions and their parameters (no I/O).

``params`` holds every parameter with its default and source; ``geo`` the great-circle
distance; ``presence`` who counts as having travelled; ``model`` the figures of one occurrence;
``rounding`` the only place where figures are rounded.
"""
