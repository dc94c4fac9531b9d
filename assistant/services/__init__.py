"""Application services that both the CLI and the GUI call: import into the store, documents from the store."""
