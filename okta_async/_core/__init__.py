"""Hand-written core: configuration, auth, transport, retries, errors, serde, paging."""
