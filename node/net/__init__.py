"""asyncio TCP + TLS transport: framing, peer links, the server that tells peers from clients."""
