"""Real-time: the socket.io server on the same aiohttp app."""
